// KubernetesScaleTarget on the fake API server: /scale for any kind, workload sizes from the
// operator's informer cache (no GET per poll), and a write that the cache has not seen yet still
// read back as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApi } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import { sizeOnly, WorkloadCache } from '../../src/operator/workload-cache.js';
import { KubernetesScaleTarget } from '../../src/targets/kubernetes-scale.js';
import { waitFor } from '../e2e/cluster.js';

let server: FakeApiServer;
let api: KubeApi;
let cache: WorkloadCache;

beforeAll(async () => {
  // Pods never turn ready here: readyReplicas stays 0, so only spec.replicas moves.
  server = await startFakeApiServer({ podStartDelayMs: 3_600_000 });
  api = new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0, burst: 0 });
  cache = new WorkloadCache(api, 'default', () => () => undefined);
  cache.start();
  await cache.synced;
});

afterAll(async () => {
  cache.stop();
  await server.stop();
});

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'w', image: 'w:1' }] } } },
  };
}

const gets = (): number => api.requests.get('GET') ?? 0;
const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name });

describe('KubernetesScaleTarget', () => {
  it('reads a cached Deployment without a request, and a write before the cache has seen it as written', async () => {
    server.cluster.create(deployment('cached', 2));
    await waitFor(() => cache.read('apps/v1', 'Deployment', 'default', 'cached'), (o) => o !== undefined, 'the cache to see the Deployment', 10_000);
    const target = new KubernetesScaleTarget(api, ref('cached'), cache);
    const before = gets();
    expect(await target.getReplicas()).toEqual({ replicas: 2, readyReplicas: 0 });
    expect(gets()).toBe(before);

    await target.setReplicas(5, 'test');
    // Whether or not the watch event has arrived, the next read says 5.
    expect((await target.getReplicas()).replicas).toBe(5);
    await waitFor(() => (cache.read('apps/v1', 'Deployment', 'default', 'cached') as KubeObject | undefined)?.spec, (s) => (s as { replicas?: number }).replicas === 5, 'the cache to see the write', 10_000);
    expect((await target.getReplicas()).replicas).toBe(5);

    // A change by someone else (kubectl scale) shows through the cache.
    server.cluster.update({ ...server.cluster.get('apps/v1', 'Deployment', 'default', 'cached') as KubeObject, spec: { ...deployment('cached', 1).spec as object, replicas: 1 } });
    await waitFor(() => target.getReplicas(), (s) => s.replicas === 1, 'the outside change', 10_000);
    expect(gets()).toBe(before);
  });

  it('asks the API server for a workload the cache has not seen, and for kinds it does not hold', async () => {
    const uncached = new KubernetesScaleTarget(api, ref('not-yet'), { read: () => undefined });
    server.cluster.create(deployment('not-yet', 3));
    const before = gets();
    expect((await uncached.getReplicas()).replicas).toBe(3);
    expect(gets()).toBe(before + 1);

    server.cluster.create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default' }, spec: { replicas: 4, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'w', image: 'w:1' }] } } } });
    const rs = new KubernetesScaleTarget(api, { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'rs' }, cache);
    expect((await rs.getReplicas()).replicas).toBe(4);
    expect(gets()).toBe(before + 2);
  });

  it('a missing target is an error naming it', async () => {
    await expect(new KubernetesScaleTarget(api, ref('missing'), cache).getReplicas()).rejects.toThrow('Deployment default/missing not found');
  });

  it('keeps only what a size needs', () => {
    const trimmed = sizeOnly({ ...deployment('x', 2), metadata: { name: 'x', namespace: 'default', resourceVersion: '7', managedFields: [{ manager: 'kubectl' }], annotations: { a: 'b' } }, status: { replicas: 2, readyReplicas: 1, conditions: [] } });
    expect(trimmed).toEqual({ metadata: { name: 'x', namespace: 'default', resourceVersion: '7' }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 1 } });
  });
});
