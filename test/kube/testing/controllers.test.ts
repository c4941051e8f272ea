import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, type KubeObject, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call, eventually } from './http-client.js';

// Pods turn Ready 150 ms after creation; Jobs run 100 ms once their pod runs.
const POD_START_MS = 150;
let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer({ podStartDelayMs: POD_START_MS, jobDurationMs: 100, kedaCrds: false }); });
afterAll(async () => { await s.stop(); });

const podsOf = async (selector: string, ns = 'default'): Promise<KubeObject[]> =>
  ((await call(s.url, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).body.items ?? []) as unknown as KubeObject[];
const get = async (path: string): Promise<KubeObject & { status?: Record<string, unknown> }> => (await call(s.url, 'GET', path)).body as unknown as KubeObject;

const workload = (kind: 'Deployment' | 'StatefulSet', name: string, replicas: number) => ({
  apiVersion: 'apps/v1', kind, metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, team: 'tide' } }, spec: { containers: [{ name: 'main', image: 'busybox', env: [{ name: 'QUEUE', value: 'orders' }] }] } },
  },
});

describe('Deployment', () => {
  const D = '/apis/apps/v1/namespaces/default/deployments';

  it('spec.replicas 3 → a ReplicaSet → 3 pods with the template labels and env → ready replicas only after the start delay', async () => {
    const started = Date.now();
    await call(s.url, 'POST', D, workload('Deployment', 'web', 3));
    const pods = await eventually(async () => { const p = await podsOf('app=web'); return p.length === 3 ? p : undefined; });
    for (const p of pods) {
      expect(p.metadata.labels).toMatchObject({ app: 'web', team: 'tide', 'pod-template-hash': expect.stringMatching(/^[a-z0-9]{10}$/) as unknown });
      expect((p.spec as { containers: { env: unknown }[] }).containers[0]?.env).toEqual([{ name: 'QUEUE', value: 'orders' }]);
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    }
    const early = await get(`${D}/web`);
    expect(early.status?.readyReplicas).toBeUndefined();
    const ready = await eventually(async () => { const d = await get(`${D}/web`); return d.status?.readyReplicas === 3 ? d : undefined; });
    expect(Date.now() - started).toBeGreaterThanOrEqual(POD_START_MS);
    expect(ready.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(ready.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }));
  });

  it('scaling through /scale to 1 removes two pods; Scale status.replicas follows', async () => {
    await call(s.url, 'PATCH', `${D}/web/scale`, { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await eventually(async () => ((await get(`${D}/web/scale`)).status?.replicas === 1 ? true : undefined));
    expect(await podsOf('app=web')).toHaveLength(1);
  });

  it('scaled to 0 the status replica counts are omitted, as the API omits zero values', async () => {
    await call(s.url, 'PATCH', `${D}/web/scale`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
    const d = await eventually(async () => { const x = await get(`${D}/web`); return x.status?.replicas === undefined && x.status?.observedGeneration === 3 ? x : undefined; });
    expect(d.status?.readyReplicas).toBeUndefined();
    expect(await podsOf('app=web')).toHaveLength(0);
  });

  it('a template change makes a second ReplicaSet and scales the first to 0', async () => {
    await call(s.url, 'PATCH', `${D}/web`, { spec: { replicas: 1, template: { metadata: { labels: { app: 'web', team: 'tide', v: '2' } } } } }, 'application/strategic-merge-patch+json');
    const sets = await eventually(async () => {
      const l = ((await call(s.url, 'GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb')).body.items ?? []) as unknown as KubeObject[];
      return l.length === 2 ? l : undefined;
    });
    expect(sets.map((rs) => (rs.spec as { replicas: number }).replicas).sort()).toEqual([0, 1]);
    await eventually(async () => ((await podsOf('app=web,v=2')).length === 1 ? true : undefined));
  });

  it('deleting the Deployment garbage-collects its ReplicaSets and pods', async () => {
    await call(s.url, 'DELETE', `${D}/web`);
    await eventually(async () => ((await podsOf('app=web')).length === 0 ? true : undefined));
  });
});

describe('StatefulSet', () => {
  it('creates ordinals 0,1,2 in order (each after the previous is Ready) and reports readyReplicas', async () => {
    await call(s.url, 'POST', '/apis/apps/v1/namespaces/default/statefulsets', workload('StatefulSet', 'db', 3));
    const first = await eventually(async () => { const p = await podsOf('app=db'); return p.length > 0 ? p : undefined; });
    expect(first.map((p) => p.metadata.name)).toEqual(['db-0']);
    const sts = await eventually(async () => { const x = await get('/apis/apps/v1/namespaces/default/statefulsets/db'); return x.status?.readyReplicas === 3 ? x : undefined; }, 5000);
    expect(sts.status).toMatchObject({ replicas: 3, availableReplicas: 3 });
    expect((await podsOf('app=db')).map((p) => p.metadata.name)).toEqual(['db-0', 'db-1', 'db-2']);
  });
});

describe('Job', () => {
  const J = '/apis/batch/v1/namespaces/default/jobs';
  const job = (name: string, annotations: Record<string, string> = {}) => ({
    metadata: { name, annotations }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
  });

  it('runs a pod labelled with the job name and completes with a Complete condition', async () => {
    await call(s.url, 'POST', J, job('once'));
    const done = await eventually(async () => { const j = await get(`${J}/once`); return j.status?.completionTime !== undefined ? j : undefined; });
    expect(done.status).toMatchObject({ succeeded: 1 });
    expect(done.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Complete', status: 'True' }));
    const pods = await podsOf('batch.kubernetes.io/job-name=once');
    expect(pods.map((p) => (p.status as { phase: string }).phase)).toEqual(['Succeeded']);
  });

  it('fails on demand through the fake.tide.dev/fail annotation', async () => {
    await call(s.url, 'POST', J, job('doomed', { 'fake.tide.dev/duration-ms': '60000' }));
    await eventually(async () => ((await get(`${J}/doomed`)).status?.active === 1 ? true : undefined));
    await call(s.url, 'PATCH', `${J}/doomed`, { metadata: { annotations: { 'fake.tide.dev/fail': 'true' } } }, 'application/merge-patch+json');
    const failed = await eventually(async () => { const j = await get(`${J}/doomed`); return j.status?.failed === 1 ? j : undefined; });
    expect(failed.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }));
    expect(failed.status?.active).toBeUndefined();
  });
});

describe('Namespace deletion', () => {
  it('deletes the content, then the namespace', async () => {
    await call(s.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'temp' } });
    await call(s.url, 'POST', '/api/v1/namespaces/temp/configmaps', { metadata: { name: 'a' } });
    await call(s.url, 'DELETE', '/api/v1/namespaces/temp');
    await eventually(async () => ((await call(s.url, 'GET', '/api/v1/namespaces/temp')).status === 404 ? true : undefined));
    expect((await call(s.url, 'GET', '/api/v1/namespaces/temp/configmaps/a')).status).toBe(404);
  });
});
