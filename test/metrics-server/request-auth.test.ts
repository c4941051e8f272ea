// Authentication and authorization of `tide metrics-server` as an aggregated API server, over real
// HTTPS against the fake API server: the front-proxy certificate and X-Remote-* headers from the
// fake's extension-apiserver-authentication ConfigMap, client certificates from its client CA, bearer
// tokens by TokenReview, SubjectAccessReviews answered by the fake's RBAC (and cached), the 401 and
// 403 Status bodies kube-apiserver writes, and a rotated front-proxy CA.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MetricsService } from '../../src/engine/metrics-service.js';
import { KubeApi } from '../../src/kube/api.js';
import { issueBundle, serviceDnsNames } from '../../src/kube/certificates/issue.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { authenticationConfigMapData, frontProxyOf, newCa, newClientCertificate, type FrontProxyMaterial, type PemPair } from '../../src/kube/testing/front-proxy.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import { registerToken, subjectAccessReviewCount } from '../../src/kube/testing/reviews.js';
import { parseAuthenticationConfigMap } from '../../src/metrics-server/authentication-config.js';
import { DEFAULT_DELEGATING_AUTH, startDelegatingAuth, type DelegatingAuth } from '../../src/metrics-server/delegating-auth.js';
import { startMetricsApiServer, type MetricsApiServer } from '../../src/metrics-server/server.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const METRIC = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-redis-jobs?labelSelector=scaledobject.keda.sh%2Fname%3Dso';
const DISCOVERY = '/apis/external.metrics.k8s.io/v1beta1';

let server: FakeApiServer;
let material: FrontProxyMaterial;
let ca: string;
let auth: DelegatingAuth;
let adapter: MetricsApiServer;
let strict: { auth: DelegatingAuth; adapter: MetricsApiServer };
let proxyClient: PemPair;

const service: MetricsService = { getMetrics: (ref) => Promise.resolve([{ metricName: ref.metricName, valueMilli: 23_000, timestamp: Date.UTC(2025, 0, 1) }]) };

function binding(name: string, role: string, subject: Record<string, string>): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [subject] };
}

async function adapterWith(anonymous: boolean, certificate: PemPair): Promise<{ auth: DelegatingAuth; adapter: MetricsApiServer }> {
  const api = new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
  const started = await startDelegatingAuth({ authentication: api, authorization: api }, { ...DEFAULT_DELEGATING_AUTH, anonymous }, { refreshMs: 3_600_000 });
  return { auth: started, adapter: await startMetricsApiServer({ port: 0, host: '127.0.0.1', certificate, service, authorize: started.authorize }) };
}

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
  const m = frontProxyOf(server.cluster);
  if (m === undefined) throw new Error('the fake has no front proxy');
  material = m;
  proxyClient = material.frontProxyClient;
  const c = server.cluster;
  c.create({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'keda-external-metrics-reader' }, rules: [{ apiGroups: ['external.metrics.k8s.io'], resources: ['*'], verbs: ['*'] }] });
  c.create(binding('alice-metrics', 'keda-external-metrics-reader', { kind: 'User', name: 'alice' }));
  c.create(binding('readers-metrics', 'keda-external-metrics-reader', { kind: 'Group', name: 'metric-readers' }));
  c.create({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'discovery' }, rules: [{ nonResourceURLs: ['/apis', '/apis/*'], verbs: ['get'] }] });
  c.create(binding('discovery', 'discovery', { kind: 'Group', name: 'system:authenticated' }));
  const bundle = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-metrics-apiserver']), now: new Date() });
  ca = bundle.caCert;
  const serving = { cert: bundle.tlsCert, key: bundle.tlsKey };
  ({ auth, adapter } = await adapterWith(true, serving));
  strict = await adapterWith(false, serving);
}, 60_000);

afterAll(async () => {
  for (const s of [adapter, strict.adapter]) await s.close();
  auth.stop();
  strict.auth.stop();
  await server.stop();
});

interface Call {
  cert?: PemPair;
  headers?: Record<string, string | string[]>;
  port?: number;
}

function get(path: string, call: Call = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: call.port ?? adapter.port, path, ca, servername: 'keda-metrics-apiserver.keda.svc', headers: call.headers ?? {}, agent: false,
      ...(call.cert === undefined ? {} : { cert: call.cert.cert, key: call.cert.key }),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: res.headers['content-type']?.includes('json') === true ? JSON.parse(text) as Record<string, unknown> : { text } });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const asUser = (user: string, groups: string[] = [], cert: PemPair = proxyClient): Call => ({ cert, headers: { 'X-Remote-User': user, 'X-Remote-Group': groups } });

describe('front proxy (the aggregator)', () => {
  test('a valid front-proxy certificate and an RBAC-allowed user: 200 with the values', async () => {
    const got = await get(METRIC, asUser('alice', ['system:authenticated']));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ kind: 'ExternalMetricValueList', items: [{ metricName: 's0-redis-jobs', value: '23' }] });
  });

  test('groups from X-Remote-Group (one header line per group) count for RBAC', async () => {
    expect((await get(METRIC, asUser('erin', ['metric-readers', 'system:authenticated']))).status).toBe(200);
  });

  test('a valid front-proxy certificate but a user without RBAC: 403 Status worded as kube-apiserver words it', async () => {
    const got = await get(METRIC, asUser('bob'));
    expect(got).toEqual({
      status: 403,
      body: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
        message: 's0-redis-jobs.external.metrics.k8s.io is forbidden: User "bob" cannot list resource "s0-redis-jobs" in API group "external.metrics.k8s.io" in the namespace "default"',
        details: { group: 'external.metrics.k8s.io', kind: 's0-redis-jobs' },
      },
    });
  });

  test('a client certificate from another CA with X-Remote-User spoofed: 401 Unauthorized', async () => {
    const stranger = await newClientCertificate(await newCa('front-proxy-ca'), 'front-proxy-client');
    const got = await get(METRIC, asUser('alice', ['system:masters'], stranger));
    expect(got).toEqual({ status: 401, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } });
  });

  test('a certificate of the front-proxy CA whose CN is not in requestheader-allowed-names: 401', async () => {
    const other = await newClientCertificate(material.frontProxyCa, 'not-the-aggregator');
    expect((await get(METRIC, asUser('alice', [], other))).status).toBe(401);
  });

  test('the front-proxy certificate without X-Remote-User authenticates no one: 401', async () => {
    expect((await get(METRIC, { cert: proxyClient })).status).toBe(401);
  });
});

describe('other credentials', () => {
  test('no credential: system:anonymous, whom RBAC denies (403); with --anonymous-auth=false a 401', async () => {
    const got = await get(METRIC);
    expect(got).toMatchObject({ status: 403, body: { reason: 'Forbidden', message: expect.stringContaining('User "system:anonymous" cannot list resource "s0-redis-jobs"') as unknown } });
    expect((await get(METRIC, { port: strict.adapter.port })).status).toBe(401);
  });

  test('a client certificate of client-ca-file is the user CN with groups O; X-Remote-* headers from it are ignored', async () => {
    const carol = await newClientCertificate(material.clientCa, 'carol', ['metric-readers']);
    expect((await get(METRIC, { cert: carol })).status).toBe(200);
    const dave = await newClientCertificate(material.clientCa, 'dave');
    const spoofed = await get(METRIC, asUser('alice', ['system:masters'], dave));
    expect(spoofed.status).toBe(403);
    expect(spoofed.body.message).toContain('User "dave" cannot list');
  });

  test('a bearer token checked by TokenReview; a refused token is a 401', async () => {
    registerToken(server.cluster, 'reader-token', { username: 'system:serviceaccount:ops:reader', groups: ['metric-readers'] });
    expect((await get(METRIC, { headers: { Authorization: 'Bearer reader-token' } })).status).toBe(200);
    expect((await get(METRIC, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  test('/healthz, /readyz, /livez need no credential', async () => {
    for (const path of ['/healthz', '/readyz', '/livez']) expect((await get(path, { port: strict.adapter.port })).status).toBe(200);
  });
});

describe('authorization', () => {
  test('discovery is a non-resource path: allowed by nonResourceURLs, else forbidden naming the path', async () => {
    expect((await get(DISCOVERY, asUser('bob', ['system:authenticated']))).status).toBe(200);
    expect((await get('/apis', asUser('bob', ['system:authenticated']))).status).toBe(200);
    const anonymous = await get(DISCOVERY);
    expect(anonymous).toMatchObject({ status: 403, body: { reason: 'Forbidden', message: 'forbidden: User "system:anonymous" cannot get path "/apis/external.metrics.k8s.io/v1beta1"', details: {} } });
  });

  test('SubjectAccessReview answers are cached per user and request, allowed and denied alike', async () => {
    const before = subjectAccessReviewCount(server.cluster);
    const frank = asUser('frank', ['metric-readers']);
    for (let i = 0; i < 3; i++) expect((await get(METRIC, frank)).status).toBe(200);
    expect(subjectAccessReviewCount(server.cluster)).toBe(before + 1);
    for (let i = 0; i < 3; i++) expect((await get(METRIC, asUser('grace'))).status).toBe(403);
    expect(subjectAccessReviewCount(server.cluster)).toBe(before + 2);
    expect((await get(METRIC.replace('s0-redis-jobs', 's1-redis-other'), frank)).status).toBe(200);
    expect(subjectAccessReviewCount(server.cluster)).toBe(before + 3);
  });

  test('system:masters is allowed without a SubjectAccessReview', async () => {
    const before = subjectAccessReviewCount(server.cluster);
    expect((await get(METRIC, asUser('root', ['system:masters']))).status).toBe(200);
    expect(subjectAccessReviewCount(server.cluster)).toBe(before);
  });
});

describe('rotation', () => {
  test('a new front-proxy CA in the ConfigMap is used once re-read; the old certificate stops working', async () => {
    const newProxyCa = await newCa('front-proxy-ca-2');
    const newProxyClient = await newClientCertificate(newProxyCa, 'front-proxy-client');
    expect((await get(METRIC, asUser('alice', [], newProxyClient))).status).toBe(401);
    const cm = server.cluster.get('v1', 'ConfigMap', 'kube-system', 'extension-apiserver-authentication');
    if (cm === undefined) throw new Error('no ConfigMap');
    server.cluster.update({ ...cm, data: authenticationConfigMapData({ frontProxyCa: newProxyCa, clientCa: material.clientCa }) });
    await auth.config?.refresh();
    expect((await get(METRIC, asUser('alice', [], newProxyClient))).status).toBe(200);
    expect((await get(METRIC, asUser('alice', [], proxyClient))).status).toBe(401);
  });
});

describe('the ConfigMap', () => {
  test('a key that cannot be used is an error naming the key and the ConfigMap; missing keys turn that way of authenticating off', () => {
    expect(() => parseAuthenticationConfigMap({ 'requestheader-client-ca-file': material.frontProxyCa.cert, 'requestheader-username-headers': 'X-Remote-User' }))
      .toThrow('ConfigMap kube-system/extension-apiserver-authentication: requestheader-username-headers must be a JSON array of strings');
    expect(() => parseAuthenticationConfigMap({ 'client-ca-file': 'not a certificate' })).toThrow('client-ca-file holds no PEM certificate');
    expect(parseAuthenticationConfigMap({})).toEqual({});
    expect(parseAuthenticationConfigMap({ 'requestheader-client-ca-file': material.frontProxyCa.cert })).toEqual({});
  });
});
