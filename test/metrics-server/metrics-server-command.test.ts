// `tide metrics-server` as the command runs it: flags, certificates from the kedaorg-certs Secret
// (issued there when missing) of a fake cluster, discovery over HTTPS trusted through that CA, and an
// operator that cannot be reached answered as a 503 Status, never a crash. Callers come as the fake's
// front proxy does (its client certificate, X-Remote-User); without it they are anonymous and denied.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { readMetricsServerFlags, runMetricsServer } from '../../src/cli/metrics-server.js';
import { UsageError } from '../../src/cli/io.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import type { MetricsApiServer } from '../../src/metrics-server/server.js';
import { frontProxyOf } from '../../src/kube/testing/front-proxy.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let server: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
  server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'tide-ms-')), 'kubeconfig.yaml');
  writeFileSync(kubeconfig, server.kubeconfig);
});

afterAll(async () => {
  await server.stop();
});

function io(env: Record<string, string> = {}): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => undefined, stderr: (t) => { err.push(t); }, isTTY: false, cwd: process.cwd(), env };
}

/** As the aggregator sends a request for the cluster's admin, or with no credential at all. */
function get(port: number, path: string, ca: string, anonymous = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const proxy = frontProxyOf(server.cluster)?.frontProxyClient;
  const credentials = anonymous || proxy === undefined ? {} : { cert: proxy.cert, key: proxy.key, headers: { 'X-Remote-User': 'kubernetes-admin', 'X-Remote-Group': ['system:masters', 'system:authenticated'] } };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'keda-metrics-apiserver.keda.svc', agent: false, ...credentials }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }); });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tide metrics-server', () => {
  test("flags: KEDA's defaults and bad values", () => {
    const flags = readMetricsServerFlags([], io({ POD_NAMESPACE: 'ops' }));
    expect(flags).toMatchObject({ securePort: 6443, metricsServiceAddress: 'keda-operator.ops.svc.cluster.local:9666', namespace: 'ops' });
    expect(() => readMetricsServerFlags(['--secure-port', 'x'], io())).toThrow(UsageError);
    expect(() => readMetricsServerFlags(['--metrics-service-address', 'nohost'], io())).toThrow(/host:port/);
  });

  test('authentication and authorization flags: on by default with k8s.io/apiserver\'s defaults; --insecure-allow-all-requests turns them off', () => {
    expect(readMetricsServerFlags([], io()).auth).toEqual({
      skipLookup: false, tolerateLookupFailure: false, anonymous: true, tokenCacheTtlMs: 10_000,
      alwaysAllowPaths: ['/healthz', '/readyz', '/livez'], allowedTtlMs: 10_000, deniedTtlMs: 10_000,
    });
    const set = readMetricsServerFlags(['--authentication-skip-lookup', '--anonymous-auth=false', '--authorization-always-allow-paths', '/healthz,/metrics',
      '--authorization-webhook-cache-authorized-ttl', '5m', '--authorization-webhook-cache-unauthorized-ttl=30s', '--authentication-token-webhook-cache-ttl', '1m'], io());
    expect(set.auth).toEqual({ skipLookup: true, tolerateLookupFailure: false, anonymous: false, tokenCacheTtlMs: 60_000, alwaysAllowPaths: ['/healthz', '/metrics'], allowedTtlMs: 300_000, deniedTtlMs: 30_000 });
    expect(readMetricsServerFlags(['--insecure-allow-all-requests'], io()).auth).toBeUndefined();
    expect(readMetricsServerFlags(['--kubeconfig', 'a.yaml', '--authorization-kubeconfig', 'b.yaml'], io())).toMatchObject({ authenticationKubeconfig: expect.stringMatching(/a\.yaml$/) as unknown, authorizationKubeconfig: expect.stringMatching(/b\.yaml$/) as unknown });
    expect(() => readMetricsServerFlags(['--anonymous-auth=maybe'], io())).toThrow('--anonymous-auth must be true or false, got "maybe"');
    expect(() => readMetricsServerFlags(['--authorization-webhook-cache-authorized-ttl', 'soon'], io())).toThrow(/--authorization-webhook-cache-authorized-ttl must be a duration/);
  });

  test('serves discovery with the Secret\'s certificate; an unreachable operator is a 503 Status', async () => {
    const flags = { ...readMetricsServerFlags(['--kubeconfig', kubeconfig, '--secure-port', '0', '--metrics-service-address', '127.0.0.1:1'], io()), namespace: 'keda' };
    let stop!: () => void;
    const stopped = new Promise<void>((r) => { stop = r; });
    let started!: (s: MetricsApiServer) => void;
    const running = new Promise<MetricsApiServer>((r) => { started = r; });
    const exit = runMetricsServer(flags, io(), () => stopped, (s) => { started(s); });
    const adapter = await running;
    try {
      const secret = server.cluster.get('v1', 'Secret', 'keda', 'kedaorg-certs');
      const ca = Buffer.from(String((secret?.data as Record<string, string> | undefined)?.['ca.crt']), 'base64').toString('utf8');
      const discovery = await get(adapter.port, '/apis/external.metrics.k8s.io/v1beta1', ca);
      expect(discovery).toMatchObject({ status: 200, body: { kind: 'APIResourceList', groupVersion: 'external.metrics.k8s.io/v1beta1' } });
      const anonymous = await get(adapter.port, '/apis/external.metrics.k8s.io/v1beta1', ca, true);
      expect(anonymous).toMatchObject({ status: 403, body: { kind: 'Status', reason: 'Forbidden', message: 'forbidden: User "system:anonymous" cannot get path "/apis/external.metrics.k8s.io/v1beta1"' } });
      const metric = await get(adapter.port, '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-redis-x?labelSelector=scaledobject.keda.sh%2Fname%3Dso', ca);
      expect(metric).toMatchObject({ status: 503, body: { kind: 'Status', reason: 'ServiceUnavailable', code: 503 } });
      expect(metric.body.message).toContain("cannot reach the operator's metrics service");
      const other = await get(adapter.port, '/apis/external.metrics.k8s.io/v1beta1/foo', ca);
      expect(other).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound' } });
    } finally {
      stop();
    }
    expect(await exit).toBe(0);
  }, 30_000);
});
