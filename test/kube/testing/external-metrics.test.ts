import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, SERVICE_URL_ANNOTATION, fetchExternalMetric, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call } from './http-client.js';

// The metrics adapter behind KEDA's APIService serves HTTPS with its own certificate; the fake's HPA
// controller must honour the APIService's insecureSkipTLSVerify and caBundle as the aggregator does.
const HOST = 'keda-operator-metrics-apiserver.keda.svc';
let dir: string;
let cert: string;
let adapter: Server;
let s: FakeApiServer;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tide-apiservice-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${HOST}`,
    '-addext', `subjectAltName=DNS:${HOST}`, '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'tls.crt'), 'utf8');
  adapter = createServer({ key: readFileSync(join(dir, 'tls.key')), cert }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items: [{ metricName: 'm', value: '1500m' }, { metricName: 'm', value: '2' }] }));
  });
  await new Promise<void>((r) => adapter.listen(0, '127.0.0.1', () => { r(); }));
  base = `https://127.0.0.1:${(adapter.address() as AddressInfo).port}`;
  s = await startFakeApiServer({ builtinControllers: false });
});
afterAll(async () => {
  await s.stop();
  adapter.closeAllConnections();
  adapter.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Replaces the external metrics APIService. */
async function apiService(spec: Record<string, unknown>): Promise<void> {
  await call(s.url, 'DELETE', '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.external.metrics.k8s.io');
  const r = await call(s.url, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    metadata: { name: 'v1beta1.external.metrics.k8s.io', annotations: { [SERVICE_URL_ANNOTATION]: base } },
    spec: { service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver', port: 443 }, group: 'external.metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, ...spec },
  });
  expect(r.status).toBe(201);
}

describe('external metrics through an HTTPS APIService', () => {
  it('insecureSkipTLSVerify accepts the adapter\'s self-signed certificate; items are summed in milli-units', async () => {
    await apiService({ insecureSkipTLSVerify: true });
    expect(await fetchExternalMetric(s.cluster, {}, 'default', 'm', 'a=b')).toEqual({ itemsMilli: [1500, 2000] });
  });

  it('caBundle verifies the certificate against the Service\'s DNS name', async () => {
    await apiService({ caBundle: Buffer.from(cert).toString('base64') });
    expect(await fetchExternalMetric(s.cluster, {}, 'default', 'm', '')).toEqual({ itemsMilli: [1500, 2000] });
  });

  it('neither: the certificate is refused, as the aggregator refuses it', async () => {
    await apiService({});
    const r = await fetchExternalMetric(s.cluster, {}, 'default', 'm', '');
    expect('error' in r ? r.error : '').toMatch(/^unable to fetch metrics from external metrics API: the server is currently unable to handle the request \(get m\.external\.metrics\.k8s\.io\): .*(self[- ]signed|certificate)/i);
  });

  it('no URL for the Service: the error says how to give one', async () => {
    await call(s.url, 'DELETE', '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.external.metrics.k8s.io');
    await call(s.url, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      metadata: { name: 'v1beta1.external.metrics.k8s.io' }, spec: { service: { namespace: 'keda', name: 'adapter', port: 443 }, group: 'external.metrics.k8s.io', version: 'v1beta1' },
    });
    const r = await fetchExternalMetric(s.cluster, {}, 'default', 'm', '');
    expect('error' in r ? r.error : '').toContain(`no route to service keda/adapter:443 (the fake API server needs a serviceUrl option or the ${SERVICE_URL_ANNOTATION} annotation)`);
  });
});
