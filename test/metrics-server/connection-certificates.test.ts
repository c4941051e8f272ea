// The adapter checks a TLS connection's client certificate once, not on every request: many requests
// on one kept-alive connection verify the chain once (counted through the authenticator's hook, not
// timed), a ConfigMap re-read that brings the same CAs verifies nothing again, and a rotated CA does
// re-verify — the same connection, whose certificate no longer verifies, then gets 401 Unauthorized.
import { Agent, request } from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MetricsService } from '../../src/engine/metrics-service.js';
import { KubeApi } from '../../src/kube/api.js';
import { issueBundle, serviceDnsNames } from '../../src/kube/certificates/issue.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { authenticationConfigMapData, frontProxyOf, newCa, newClientCertificate, type FrontProxyMaterial, type PemPair } from '../../src/kube/testing/front-proxy.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import { DEFAULT_DELEGATING_AUTH, startDelegatingAuth, type DelegatingAuth } from '../../src/metrics-server/delegating-auth.js';
import { startMetricsApiServer, type MetricsApiServer } from '../../src/metrics-server/server.js';

const METRIC = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-redis-jobs?labelSelector=scaledobject.keda.sh%2Fname%3Dso';
const service: MetricsService = { getMetrics: (ref) => Promise.resolve([{ metricName: ref.metricName, valueMilli: 1_000, timestamp: Date.UTC(2025, 0, 1) }]) };

let server: FakeApiServer;
let material: FrontProxyMaterial;
let ca: string;
let auth: DelegatingAuth;
let adapter: MetricsApiServer;
const verified: string[] = [];
let connections = 0;

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
  const m = frontProxyOf(server.cluster);
  if (m === undefined) throw new Error('the fake has no front proxy');
  material = m;
  const bundle = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-metrics-apiserver']), now: new Date() });
  ca = bundle.caCert;
  const api = new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
  auth = await startDelegatingAuth({ authentication: api, authorization: api }, DEFAULT_DELEGATING_AUTH, { refreshMs: 3_600_000, onCertificateVerified: (purpose) => { verified.push(purpose); } });
  adapter = await startMetricsApiServer({ port: 0, host: '127.0.0.1', certificate: { cert: bundle.tlsCert, key: bundle.tlsKey }, service, authorize: auth.authorize });
  adapter.server.on('secureConnection', () => { connections++; });
}, 60_000);

afterAll(async () => {
  await adapter.close();
  auth.stop();
  await server.stop();
});

/** An agent that keeps one connection open and sends every request on it. */
const keepAlive = (cert: PemPair): Agent => new Agent({ keepAlive: true, maxSockets: 1, cert: cert.cert, key: cert.key, ca, servername: 'keda-metrics-apiserver.keda.svc' });

function get(agent: Agent, headers: Record<string, string | string[]>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: adapter.port, path: METRIC, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => { resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject);
    req.end();
  });
}

// system:masters needs no SubjectAccessReview, so only authentication decides.
const proxied = { 'X-Remote-User': 'alice', 'X-Remote-Group': ['system:masters'] };

describe('one check per TLS connection', () => {
  test('twenty requests on one kept-alive connection verify the front-proxy certificate once; the headers are still read per request', async () => {
    const agent = keepAlive(material.frontProxyClient);
    const [verifiedBefore, connectionsBefore] = [verified.length, connections];
    for (let i = 0; i < 20; i++) expect(await get(agent, proxied)).toBe(200);
    expect(verified.slice(verifiedBefore)).toEqual(['requestheader']);
    // Without X-Remote-User on the same connection, the verified certificate vouches for no one (and
    // is then tried, once, as a plain client certificate, which it is not).
    for (let i = 0; i < 3; i++) expect(await get(agent, {})).toBe(401);
    expect(verified.slice(verifiedBefore)).toEqual(['requestheader', 'client']);
    expect(connections - connectionsBefore).toBe(1);
    agent.destroy();
  });

  test('each new connection is verified on its own', async () => {
    const before = verified.length;
    for (let i = 0; i < 3; i++) {
      const agent = keepAlive(material.frontProxyClient);
      expect(await get(agent, proxied)).toBe(200);
      expect(await get(agent, proxied)).toBe(200);
      agent.destroy();
    }
    expect(verified.length - before).toBe(3);
  });

  test('a certificate that does not verify fails on every request of its connection, checked once', async () => {
    const stranger = await newClientCertificate(await newCa('front-proxy-ca'), 'front-proxy-client');
    const agent = keepAlive(stranger);
    const before = verified.length;
    for (let i = 0; i < 5; i++) expect(await get(agent, proxied)).toBe(401);
    // Checked against both CA sets (front proxy, then client CA), once each.
    expect(verified.slice(before).sort()).toEqual(['client', 'requestheader']);
    agent.destroy();
  });
});

describe('CA rotation', () => {
  test('a re-read with the same CAs keeps the verdict; a rotated front-proxy CA re-verifies and the connection gets 401', async () => {
    const agent = keepAlive(material.frontProxyClient);
    expect(await get(agent, proxied)).toBe(200);
    const before = verified.length;
    await auth.config?.refresh(); // the same ConfigMap, parsed again: new objects, same certificates
    expect(await get(agent, proxied)).toBe(200);
    expect(verified.length).toBe(before);

    const newProxyCa = await newCa('front-proxy-ca-rotated');
    const cm = server.cluster.get('v1', 'ConfigMap', 'kube-system', 'extension-apiserver-authentication');
    if (cm === undefined) throw new Error('no ConfigMap');
    server.cluster.update({ ...cm, data: authenticationConfigMapData({ frontProxyCa: newProxyCa, clientCa: material.clientCa }) });
    await auth.config?.refresh();
    const connectionsBefore = connections;
    expect(await get(agent, proxied)).toBe(401);
    expect(await get(agent, proxied)).toBe(401);
    expect(connections).toBe(connectionsBefore); // the same connection, judged again
    expect(verified.slice(before).filter((p) => p === 'requestheader')).toEqual(['requestheader']);

    // A certificate of the new CA is accepted on a connection of its own.
    const rotated = keepAlive(await newClientCertificate(newProxyCa, 'front-proxy-client'));
    expect(await get(rotated, proxied)).toBe(200);
    agent.destroy();
    rotated.destroy();
  });
});
