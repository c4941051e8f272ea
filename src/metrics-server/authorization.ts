// Whether a user may make a request, decided as k8s.io/apiserver's delegating authorizer decides it:
// the request's attributes (its RequestInfo: a resource request under /apis/<group>/<version>/…, or a
// non-resource path such as /apis/external.metrics.k8s.io), then, in order, the always-allowed paths
// (--authorization-always-allow-paths), the always-allowed group system:masters, and a
// SubjectAccessReview (authorization.k8s.io/v1) to the API server, whose answers are cached
// (allowed and denied each for 10 s by default). A metric request
// GET /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric> names no object, so its verb is
// `list` and its resource the metric's name.
import type { KubeRequester } from './authentication-config.js';
import type { UserInfo } from './authentication.js';
import { TtlCache } from './ttl-cache.js';

export type RequestAttributes =
  | { readonly kind: 'resource'; readonly verb: string; readonly group: string; readonly version: string; readonly resource: string; readonly subresource: string; readonly namespace: string; readonly name: string }
  | { readonly kind: 'nonResource'; readonly verb: string; readonly path: string };

const METHOD_VERBS: Readonly<Record<string, string>> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** RequestInfoFactory's reading of a request (prefixes api and apis). */
export function requestAttributes(method: string, pathname: string, query: URLSearchParams): RequestAttributes {
  const nonResource: RequestAttributes = { kind: 'nonResource', verb: method.toLowerCase(), path: pathname };
  let parts = pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  let group = '';
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    group = parts[1] ?? '';
    parts = parts.slice(2);
  } else parts = parts.slice(1);
  const version = parts[0] ?? '';
  parts = parts.slice(1);
  let verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    verb = parts[0];
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1] ?? '';
    if (parts.length > 2 && parts[2] !== 'status' && parts[2] !== 'finalize') parts = parts.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = parts.map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  if (name === '' && verb === 'get') verb = query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  return { kind: 'resource', verb, group, version, resource, subresource: verb === 'proxy' ? '' : subresource, namespace, name };
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

export interface AuthorizerOptions {
  /** Where SubjectAccessReviews go. */
  readonly api: KubeRequester;
  /** Non-resource paths allowed to anyone; a trailing `*` is a prefix. Default /healthz, /readyz, /livez. */
  readonly alwaysAllowPaths?: readonly string[];
  /** Default system:masters. */
  readonly alwaysAllowGroups?: readonly string[];
  /** --authorization-webhook-cache-authorized-ttl; default 10 s. */
  readonly allowedTtlMs?: number;
  /** --authorization-webhook-cache-unauthorized-ttl; default 10 s. */
  readonly deniedTtlMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_ALWAYS_ALLOW_PATHS = ['/healthz', '/readyz', '/livez'];

const pathAllowed = (patterns: readonly string[], path: string): boolean =>
  patterns.some((p) => p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));

/** The SubjectAccessReview body for one request. */
export function subjectAccessReview(user: UserInfo, attrs: RequestAttributes): unknown {
  const { kind: _kind, ...fields } = attrs;
  return {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: {
      user: user.name, groups: user.groups, extra: user.extra, ...(user.uid === undefined ? {} : { uid: user.uid }),
      ...(attrs.kind === 'resource' ? { resourceAttributes: fields } : { nonResourceAttributes: fields }),
    },
  };
}

/** The delegating authorizer; throws only when the API server cannot answer (a 500, as in k8s). */
export function createAuthorizer(options: AuthorizerOptions): (user: UserInfo, attrs: RequestAttributes) => Promise<AuthorizationDecision> {
  const allowedTtl = options.allowedTtlMs ?? 10_000;
  const deniedTtl = options.deniedTtlMs ?? 10_000;
  const cache = new TtlCache<AuthorizationDecision>((d) => (d.allowed ? allowedTtl : deniedTtl), options.now ?? Date.now);
  const paths = options.alwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW_PATHS;
  const groups = options.alwaysAllowGroups ?? ['system:masters'];
  return async (user, attrs) => {
    if (attrs.kind === 'nonResource' && pathAllowed(paths, attrs.path)) return { allowed: true, reason: '' };
    if (user.groups.some((g) => groups.includes(g))) return { allowed: true, reason: '' };
    const review = subjectAccessReview(user, attrs);
    return cache.getOrLoad(JSON.stringify(review), async () => {
      const answer = (await options.api.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review)) as { status?: { allowed?: boolean; reason?: string } };
      return { allowed: answer.status?.allowed === true, reason: answer.status?.reason ?? '' };
    });
  };
}

/** The Status message and details kube-apiserver's Forbidden responder writes for a denied request. */
export function forbiddenStatus(user: UserInfo, attrs: RequestAttributes, reason: string): { message: string; details: Record<string, string> } {
  const quoted = JSON.stringify;
  let text: string;
  if (attrs.kind === 'nonResource') text = `User ${quoted(user.name)} cannot ${attrs.verb} path ${quoted(attrs.path)}`;
  else {
    const resource = attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
    const scope = attrs.namespace === '' ? 'at the cluster scope' : `in the namespace ${quoted(attrs.namespace)}`;
    text = `User ${quoted(user.name)} cannot ${attrs.verb} resource ${quoted(resource)} in API group ${quoted(attrs.group)} ${scope}`;
  }
  if (reason !== '') text = `${text}: ${reason}`;
  if (attrs.kind === 'nonResource' || (attrs.group === '' && attrs.resource === '')) return { message: `forbidden: ${text}`, details: {} };
  const groupResource = attrs.group === '' ? attrs.resource : `${attrs.resource}.${attrs.group}`;
  const subject = attrs.name === '' ? groupResource : `${groupResource} ${quoted(attrs.name)}`;
  const details: Record<string, string> = { group: attrs.group, kind: attrs.resource };
  if (attrs.name !== '') details.name = attrs.name;
  if (attrs.group === '') delete details.group;
  return { message: `${subject} is forbidden: ${text}`, details };
}
