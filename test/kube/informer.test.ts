import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeApi } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { Informer, type InformerEventType } from '../../src/kube/informer.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';

let server: FakeApiServer;
let api: KubeApi;

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
  api = new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
});
afterAll(async () => { await server.stop(); });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

const configMap = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } });

describe('Informer', () => {
  test('lists, then follows the watch: adds, updates and deletes reach the cache and the handlers in order', async () => {
    server.cluster.create(configMap('before', '1'));
    const informer = new Informer(api, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default' });
    const seen: [InformerEventType, string][] = [];
    informer.onChange((type, object) => seen.push([type, object.metadata.name ?? '']));
    informer.start();
    await informer.synced;
    expect(informer.get('default', 'before')?.['data']).toEqual({ value: '1' });
    server.cluster.create(configMap('after', '1'));
    const stored = server.cluster.get('v1', 'ConfigMap', 'default', 'before');
    server.cluster.update({ ...configMap('before', '2'), metadata: { ...configMap('before', '2').metadata, resourceVersion: stored?.metadata.resourceVersion ?? '' } });
    server.cluster.delete('v1', 'ConfigMap', 'default', 'after');
    await until(() => seen.length >= 4);
    informer.stop();
    expect(seen).toEqual([['added', 'before'], ['added', 'after'], ['updated', 'before'], ['deleted', 'after']]);
    expect(informer.get('default', 'before')?.['data']).toEqual({ value: '2' });
    expect(informer.lists).toBe(1);
  });
});
