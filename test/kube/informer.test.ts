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

  test('a resume from a resourceVersion older than the server keeps (410 Gone) relists and replays the difference', async () => {
    // A server that remembers only 5 events; the informer watches labelled objects only and gets no
    // bookmarks, so its resourceVersion stays at the last labelled change while others pile up.
    const small = await startFakeApiServer({ builtinControllers: false, historySize: 5, bookmarkIntervalMs: 3_600_000 });
    const smallApi = new KubeApi(loadClientConfig({ kubeconfigYaml: small.kubeconfig }), { qps: 0 });
    const labelled = (name: string) => ({ ...configMap(name, '1'), metadata: { name, namespace: 'default', labels: { watched: 'yes' } } });
    small.cluster.create(labelled('first'));
    small.cluster.create(labelled('gone-while-away'));
    const informer = new Informer(smallApi, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', labelSelector: 'watched=yes', watchTimeoutSeconds: 1 });
    const seen: [InformerEventType, string][] = [];
    informer.onChange((type, object) => seen.push([type, object.metadata.name ?? '']));
    informer.start();
    await informer.synced;
    try {
      for (let i = 0; i < 20; i++) small.cluster.create(configMap(`noise-${i}`, '1'));
      // Outside the watch's reach until it resumes: the resume is too old, so the relist must find these.
      await until(() => informer.lists >= 2 || seen.length > 2);
      small.cluster.create(labelled('after'));
      small.cluster.delete('v1', 'ConfigMap', 'default', 'gone-while-away');
      await until(() => informer.get('default', 'after') !== undefined && informer.get('default', 'gone-while-away') === undefined);
      expect(informer.lists).toBeGreaterThanOrEqual(2);
      expect(informer.list().map((o) => o.metadata.name).sort()).toEqual(['after', 'first']);
      expect(seen.filter(([, name]) => name.startsWith('noise'))).toEqual([]);
    } finally {
      informer.stop();
      await small.stop();
    }
  });
});
