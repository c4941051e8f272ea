import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call } from './http-client.js';

let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false }); });
afterAll(async () => { await s.stop(); });

type Res = { name: string; kind: string; namespaced: boolean; verbs: string[]; shortNames?: string[]; group?: string; version?: string };
const resources = async (path: string): Promise<Res[]> => (await call(s.url, 'GET', path)).body.resources as Res[];

describe('discovery', () => {
  it('/version reports a 1.31 server; /api lists v1', async () => {
    expect((await call(s.url, 'GET', '/version')).body).toMatchObject({ major: '1', minor: '31' });
    expect((await call(s.url, 'GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('/apis lists built-in groups and the KEDA CRD group with preferred versions', async () => {
    const body = (await call(s.url, 'GET', '/apis')).body as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
    expect(body.kind).toBe('APIGroupList');
    const preferred = Object.fromEntries(body.groups.map((g) => [g.name, g.preferredVersion.groupVersion]));
    expect(preferred).toMatchObject({
      apps: 'apps/v1', batch: 'batch/v1', autoscaling: 'autoscaling/v2', 'coordination.k8s.io': 'coordination.k8s.io/v1',
      'events.k8s.io': 'events.k8s.io/v1', 'apiextensions.k8s.io': 'apiextensions.k8s.io/v1', 'keda.sh': 'keda.sh/v1alpha1',
    });
  });

  it.each([
    ['/api/v1', 'namespaces', { kind: 'Namespace', namespaced: false, shortNames: ['ns'] }],
    ['/api/v1', 'pods', { kind: 'Pod', namespaced: true, shortNames: ['po'] }],
    ['/api/v1', 'secrets', { kind: 'Secret', namespaced: true }],
    ['/apis/apps/v1', 'deployments', { kind: 'Deployment', shortNames: ['deploy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }],
    ['/apis/apps/v1', 'deployments/scale', { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }],
    ['/apis/apps/v1', 'statefulsets/scale', { kind: 'Scale' }],
    ['/apis/autoscaling/v2', 'horizontalpodautoscalers', { kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'] }],
    ['/apis/coordination.k8s.io/v1', 'leases', { kind: 'Lease' }],
    ['/apis/keda.sh/v1alpha1', 'scaledobjects', { kind: 'ScaledObject', namespaced: true, shortNames: ['so'] }],
    ['/apis/keda.sh/v1alpha1', 'scaledobjects/status', { kind: 'ScaledObject', verbs: ['get', 'patch', 'update'] }],
    ['/apis/keda.sh/v1alpha1', 'clustertriggerauthentications', { kind: 'ClusterTriggerAuthentication', namespaced: false }],
  ])('%s serves %s', async (path, name, want) => {
    expect((await resources(path)).find((r) => r.name === name)).toMatchObject(want);
  });

  it('unknown groups and versions are 404', async () => {
    expect((await call(s.url, 'GET', '/apis/nope.example/v1')).status).toBe(404);
    expect((await call(s.url, 'GET', '/apis/nope.example/v1/namespaces/default/things')).status).toBe(404);
  });
});

describe('CRDs registered through the API', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size', labelSelectorPath: '.status.selector' } } }],
    },
  };

  it('POSTing a CRD serves its resource at once, marks it Established, and deleting it removes both', async () => {
    expect((await call(s.url, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    const got = await call(s.url, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    expect((got.body.status as { conditions: { type: string; status: string }[] }).conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
    expect((await resources('/apis/example.com/v1')).map((r) => r.name)).toEqual(['widgets', 'widgets/status', 'widgets/scale']);
    const w = await call(s.url, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 2 } });
    expect(w.status).toBe(201);
    await call(s.url, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    expect((await call(s.url, 'GET', '/apis/example.com/v1')).status).toBe(404);
    expect((await call(s.url, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w1')).status).toBe(404);
  });

  it('a CRD whose name is not <plural>.<group> is 422', async () => {
    const r = await call(s.url, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { ...crd, metadata: { name: 'wrong.example.com' } });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('must be spec.names.plural+"."+spec.group');
  });
});
