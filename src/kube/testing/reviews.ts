// The create-only review APIs an aggregated API server delegates to (system:auth-delegator):
// authorization.k8s.io/v1 SubjectAccessReview, answered by the fake's RBAC (rbac.ts), and
// authentication.k8s.io/v1 TokenReview, answered from tokens a test registers (the fake issues no
// ServiceAccount tokens). Nothing is stored, as on a cluster: the reply is the request with a status.
import type { FakeCluster } from './cluster.js';
import type { Reply } from './handlers.js';
import { authorize, type RequestAttributes } from './rbac.js';
import type { ResourcePath } from './router.js';
import { badRequest, invalid, methodNotAllowed, type StatusCause } from './status.js';
import { type ResourceType, isRecord } from './types.js';

/** The user a registered bearer token stands for (TokenReview's status.user). */
export interface TokenUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

const tokensByCluster = new WeakMap<FakeCluster, Map<string, TokenUser>>();

/** Makes `token` authenticate as `user` in TokenReviews of this fake cluster. */
export function registerToken(cluster: FakeCluster, token: string, user: TokenUser): void {
  let tokens = tokensByCluster.get(cluster);
  if (tokens === undefined) tokensByCluster.set(cluster, (tokens = new Map<string, TokenUser>()));
  tokens.set(token, user);
}

/** SubjectAccessReviews answered so far, by cluster (tests count them to see an authorizer's cache work). */
const reviewCounts = new WeakMap<FakeCluster, number>();
export const subjectAccessReviewCount = (cluster: FakeCluster): number => reviewCounts.get(cluster) ?? 0;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function decode(body: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (err) {
    throw badRequest(`the server could not decode the request body: ${String(err)}`);
  }
  if (!isRecord(v)) throw badRequest('the body of the request was in an unknown format');
  return v;
}

function subjectAccessReview(cluster: FakeCluster, type: ResourceType, review: Record<string, unknown>): Reply {
  const spec = isRecord(review.spec) ? review.spec : {};
  const resource = isRecord(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isRecord(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  const causes: StatusCause[] = [];
  if (resource !== undefined && nonResource !== undefined) causes.push({ field: 'spec.nonResourceAttributes', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(nonResource)}: cannot be specified in combination with resourceAttributes` });
  if (resource === undefined && nonResource === undefined) causes.push({ field: 'spec.resourceAttributes', reason: 'FieldValueInvalid', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  const user = str(spec.user);
  const groups = strings(spec.groups);
  if (user === '' && groups.length === 0) causes.push({ field: 'spec.user', reason: 'FieldValueInvalid', message: 'Invalid value: "": at least one of user or group must be specified' });
  if (causes.length > 0) throw invalid(type, '', causes);
  const attrs: RequestAttributes = resource !== undefined
    ? { kind: 'resource', verb: str(resource.verb), group: str(resource.group), resource: str(resource.resource), subresource: str(resource.subresource), namespace: str(resource.namespace), name: str(resource.name) }
    : { kind: 'nonResource', verb: str(nonResource?.verb), path: str(nonResource?.path) };
  reviewCounts.set(cluster, subjectAccessReviewCount(cluster) + 1);
  const decision = authorize(cluster, { user, groups }, attrs);
  const status = decision.reason === '' ? { allowed: decision.allowed } : { allowed: decision.allowed, reason: decision.reason };
  const metadata = isRecord(review.metadata) ? review.metadata : {};
  return { status: 201, body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { ...metadata, creationTimestamp: null }, spec, status } };
}

function tokenReview(cluster: FakeCluster, review: Record<string, unknown>): Reply {
  const spec = isRecord(review.spec) ? review.spec : {};
  const found = tokensByCluster.get(cluster)?.get(str(spec.token));
  const status = found === undefined
    ? { user: {}, error: 'invalid bearer token' }
    : { authenticated: true, user: { username: found.username, ...(found.uid === undefined ? {} : { uid: found.uid }), groups: [...(found.groups ?? []), 'system:authenticated'], ...(found.extra === undefined ? {} : { extra: found.extra }) }, audiences: strings(spec.audiences) };
  const metadata = isRecord(review.metadata) ? review.metadata : {};
  return { status: 201, body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { ...metadata, creationTimestamp: null }, spec, status } };
}

/** The reply to a request on a review resource; undefined for every other resource. */
export function reviewReply(cluster: FakeCluster, type: ResourceType, method: string, path: ResourcePath, body: string): Reply | undefined {
  const review = (type.group === 'authorization.k8s.io' && type.resource === 'subjectaccessreviews') || (type.group === 'authentication.k8s.io' && type.resource === 'tokenreviews');
  if (!review) return undefined;
  if (method !== 'POST' || path.name !== undefined) throw methodNotAllowed(method);
  const object = decode(body);
  return type.resource === 'subjectaccessreviews' ? subjectAccessReview(cluster, type, object) : tokenReview(cluster, object);
}
