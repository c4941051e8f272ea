import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';

let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false }); });
afterAll(async () => { await s.stop(); });

// What kubectl 1.30+ (client-go discovery) sends for /api and /apis.
const KUBECTL_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json;q=0.9';

interface Resource { resource: string; scope: string; responseKind: Record<string, string>; shortNames?: string[]; subresources?: { subresource: string; responseKind: Record<string, string> }[] }
interface Group { metadata: { name?: string }; versions: { version: string; freshness: string; resources: Resource[] }[] }

async function get(path: string, accept: string): Promise<{ type: string; body: { kind: string; apiVersion?: string; items?: Group[] } }> {
  const r = await fetch(s.url + path, { headers: { accept } });
  return { type: r.headers.get('content-type') ?? '', body: (await r.json()) as { kind: string; items?: Group[] } };
}

function resource(list: { items?: Group[] }, group: string, version: string, name: string): Resource | undefined {
  return list.items?.find((g) => (g.metadata.name ?? '') === group)?.versions.find((v) => v.version === version)?.resources.find((r) => r.resource === name);
}

describe('aggregated discovery', () => {
  it('/apis answers an APIGroupDiscoveryList with the media type kubectl asked for', async () => {
    const r = await get('/apis', KUBECTL_ACCEPT);
    expect(r.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(r.body).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(resource(r.body, 'apps', 'v1', 'deployments')).toEqual({
      resource: 'deployments', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, scope: 'Namespaced', singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'],
      subresources: [
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    expect(resource(r.body, 'keda.sh', 'v1alpha1', 'scaledobjects')).toMatchObject({ scope: 'Namespaced', shortNames: ['so'] });
    expect(resource(r.body, 'keda.sh', 'v1alpha1', 'clustertriggerauthentications')).toMatchObject({ scope: 'Cluster' });
    expect(r.body.items?.find((g) => g.metadata.name === 'apps')?.versions[0]?.freshness).toBe('Current');
  });

  it('/api lists the core group; v2beta1 is served when only it is asked for', async () => {
    const r = await get('/api', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    expect(r.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    expect(r.body.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(r.body.items).toHaveLength(1);
    expect(resource(r.body, '', 'v1', 'pods')).toMatchObject({ scope: 'Namespaced', responseKind: { group: '', version: 'v1', kind: 'Pod' } });
    expect(resource(r.body, '', 'v1', 'namespaces')?.scope).toBe('Cluster');
  });

  it('plain JSON still gets the legacy documents', async () => {
    expect((await get('/apis', 'application/json')).body.kind).toBe('APIGroupList');
    expect((await get('/api', 'application/json, */*')).body.kind).toBe('APIVersions');
  });
});
