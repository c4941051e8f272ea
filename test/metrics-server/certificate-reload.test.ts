// Renewed certificates reach a running `tide metrics-server` and the operator's metrics service
// without a restart. Both read one --cert-dir (as both mount kedaorg-certs), rewritten here as a
// renewal would: a new serving pair from the same CA, then a new CA with its pair. After each, a new
// TLS handshake to the adapter gets the new certificate; after the CA change, the operator's server
// accepts only clients of the new CA, and the adapter's client trusts a server of the new CA.
// The gRPC answer here is NotFound (no ScaleLoop runs), which the adapter serves as a 404: an answer,
// where a failed handshake would be a 503.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { readMetricsServerFlags, runMetricsServer } from '../../src/cli/metrics-server.js';
import type { MutualTls } from '../../src/engine/metrics-service-grpc.js';
import { MetricsServiceClient } from '../../src/engine/metrics-service-grpc.js';
import { MetricsServiceError } from '../../src/engine/metrics-service.js';
import type { KubeApi } from '../../src/kube/api.js';
import { issueBundle, issueServing, serviceDnsNames } from '../../src/kube/certificates/issue.js';
import type { MetricsApiServer } from '../../src/metrics-server/server.js';
import { startOperatorMetricsService, type MetricsServiceServer } from '../../src/operator/metrics-service-server.js';

const DNS_NAMES = serviceDnsNames('keda', ['keda-operator', 'keda-metrics-apiserver']);
const METRIC = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-redis-jobs?labelSelector=scaledobject.keda.sh%2Fname%3Dso';
const io: CliIO = { stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: process.cwd(), env: {} };
// With --cert-dir the operator's metrics service reads no Secret: the API is not used.
const NO_API = undefined as unknown as KubeApi;

let dir: string;
let first: MutualTls;
let firstCaKey: string;
let operator: MetricsServiceServer;
let adapter: MetricsApiServer;
let stop: () => void = () => undefined;
let finished: Promise<number>;

function writeCertDir(tls: MutualTls): void {
  // In the order a careless writer would: the CA first, then a key that does not match tls.crt for a moment.
  writeFileSync(join(dir, 'ca.crt'), tls.ca);
  writeFileSync(join(dir, 'tls.key'), tls.key);
  writeFileSync(join(dir, 'tls.crt'), tls.cert);
}

const startOperator = (port: number): Promise<MetricsServiceServer> =>
  startOperatorMetricsService({ address: { host: '127.0.0.1', port }, certDir: dir, api: NO_API, namespace: 'keda', loop: () => undefined });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tide-cert-reload-'));
  const bundle = await issueBundle({ dnsNames: DNS_NAMES, now: new Date() });
  first = { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
  firstCaKey = bundle.caKey;
  writeCertDir(first);
  operator = await startOperator(0);
  const flags = readMetricsServerFlags(['--cert-dir', dir, '--secure-port', '0', '--insecure-allow-all-requests',
    '--metrics-service-address', `127.0.0.1:${operator.port}`, '--metrics-service-grpc-authority', 'keda-operator.keda.svc'], io);
  const started = new Promise<MetricsApiServer>((resolve) => {
    finished = runMetricsServer(flags, io, () => new Promise<void>((done) => { stop = done; }), resolve);
  });
  adapter = await started;
}, 60_000);

afterAll(async () => {
  stop();
  await finished;
  await operator.close();
});

/** The certificate a new TLS handshake to the adapter gets (trusting any of `cas`). */
function servedCertificate(cas: readonly string[]): Promise<{ fingerprint: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: adapter.port, ca: [...cas], servername: 'keda-metrics-apiserver.keda.svc', rejectUnauthorized: false }, () => {
      resolve({ fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '', authorized: socket.authorized });
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** Asks until the adapter's handshakes show `cert` (the folder watch is asynchronous); fails after many tries. */
async function untilServed(cert: string, cas: readonly string[]): Promise<{ fingerprint: string; authorized: boolean }> {
  let seen = await servedCertificate(cas);
  for (let i = 0; i < 200 && seen.fingerprint !== fingerprint(cert); i++) {
    await new Promise((r) => setTimeout(r, 25));
    seen = await servedCertificate(cas);
  }
  return seen;
}

function metricStatus(ca: string): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: adapter.port, path: METRIC, ca, servername: 'keda-metrics-apiserver.keda.svc', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, message: String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: unknown }).message) }); });
    });
    req.on('error', reject);
    req.end();
  });
}

/** What one GetMetrics from a client with `tls` gets from the operator's server: 'answer' (NotFound) or the error's code. */
async function operatorAnswer(tls: MutualTls): Promise<string> {
  const client = new MetricsServiceClient({ address: `127.0.0.1:${operator.port}`, tls, authority: 'keda-operator.keda.svc', timeoutMs: 1_000 });
  try {
    await client.getMetrics({ namespace: 'default', name: 'so', metricName: 's0-redis-jobs' });
    return 'values';
  } catch (error) {
    if (!(error instanceof MetricsServiceError)) throw error;
    return error.code === 'NotFound' ? 'answer' : error.code;
  } finally {
    client.close();
  }
}

describe('certificate renewal while running', () => {
  test('at start: the adapter serves the folder\'s certificate and reaches the operator', async () => {
    expect(await servedCertificate([first.ca])).toEqual({ fingerprint: fingerprint(first.cert), authorized: true });
    expect(await metricStatus(first.ca)).toMatchObject({ status: 404, message: expect.stringContaining('is not being scaled by the operator') as unknown });
  });

  test('a serving pair renewed by the same CA: new handshakes get it, the metrics path keeps answering', async () => {
    const renewed = await issueServing({ cert: first.ca, key: firstCaKey }, DNS_NAMES, new Date());
    const next = { ca: first.ca, cert: renewed.cert, key: renewed.key };
    writeCertDir(next);
    expect(await untilServed(next.cert, [first.ca])).toEqual({ fingerprint: fingerprint(next.cert), authorized: true });
    expect((await metricStatus(first.ca)).status).toBe(404);
  });

  test('a replaced CA: the adapter serves the new pair, the operator accepts only the new CA\'s clients, the adapter\'s client trusts the new CA', async () => {
    const bundle = await issueBundle({ dnsNames: DNS_NAMES, now: new Date() });
    const replaced = { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
    writeCertDir(replaced);
    expect(await untilServed(replaced.cert, [first.ca, replaced.ca])).toEqual({ fingerprint: fingerprint(replaced.cert), authorized: true });
    expect(await servedCertificate([first.ca])).toMatchObject({ authorized: false });

    // The operator's server, not restarted: a client of the new CA is answered, one of the old CA is not.
    let answer = await operatorAnswer(replaced);
    for (let i = 0; i < 20 && answer !== 'answer'; i++) answer = await operatorAnswer(replaced);
    expect(answer).toBe('answer');
    expect(await operatorAnswer(first)).toBe('Unavailable');

    // The adapter's open channel still answers; then the operator restarts on its port (every
    // connection closed) and the adapter's client must reconnect with the new CA to answer again.
    expect((await metricStatus(replaced.ca)).status).toBe(404);
    const port = operator.port;
    await operator.close();
    operator = await startOperator(port);
    expect(await metricStatus(replaced.ca)).toMatchObject({ status: 404 });
  });
});

