import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call } from './http-client.js';

let s: FakeApiServer;
let now = Date.parse('2026-01-02T03:04:05Z');
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false, clock: () => now }); });
afterAll(async () => { await s.stop(); });

const APPLY = 'application/apply-patch+yaml';
const DEP = '/apis/apps/v1/namespaces/default/deployments';
const CM = '/api/v1/namespaces/default/configmaps';
const SO = '/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects';

const deployment = (name: string, replicas: number, image = 'nginx:1') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } } },
});

type Entry = { manager: string; operation: string; apiVersion: string; time: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string };
const managed = (body: { metadata?: Record<string, unknown> }): Entry[] => (body.metadata?.managedFields ?? []) as Entry[];

describe('server-side apply', () => {
  it('creates a missing object (201) with one Apply entry holding the applied fields, keyed by list-map keys', async () => {
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=tester`, deployment('a1', 2), APPLY);
    expect(r.status).toBe(201);
    const [e, ...more] = managed(r.body);
    expect(more).toEqual([]);
    expect(e).toMatchObject({ manager: 'tester', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1' });
    expect(e?.fieldsV1).toEqual({
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
        },
      },
    });
  });

  it('accepts a YAML body and applies an update (replicas 2 → 3) without a conflict for the same manager', async () => {
    const yaml = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a1\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: a1}\n  template:\n    metadata:\n      labels: {app: a1}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1\n        ports: [{containerPort: 80}]\n`;
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=tester`, yaml, APPLY);
    expect(r.status).toBe(200);
    expect((r.body.spec as { replicas: number }).replicas).toBe(3);
  });

  it('a second manager applying a different value of an owned field gets the Kubernetes 409 naming field and manager', async () => {
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=other`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a1' }, spec: { replicas: 5 } }, APPLY);
    expect(r.status).toBe(409);
    expect(r.body.reason).toBe('Conflict');
    expect(r.body.message).toBe('Apply failed with 1 conflict: conflict with "tester": .spec.replicas');
    expect(r.body.details).toEqual({ causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "tester"', field: '.spec.replicas' }] });
  });

  it('lists several conflicts grouped by manager, keyed items printed as [name="web"]', async () => {
    const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a1' }, spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } };
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=other`, body, APPLY);
    expect(r.status).toBe(409);
    expect(r.body.message).toBe('Apply failed with 2 conflicts: conflicts with "tester":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image');
  });

  it('applying the same value as another manager shares ownership instead of conflicting', async () => {
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=sharer`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a1' }, spec: { replicas: 3 } }, APPLY);
    expect(r.status).toBe(200);
    expect(managed(r.body).map((e) => e.manager)).toEqual(['tester', 'sharer']);
    expect(managed(r.body)[0]?.fieldsV1).toHaveProperty(['f:spec', 'f:replicas']);
  });

  it('force=true takes the field: value 5 and replicas leave the old owner', async () => {
    now += 60_000;
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=other&force=true`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a1' }, spec: { replicas: 5 } }, APPLY);
    expect(r.status).toBe(200);
    expect((r.body.spec as { replicas: number }).replicas).toBe(5);
    const byManager = Object.fromEntries(managed(r.body).map((e) => [e.manager, e]));
    expect(byManager.tester?.fieldsV1).not.toHaveProperty(['f:spec', 'f:replicas']);
    expect(byManager.sharer).toBeUndefined(); // its only field was taken, an empty entry is dropped
    expect(byManager.other).toMatchObject({ operation: 'Apply', time: '2026-01-02T03:05:05Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });

  it('merges containers by name: a second manager adds a sidecar and the first one keeps its container', async () => {
    const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a1' }, spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox' }] } } } };
    const r = await call(s.url, 'PATCH', `${DEP}/a1?fieldManager=sidecar`, body, APPLY);
    expect(r.status).toBe(200);
    const containers = (r.body.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['web', 'side']);
  });

  it('removes fields the manager stopped applying and no one else owns (label b dropped, label a kept)', async () => {
    const cm = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lab', labels }, data: { k: 'v' } });
    await call(s.url, 'PATCH', `${CM}/lab?fieldManager=m`, cm({ a: '1', b: '2' }), APPLY);
    const r = await call(s.url, 'PATCH', `${CM}/lab?fieldManager=m`, cm({ a: '1' }), APPLY);
    expect(r.body.metadata?.labels).toEqual({ a: '1' });
  });

  it('a no-op apply keeps resourceVersion and managedFields time', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noop' }, data: { k: 'v' } };
    const first = await call(s.url, 'PATCH', `${CM}/noop?fieldManager=m`, cm, APPLY);
    now += 5_000;
    const second = await call(s.url, 'PATCH', `${CM}/noop?fieldManager=m`, cm, APPLY);
    expect(second.body.metadata?.resourceVersion).toBe(first.body.metadata?.resourceVersion);
    expect(managed(second.body)[0]?.time).toBe(managed(first.body)[0]?.time);
  });

  it('custom resources keep lists atomic: triggers are one owned field', async () => {
    const so = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'so1' }, spec: { scaleTargetRef: { name: 'a1' }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 * * * *', end: '5 * * * *', desiredReplicas: '2' } }] } };
    const r = await call(s.url, 'PATCH', `${SO}/so1?fieldManager=kubectl`, so, APPLY);
    expect(r.status).toBe(201);
    expect(managed(r.body)[0]?.fieldsV1).toEqual({ 'f:spec': { 'f:scaleTargetRef': { 'f:name': {} }, 'f:triggers': {} } });
  });

  it.each([
    ['no fieldManager', `${CM}/x`, APPLY, 422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    ['force on a merge patch', `${CM}/lab?force=true`, 'application/merge-patch+json', 422, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
  ])('%s is rejected (%s, %s → %i)', async (_n, path, ct, code, message) => {
    const r = await call(s.url, 'PATCH', path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, ct);
    expect(r.status).toBe(code);
    expect(r.body.message).toBe(message);
  });

  it('an apply body without kind is a 400', async () => {
    const r = await call(s.url, 'PATCH', `${CM}/x?fieldManager=m`, 'metadata:\n  name: x\n', APPLY);
    expect(r.status).toBe(400);
  });
});

describe('managedFields of ordinary writes', () => {
  it('create records an Update entry for fieldManager; a merge patch by another writer moves the changed field to it', async () => {
    const c = await call(s.url, 'POST', `${CM}?fieldManager=creator`, { metadata: { name: 'upd' }, data: { a: '1', b: '2' } });
    expect(managed(c.body)).toEqual([{ manager: 'creator', operation: 'Update', apiVersion: 'v1', time: expect.any(String) as string, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } }]);
    const p = await call(s.url, 'PATCH', `${CM}/upd?fieldManager=patcher`, { data: { b: '3' } }, 'application/merge-patch+json');
    const byManager = Object.fromEntries(managed(p.body).map((e) => [e.manager, e.fieldsV1]));
    expect(byManager).toEqual({ creator: { 'f:data': { 'f:a': {} } }, patcher: { 'f:data': { 'f:b': {} } } });
  });

  it('an apply over a field an Update writer set conflicts and names it with apiVersion and time', async () => {
    const r = await call(s.url, 'PATCH', `${CM}/upd?fieldManager=applier`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'upd' }, data: { a: '9' } }, APPLY);
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^Apply failed with 1 conflict: conflict with "creator" using v1 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: \.data\.a$/);
  });

  it('the manager defaults to the User-Agent program name', async () => {
    const r = await fetch(`${s.url}${CM}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'kubectl/v1.31.0 (linux/amd64)' }, body: JSON.stringify({ metadata: { name: 'ua' }, data: { a: '1' } }) });
    const body = (await r.json()) as { metadata: Record<string, unknown> };
    expect(managed(body)[0]?.manager).toBe('kubectl');
  });

  it('a status write is recorded with subresource status', async () => {
    const r = await call(s.url, 'PATCH', `${DEP}/a1/status?fieldManager=ctrl`, { status: { replicas: 5 } }, 'application/merge-patch+json');
    const e = managed(r.body).find((x) => x.manager === 'ctrl');
    expect(e).toMatchObject({ operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });
});
