// The fake's SubjectAccessReview and TokenReview endpoints over HTTP: RBAC decisions from stored
// Roles/ClusterRoles and their bindings (wildcards, resourceNames, nonResourceURLs, ServiceAccount and
// group subjects), the RBAC authorizer's reasons, validation, and the front-proxy ConfigMap it publishes.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../../../src/kube/testing/index.js';
import { frontProxyOf } from '../../../src/kube/testing/front-proxy.js';
import { registerToken } from '../../../src/kube/testing/reviews.js';

let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
  const c = server.cluster;
  const RBAC = 'rbac.authorization.k8s.io/v1';
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  c.create({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'metrics-reader' }, rules: [{ apiGroups: ['external.metrics.k8s.io'], resources: ['*'], verbs: ['*'] }] });
  c.create({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'hpa-metrics' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'horizontal-pod-autoscaler', namespace: 'kube-system' }] });
  c.create({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'discovery' }, rules: [{ nonResourceURLs: ['/apis', '/apis/*'], verbs: ['get'] }] });
  c.create({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'discovery' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'discovery' }, subjects: [{ kind: 'Group', name: 'system:authenticated' }] });
  c.create({ apiVersion: RBAC, kind: 'Role', metadata: { name: 'one-cm', namespace: 'team' }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get'] }] });
  c.create({ apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'one-cm', namespace: 'team' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'one-cm' }, subjects: [{ kind: 'ServiceAccount', name: 'app' }] });
  c.create({ apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'dangling', namespace: 'team' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'gone' }, subjects: [{ kind: 'User', name: 'carol' }] });
  c.create({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'scaler' }, rules: [{ apiGroups: ['*'], resources: ['*/scale'], verbs: ['get', 'update'] }] });
  c.create({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'scaler' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'scaler' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:ops' }] });
});

afterAll(async () => {
  await server.stop();
});

async function review(spec: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const HPA = { user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };
const metric = (verb: string) => ({ group: 'external.metrics.k8s.io', version: 'v1beta1', resource: 's0-redis-jobs', namespace: 'default', verb });

describe('SubjectAccessReview on the fake', () => {
  test('a ClusterRoleBinding to a ServiceAccount allows any verb on any resource of the group, with the RBAC reason', async () => {
    const got = await review({ ...HPA, resourceAttributes: metric('list') });
    expect(got.status).toBe(201);
    expect(got.body).toMatchObject({ kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { user: HPA.user } });
    expect(got.body.status).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "hpa-metrics" of ClusterRole "metrics-reader" to ServiceAccount "horizontal-pod-autoscaler/kube-system"' });
  });

  test('another user, another group: denied with no reason; nothing is stored', async () => {
    expect((await review({ user: 'bob', groups: ['system:authenticated'], resourceAttributes: metric('get') })).body.status).toEqual({ allowed: false });
    expect((await review({ ...HPA, resourceAttributes: { ...metric('get'), group: 'metrics.k8s.io' } })).body.status).toEqual({ allowed: false });
    const list = await fetch(`${server.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`);
    expect(list.status).toBe(405);
  });

  test('nonResourceURLs: exact and trailing-* prefixes, by group', async () => {
    const bob = { user: 'bob', groups: ['system:authenticated'] };
    expect((await review({ ...bob, nonResourceAttributes: { path: '/apis', verb: 'get' } })).body.status).toMatchObject({ allowed: true });
    expect((await review({ ...bob, nonResourceAttributes: { path: '/apis/external.metrics.k8s.io/v1beta1', verb: 'get' } })).body.status).toMatchObject({ allowed: true });
    expect((await review({ ...bob, nonResourceAttributes: { path: '/metrics', verb: 'get' } })).body.status).toEqual({ allowed: false });
    expect((await review({ user: 'anon', groups: ['system:unauthenticated'], nonResourceAttributes: { path: '/apis', verb: 'get' } })).body.status).toEqual({ allowed: false });
    expect((await review({ ...bob, nonResourceAttributes: { path: '/apis', verb: 'post' } })).body.status).toEqual({ allowed: false });
  });

  test('a RoleBinding applies in its namespace only; resourceNames need the name; a ServiceAccount subject takes the binding\'s namespace', async () => {
    const app = { user: 'system:serviceaccount:team:app', groups: ['system:serviceaccounts', 'system:serviceaccounts:team'] };
    const cm = { group: '', version: 'v1', resource: 'configmaps', namespace: 'team', verb: 'get' };
    expect((await review({ ...app, resourceAttributes: { ...cm, name: 'settings' } })).body.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "one-cm" of Role "one-cm" to ServiceAccount "app/team"' });
    expect((await review({ ...app, resourceAttributes: { ...cm, name: 'other' } })).body.status).toEqual({ allowed: false });
    expect((await review({ ...app, resourceAttributes: cm })).body.status).toEqual({ allowed: false });
    expect((await review({ ...app, resourceAttributes: { ...cm, namespace: 'default', name: 'settings' } })).body.status).toEqual({ allowed: false });
  });

  test('*/scale matches the scale subresource of any resource; a missing role is the reason', async () => {
    const ops = { user: 'system:serviceaccount:ops:scaler', groups: ['system:serviceaccounts:ops'] };
    expect((await review({ ...ops, resourceAttributes: { group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x', name: 'web', verb: 'update' } })).body.status).toMatchObject({ allowed: true });
    expect((await review({ ...ops, resourceAttributes: { group: 'apps', resource: 'deployments', namespace: 'x', name: 'web', verb: 'update' } })).body.status).toEqual({ allowed: false });
    expect((await review({ user: 'carol', resourceAttributes: { group: '', resource: 'pods', namespace: 'team', verb: 'list' } })).body.status)
      .toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found' });
  });

  test('system:masters may do anything', async () => {
    expect((await review({ user: 'admin', groups: ['system:masters'], resourceAttributes: { group: 'x', resource: 'y', verb: 'delete' } })).body.status).toEqual({ allowed: true });
  });

  test('validation: no user or group, no attributes, both attributes', async () => {
    const none = await review({ resourceAttributes: metric('get') });
    expect(none).toMatchObject({ status: 422, body: { kind: 'Status', reason: 'Invalid' } });
    expect(String(none.body.message)).toContain('spec.user: Invalid value: "": at least one of user or group must be specified');
    const neither = await review({ user: 'bob' });
    expect(String(neither.body.message)).toContain('exactly one of nonResourceAttributes or resourceAttributes must be specified');
    const both = await review({ user: 'bob', resourceAttributes: metric('get'), nonResourceAttributes: { path: '/', verb: 'get' } });
    expect(String(both.body.message)).toContain('cannot be specified in combination with resourceAttributes');
  });

  test('RBAC kinds and the reviews are served and discoverable', async () => {
    const rbac = (await (await fetch(`${server.url}/apis/rbac.authorization.k8s.io/v1`)).json()) as { resources: { name: string; namespaced: boolean }[] };
    expect(rbac.resources.map((r) => [r.name, r.namespaced])).toEqual(expect.arrayContaining([['clusterroles', false], ['clusterrolebindings', false], ['roles', true], ['rolebindings', true]]));
    const authz = (await (await fetch(`${server.url}/apis/authorization.k8s.io/v1`)).json()) as { resources: { name: string; verbs: string[] }[] };
    expect(authz.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'subjectaccessreviews', verbs: ['create'] })]));
  });
});

describe('TokenReview on the fake', () => {
  test('a registered token is its user (plus system:authenticated); any other is not authenticated', async () => {
    registerToken(server.cluster, 'secret-token', { username: 'system:serviceaccount:ops:bot', groups: ['system:serviceaccounts'] });
    const post = async (token: string) => (await (await fetch(`${server.url}/apis/authentication.k8s.io/v1/tokenreviews`, { method: 'POST', body: JSON.stringify({ spec: { token } }) })).json()) as { status: Record<string, unknown> };
    expect((await post('secret-token')).status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:ops:bot', groups: ['system:serviceaccounts', 'system:authenticated'] } });
    expect((await post('nope')).status).toEqual({ user: {}, error: 'invalid bearer token' });
  });
});

describe('front proxy', () => {
  test('extension-apiserver-authentication holds the front-proxy CA that signed the proxy\'s client certificate, and the client CA', () => {
    const cm = server.cluster.get('v1', 'ConfigMap', 'kube-system', 'extension-apiserver-authentication');
    const data = cm?.data as Record<string, string>;
    expect(JSON.parse(data['requestheader-allowed-names'] ?? '')).toEqual(['front-proxy-client']);
    expect(JSON.parse(data['requestheader-username-headers'] ?? '')).toEqual(['X-Remote-User']);
    expect(JSON.parse(data['requestheader-group-headers'] ?? '')).toEqual(['X-Remote-Group']);
    expect(JSON.parse(data['requestheader-extra-headers-prefix'] ?? '')).toEqual(['X-Remote-Extra-']);
    const material = frontProxyOf(server.cluster);
    const client = new X509Certificate(material?.frontProxyClient.cert ?? '');
    const ca = new X509Certificate(data['requestheader-client-ca-file'] ?? '');
    expect(client.subject).toBe('CN=front-proxy-client');
    expect(client.checkIssued(ca) && client.verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(data['client-ca-file'] ?? '').subject).toBe('CN=kubernetes');
  });
});
