// Legacy discovery documents: /version, /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>,
// shaped as kube-apiserver 1.31 serves them (kubectl and client-node RESTMappers read these).

import type { FakeCluster } from './cluster.js';
import { type ResourceType } from './types.js';

export const KUBE_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0-tide-fake' };

/** /version. */
export function versionInfo(): Record<string, string> {
  return {
    ...KUBE_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T00:00:00Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** The APIResource entries of one type: the resource and its status/scale subresources. */
function resourceEntries(t: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
  if (t.shortNames.length > 0) main.shortNames = t.shortNames;
  if (t.categories.length > 0) main.categories = t.categories;
  const out = [main];
  if (t.subresources.status) out.push({ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
  if (t.subresources.scale) out.push({ name: `${t.resource}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  if (t.group === '' && t.resource === 'namespaces') out.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
  return out;
}

/** APIResourceList of a group/version, or undefined when nothing is served there. */
export function resourceList(cluster: FakeCluster, group: string, version: string): Record<string, unknown> | undefined {
  const types = cluster.registry.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources: types.flatMap(resourceEntries) };
}

/** /api. */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** One APIGroup document. */
function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: gvs, preferredVersion: gvs[0] };
}

/** /apis. */
export function groupList(cluster: FakeCluster): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: cluster.registry.groups().map((g) => apiGroup(g.name, g.versions)) };
}

/** /apis/<group>, or undefined when unknown. */
export function groupInfo(cluster: FakeCluster, name: string): Record<string, unknown> | undefined {
  const g = cluster.registry.groups().find((x) => x.name === name);
  return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.name, g.versions) };
}

/**
 * The aggregated discovery version an Accept header asks for (kubectl 1.30+ and client-go send
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`, then v2beta1, then plain
 * JSON), or undefined for the legacy documents. The first acceptable media range wins.
 */
export function aggregatedVersion(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const range of accept.split(',')) {
    const [media = '', ...params] = range.split(';').map((p) => p.trim());
    const p = new Map(params.map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)] as const));
    if (media === 'application/json' && p.get('g') === 'apidiscovery.k8s.io' && p.get('as') === 'APIGroupDiscoveryList') {
      const v = p.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    } else if ((media === 'application/json' || media === '*/*' || media === 'application/*') && !p.has('as')) return undefined;
  }
  return undefined;
}

/** One APIResourceDiscovery entry, with its status and scale subresources. */
function discoveredResource(t: ResourceType): Record<string, unknown> {
  const out: Record<string, unknown> = {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length > 0) out.shortNames = t.shortNames;
  if (t.categories.length > 0) out.categories = t.categories;
  const subs: Record<string, unknown>[] = [];
  if (t.subresources.scale) subs.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  if (t.subresources.status) subs.push({ subresource: 'status', responseKind: { group: t.group, version: t.version, kind: t.kind }, verbs: ['get', 'patch', 'update'] });
  if (t.group === '' && t.resource === 'namespaces') subs.push({ subresource: 'finalize', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] });
  if (subs.length > 0) out.subresources = subs;
  return out;
}

/** The APIGroupDiscoveryList of /api (core) or /apis (every named group, versions by preference). */
export function aggregatedDiscovery(cluster: FakeCluster, core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = core ? [{ name: '', versions: ['v1'] }] : cluster.registry.groups();
  const items = groups.map((g) => ({
    metadata: g.name === '' ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: cluster.registry.all().filter((t) => t.group === g.name && t.version === v).sort((a, b) => (a.resource < b.resource ? -1 : 1)).map(discoveredResource),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
