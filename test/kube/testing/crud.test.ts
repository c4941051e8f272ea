import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call } from './http-client.js';

let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false }); });
afterAll(async () => { await s.stop(); });

const CM = '/api/v1/namespaces/default/configmaps';
const DEP = '/apis/apps/v1/namespaces/default/deployments';
const SO = '/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects';

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

describe('create and get', () => {
  it('assigns uid, creationTimestamp, a resourceVersion above every earlier one, and namespace from the URL', async () => {
    const a = await call(s.url, 'POST', CM, { metadata: { name: 'rv-a' } });
    const b = await call(s.url, 'POST', CM, { metadata: { name: 'rv-b' } });
    expect(a.status).toBe(201);
    expect(a.body.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.body.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.body.metadata?.namespace).toBe('default');
    expect(Number(b.body.metadata?.resourceVersion)).toBeGreaterThan(Number(a.body.metadata?.resourceVersion));
    expect((await call(s.url, 'GET', `${CM}/rv-a`)).body.metadata?.uid).toBe(a.body.metadata?.uid);
  });

  it.each([
    ['a second create of one name', 'POST', CM, { metadata: { name: 'rv-a' } }, 409, 'AlreadyExists', 'configmaps "rv-a" already exists'],
    ['a get of a missing object', 'GET', `${CM}/nope`, undefined, 404, 'NotFound', 'configmaps "nope" not found'],
    ['a missing namespace', 'POST', '/api/v1/namespaces/ghost/configmaps', { metadata: { name: 'x' } }, 404, 'NotFound', 'namespaces "ghost" not found'],
    ['a body namespace that differs from the URL', 'POST', CM, { metadata: { name: 'x', namespace: 'kube-system' } }, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'],
    ['no name', 'POST', CM, { metadata: {} }, 422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required'],
    ['an upper-case name', 'POST', CM, { metadata: { name: 'Bad' } }, 422, 'Invalid', undefined],
    ['a Deployment whose selector misses the template labels', 'POST', DEP, { ...deployment('sel'), spec: { ...deployment('sel').spec, selector: { matchLabels: { app: 'other' } } } }, 422, 'Invalid', undefined],
  ])('%s gives a Kubernetes Status (%s %s → %i %s)', async (_n, method, path, body, code, reason, message) => {
    const r = await call(s.url, method, path, body);
    expect(r.status).toBe(code);
    expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
    if (message !== undefined) expect(r.body.message).toBe(message);
  });

  it('generateName appends five characters', async () => {
    const r = await call(s.url, 'POST', CM, { metadata: { generateName: 'gen-' } });
    expect(r.body.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('Secret stringData is stored base64-encoded in data', async () => {
    const r = await call(s.url, 'POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 'sec' }, stringData: { password: 'hunter2' } });
    expect(r.body).toMatchObject({ type: 'Opaque', data: { password: 'aHVudGVyMg==' } });
    expect(r.body.stringData).toBeUndefined();
  });

  it('dryRun=All answers with the object but stores nothing', async () => {
    const r = await call(s.url, 'POST', `${CM}?dryRun=All`, { metadata: { name: 'dry' } });
    expect(r.status).toBe(201);
    expect((await call(s.url, 'GET', `${CM}/dry`)).status).toBe(404);
  });
});

describe('update', () => {
  it('a stale resourceVersion is a 409 Conflict; the current one succeeds and bumps it', async () => {
    const created = (await call(s.url, 'POST', CM, { metadata: { name: 'upd' }, data: { a: '1' } })).body;
    const rv = created.metadata?.resourceVersion;
    const ok = await call(s.url, 'PUT', `${CM}/upd`, { ...created, data: { a: '2' } });
    expect(ok.status).toBe(200);
    expect(Number(ok.body.metadata?.resourceVersion)).toBeGreaterThan(Number(rv));
    const stale = await call(s.url, 'PUT', `${CM}/upd`, { ...created, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again' });
  });

  it('an update that changes nothing keeps the resourceVersion', async () => {
    const created = (await call(s.url, 'POST', CM, { metadata: { name: 'noop' }, data: { a: '1' } })).body;
    const again = await call(s.url, 'PUT', `${CM}/noop`, created);
    expect(again.body.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('generation follows spec changes only: 1 → 2 on replicas, unchanged on labels and on status', async () => {
    const d = (await call(s.url, 'POST', DEP, deployment('gen'))).body;
    expect(d.metadata?.generation).toBe(1);
    const spec = await call(s.url, 'PATCH', `${DEP}/gen`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
    expect(spec.body.metadata?.generation).toBe(2);
    const meta = await call(s.url, 'PATCH', `${DEP}/gen`, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json');
    expect(meta.body.metadata?.generation).toBe(2);
    const st = await call(s.url, 'PATCH', `${DEP}/gen/status`, { status: { replicas: 3 } }, 'application/merge-patch+json');
    expect(st.body.metadata?.generation).toBe(2);
    expect(st.body.status).toEqual({ replicas: 3 });
  });

  it('status is ignored on the main resource and only status is taken on /status', async () => {
    const d = (await call(s.url, 'POST', DEP, deployment('st'))).body;
    const main = await call(s.url, 'PUT', `${DEP}/st`, { ...d, status: { replicas: 9 } });
    expect(main.body.status).toBeUndefined();
    const sub = await call(s.url, 'PUT', `${DEP}/st/status`, { ...main.body, spec: { ...deployment('st').spec, replicas: 7 }, status: { replicas: 9 } });
    expect(sub.body.status).toEqual({ replicas: 9 });
    expect((sub.body.spec as { replicas: number }).replicas).toBe(1);
  });

  it('a custom resource PUT without resourceVersion is 422, as CRDs disallow unconditional updates', async () => {
    await call(s.url, 'POST', SO, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'so' }, spec: { scaleTargetRef: { name: 'x' }, triggers: [] } });
    const r = await call(s.url, 'PUT', `${SO}/so`, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'so' }, spec: {} });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  });
});

describe('patch', () => {
  it.each([
    ['merge patch sets and deletes keys', 'application/merge-patch+json', { data: { b: '2', a: null } }, { b: '2' }],
    ['JSON patch applies operations in order', 'application/json-patch+json', [{ op: 'add', path: '/data/c', value: '3' }, { op: 'remove', path: '/data/a' }], { c: '3' }],
    ['strategic merge patch merges maps', 'application/strategic-merge-patch+json', { data: { z: '9' } }, { a: '1', z: '9' }],
  ])('%s', async (name, ct, patch, data) => {
    const n = `p-${ct.length}`;
    await call(s.url, 'POST', CM, { metadata: { name: n }, data: { a: '1' } });
    const r = await call(s.url, 'PATCH', `${CM}/${n}`, patch, ct);
    expect(r.status, name).toBe(200);
    expect(r.body.data).toEqual(data);
  });

  it('a JSON patch test failure rejects the whole patch; a stale resourceVersion in a merge patch is 409', async () => {
    const c = (await call(s.url, 'POST', CM, { metadata: { name: 'ptest' }, data: { a: '1' } })).body;
    const t = await call(s.url, 'PATCH', `${CM}/ptest`, [{ op: 'replace', path: '/data/a', value: '2' }, { op: 'test', path: '/data/a', value: '1' }], 'application/json-patch+json');
    expect(t.status).toBe(422);
    expect((await call(s.url, 'GET', `${CM}/ptest`)).body.data).toEqual({ a: '1' });
    await call(s.url, 'PATCH', `${CM}/ptest`, { data: { a: '5' } }, 'application/merge-patch+json');
    const stale = await call(s.url, 'PATCH', `${CM}/ptest`, { metadata: { resourceVersion: c.metadata?.resourceVersion }, data: { a: '6' } }, 'application/merge-patch+json');
    expect(stale.status).toBe(409);
  });

  it('an unknown patch content type is 415', async () => {
    expect((await call(s.url, 'PATCH', `${CM}/ptest`, {}, 'text/plain')).status).toBe(415);
  });
});

describe('delete and finalizers', () => {
  it('a Deployment DELETE answers with a Success Status; a custom resource DELETE with the object', async () => {
    await call(s.url, 'POST', DEP, deployment('del'));
    const d = await call(s.url, 'DELETE', `${DEP}/del`);
    expect(d.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del', group: 'apps', kind: 'deployments' } });
    await call(s.url, 'POST', SO, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'sodel' }, spec: {} });
    expect((await call(s.url, 'DELETE', `${SO}/sodel`)).body).toMatchObject({ kind: 'ScaledObject', metadata: { name: 'sodel' } });
  });

  it('finalizers hold the object with deletionTimestamp until the last one is removed; none may be added meanwhile', async () => {
    await call(s.url, 'POST', CM, { metadata: { name: 'fin', finalizers: ['a.example/x', 'b.example/y'] } });
    const del = await call(s.url, 'DELETE', `${CM}/fin`);
    expect(del.body.metadata?.deletionTimestamp).toBeDefined();
    const held = await call(s.url, 'GET', `${CM}/fin`);
    expect(held.status).toBe(200);
    const add = await call(s.url, 'PATCH', `${CM}/fin`, { metadata: { finalizers: ['a.example/x', 'b.example/y', 'c.example/z'] } }, 'application/merge-patch+json');
    expect(add.status).toBe(422);
    await call(s.url, 'PATCH', `${CM}/fin`, { metadata: { finalizers: ['b.example/y'] } }, 'application/merge-patch+json');
    expect((await call(s.url, 'GET', `${CM}/fin`)).status).toBe(200);
    await call(s.url, 'PATCH', `${CM}/fin`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect((await call(s.url, 'GET', `${CM}/fin`)).status).toBe(404);
  });

  it('a uid precondition that does not match is 409', async () => {
    await call(s.url, 'POST', CM, { metadata: { name: 'pre' } });
    const r = await call(s.url, 'DELETE', `${CM}/pre`, { preconditions: { uid: 'not-it' } });
    expect(r.status).toBe(409);
    expect((await call(s.url, 'GET', `${CM}/pre`)).status).toBe(200);
  });

  it('creating in a terminating namespace is 403', async () => {
    await call(s.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'doomed', finalizers: ['hold.example/x'] } });
    await call(s.url, 'DELETE', '/api/v1/namespaces/doomed');
    const ns = await call(s.url, 'GET', '/api/v1/namespaces/doomed');
    expect(ns.body.status).toEqual({ phase: 'Terminating' });
    const r = await call(s.url, 'POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'x' } });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('configmaps "x" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  });
});
