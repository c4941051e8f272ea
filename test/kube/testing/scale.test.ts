import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call } from './http-client.js';

let s: FakeApiServer;
beforeAll(async () => {
  s = await startFakeApiServer({
    builtinControllers: false,
    crds: [{
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'workers.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'workers', kind: 'Worker' },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {}, scale: { specReplicasPath: '.spec.count', statusReplicasPath: '.status.count', labelSelectorPath: '.status.selector' } } }] },
    }],
  });
});
afterAll(async () => { await s.stop(); });

const DEP = '/apis/apps/v1/namespaces/default/deployments';

describe('scale subresource', () => {
  it('a Deployment reads as autoscaling/v1 Scale with the formatted selector, and writes spec.replicas', async () => {
    await call(s.url, 'POST', DEP, {
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', tier: 'f' } }, template: { metadata: { labels: { app: 'web', tier: 'f' } }, spec: { containers: [] } } },
    });
    const scale = await call(s.url, 'GET', `${DEP}/web/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=web,tier=f' } });
    const patched = await call(s.url, 'PATCH', `${DEP}/web/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    expect(patched.body.spec).toEqual({ replicas: 5 });
    const d = await call(s.url, 'GET', `${DEP}/web`);
    expect(d.body).toMatchObject({ spec: { replicas: 5 }, metadata: { generation: 2 } });
  });

  it('a PUT of a Scale with a stale resourceVersion is 409; negative replicas are 422', async () => {
    const scale = (await call(s.url, 'GET', `${DEP}/web/scale`)).body;
    await call(s.url, 'PUT', `${DEP}/web/scale`, { ...scale, spec: { replicas: 1 } });
    expect((await call(s.url, 'PUT', `${DEP}/web/scale`, { ...scale, spec: { replicas: 4 } })).status).toBe(409);
    const bad = await call(s.url, 'PATCH', `${DEP}/web/scale`, { spec: { replicas: -1 } }, 'application/merge-patch+json');
    expect(bad.status).toBe(422);
  });

  it('a CRD declaring a scale subresource maps its own paths', async () => {
    const W = '/apis/example.com/v1/namespaces/default/workers';
    await call(s.url, 'POST', W, { apiVersion: 'example.com/v1', kind: 'Worker', metadata: { name: 'w' }, spec: { count: 3 } });
    await call(s.url, 'PATCH', `${W}/w/status`, { status: { count: 2, selector: 'app=w' } }, 'application/merge-patch+json');
    expect((await call(s.url, 'GET', `${W}/w/scale`)).body).toMatchObject({ spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=w' } });
    await call(s.url, 'PATCH', `${W}/w/scale`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
    expect((await call(s.url, 'GET', `${W}/w`)).body.spec).toEqual({ count: 0 });
  });

  it('a resource without a scale subresource answers 404 on /scale', async () => {
    await call(s.url, 'POST', '/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'so' }, spec: {} });
    expect((await call(s.url, 'GET', '/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects/so/scale')).status).toBe(404);
  });
});
