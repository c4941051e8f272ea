import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, type KubeObject, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call, eventually } from './http-client.js';

let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer(); });
afterAll(async () => { await s.stop(); });

const CM = '/api/v1/namespaces/default/configmaps';
const owned = (name: string, owner: KubeObject, extra: Record<string, unknown> = {}) => ({
  metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, ...extra }] },
});
const create = async (body: unknown): Promise<KubeObject> => (await call(s.url, 'POST', CM, body)).body as unknown as KubeObject;
const exists = async (name: string): Promise<boolean> => (await call(s.url, 'GET', `${CM}/${name}`)).status === 200;

describe('garbage collection', () => {
  it('background: deleting the owner deletes its dependents, and theirs in turn', async () => {
    const owner = await create({ metadata: { name: 'bg-owner' } });
    const child = await create(owned('bg-child', owner));
    await create(owned('bg-grandchild', child));
    await call(s.url, 'DELETE', `${CM}/bg-owner`);
    await eventually(async () => ((await exists('bg-child')) || (await exists('bg-grandchild')) ? undefined : true));
  });

  it('a dependent with one live owner left only loses the dangling reference', async () => {
    const a = await create({ metadata: { name: 'two-a' } });
    const b = await create({ metadata: { name: 'two-b' } });
    await create({ metadata: { name: 'two-child', ownerReferences: [...owned('', a).metadata.ownerReferences, ...owned('', b).metadata.ownerReferences] } });
    await call(s.url, 'DELETE', `${CM}/two-a`);
    const refs = await eventually(async () => {
      const c = (await call(s.url, 'GET', `${CM}/two-child`)).body as unknown as KubeObject;
      const r = c.metadata.ownerReferences ?? [];
      return r.length === 1 ? r : undefined;
    });
    expect(refs[0]?.name).toBe('two-b');
  });

  it('a dependent created for an owner that does not exist is collected', async () => {
    await create({ metadata: { name: 'orphaned-at-birth', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never', uid: '00000000-0000-0000-0000-000000000000' }] } });
    await eventually(async () => ((await exists('orphaned-at-birth')) ? undefined : true));
  });

  it('orphan: dependents stay and lose the owner reference; the owner goes', async () => {
    const owner = await create({ metadata: { name: 'or-owner' } });
    await create(owned('or-child', owner));
    await call(s.url, 'DELETE', `${CM}/or-owner`, { propagationPolicy: 'Orphan' });
    await eventually(async () => ((await exists('or-owner')) ? undefined : true));
    const child = (await call(s.url, 'GET', `${CM}/or-child`)).body as unknown as KubeObject;
    expect(child.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('foreground: the owner stays with deletionTimestamp until blocking dependents are gone', async () => {
    const owner = await create({ metadata: { name: 'fg-owner' } });
    await create({ metadata: { ...owned('fg-child', owner, { blockOwnerDeletion: true }).metadata, finalizers: ['hold.example/x'] } });
    const del = await call(s.url, 'DELETE', `${CM}/fg-owner`, { propagationPolicy: 'Foreground' });
    expect(del.body.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await eventually(async () => ((await call(s.url, 'GET', `${CM}/fg-child`)).body.metadata?.deletionTimestamp !== undefined ? true : undefined));
    expect(await exists('fg-owner')).toBe(true);
    await call(s.url, 'PATCH', `${CM}/fg-child`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await eventually(async () => ((await exists('fg-owner')) ? undefined : true));
  });

  it('a batch/v1 Job deleted without a policy orphans its pods, as on a real cluster', async () => {
    const job = (await call(s.url, 'POST', '/apis/batch/v1/namespaces/default/jobs', {
      metadata: { name: 'orphaning-job', annotations: { 'fake.tide.dev/duration-ms': '60000' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
    })).body as unknown as KubeObject;
    await call(s.url, 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'job-pod', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'orphaning-job', uid: job.metadata.uid }] }, spec: { containers: [] } });
    await call(s.url, 'DELETE', '/apis/batch/v1/namespaces/default/jobs/orphaning-job');
    await eventually(async () => ((await call(s.url, 'GET', '/apis/batch/v1/namespaces/default/jobs/orphaning-job')).status === 404 ? true : undefined));
    const pod = await call(s.url, 'GET', '/api/v1/namespaces/default/pods/job-pod');
    expect(pod.status).toBe(200);
    expect(pod.body.metadata?.ownerReferences ?? []).toEqual([]);
  });
});
