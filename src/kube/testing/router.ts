// Parses apiserver URLs into the resource request they address:
//   /api/v1/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]
//   /apis/{group}/{version}/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]
// plus the deprecated /watch/ prefix. `namespaces/{name}/status|finalize` is the namespace itself.

/** One request against a resource. */
export interface ResourcePath {
  group: string;
  version: string;
  /** Empty for cluster-scoped requests and for lists across all namespaces. */
  namespace: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Came through the legacy /watch/ prefix. */
  watchPrefix: boolean;
}

/** The request a path addresses, or undefined when it is not a resource path (discovery, health). */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const segs = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else return undefined;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  const isNamespaceSub = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && isNamespaceSub)) {
    namespace = rest[1] ?? '';
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return undefined;
  const out: ResourcePath = { group, version, namespace, resource, watchPrefix };
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  return out;
}
