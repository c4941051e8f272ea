import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { openApiV2Protobuf } from '../../../src/kube/testing/openapi.js';

let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false }); });
afterAll(async () => { await s.stop(); });

type Op = { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': { group: string; version: string; kind: string } };
const json = async (path: string, accept = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await fetch(s.url + path, { headers: { accept } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('/openapi/v3', () => {
  it('indexes every served group-version, CRD groups included, with hashed URLs', async () => {
    const paths = (await json('/openapi/v3')).body.paths as Record<string, { serverRelativeURL: string }>;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/keda.sh/v1alpha1', 'apis/autoscaling/v2']));
    expect(paths['apis/apps/v1']?.serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{64}$/);
  });

  it('a group-version document has the PATCH of each kind with its GVK and the fieldValidation query parameter (what kubectl checks)', async () => {
    const doc = (await json('/openapi/v3/apis/keda.sh/v1alpha1')).body;
    const paths = doc.paths as Record<string, Record<string, Op>>;
    const patch = paths['/apis/keda.sh/v1alpha1/namespaces/{namespace}/scaledobjects/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject' });
    expect(patch?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'fieldValidation', in: 'query' }), expect.objectContaining({ name: 'force', in: 'query' })]));
    expect(paths['/apis/keda.sh/v1alpha1/namespaces/{namespace}/scaledobjects/{name}/status']).toBeDefined();
    expect(doc.openapi).toBe('3.0.0');
    expect(Object.keys((doc.components as { schemas: object }).schemas)).toContain('sh.keda.v1alpha1.ScaledObject');
  });

  it('the scale subresource is described as autoscaling/v1 Scale; unknown group-versions are 404', async () => {
    const paths = (await json('/openapi/v3/apis/apps/v1')).body.paths as Record<string, Record<string, Op>>;
    expect(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect((await json('/openapi/v3/apis/nope/v1')).status).toBe(404);
  });
});

describe('/openapi/v2', () => {
  it('answers JSON with swagger 2.0 and cluster-scoped paths without a namespace segment', async () => {
    const doc = (await json('/openapi/v2')).body;
    expect(doc.swagger).toBe('2.0');
    expect(Object.keys(doc.paths as object)).toContain('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}');
  });

  it('answers protobuf when asked: a gnostic Document with swagger "2.0" (field 1) and info (field 2)', async () => {
    const r = await fetch(`${s.url}/openapi/v2`, { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(r.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes.equals(openApiV2Protobuf())).toBe(true);
    // 0x0a = field 1, wire type 2; length 3; "2.0"; then 0x12 = field 2, wire type 2.
    expect([...bytes.subarray(0, 6)]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30, 0x12]);
    expect(bytes.toString('utf8')).toContain('Kubernetes');
  });
});
