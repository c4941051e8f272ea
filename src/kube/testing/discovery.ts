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
