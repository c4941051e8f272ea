// bench/metrics-server: cached metric reads as the HPA makes them — HTTPS GET of an external metric
// on tide's metrics server, which asks the operator's metrics service (gRPC over mTLS, in-process)
// for the value of a ScaleLoop trigger with useCachedMetrics — side by side with a static-response
// HTTPS server on the same machine (the limit). 100 concurrent keep-alive clients each; p50/p99
// latency and requests per second. Printed, not asserted.
//
// Fairness: the clients run in their own process (bench/metrics-server-load.ts), so the servers do not
// share an event loop with them; all servers run in this process, one at a time, and see the same
// clients (100 TLS connections opened before the clock starts, kept alive, Nagle off, one request at
// a time each, 2 s per load). Rounds alternate tide and static so a noisy neighbour on the machine hits
// both; medians over the rounds are printed, and each ratio pairs a load with the static load of its
// round. Server CPU per request (this process's CPU time ÷ requests) is printed too: when the client
// process, not the server, is the bottleneck (the static server on 2 cores), req/s flatters the slower
// server and CPU per request does not.
// Loads on tide: "same metric" (the issue's case: every client reads one ScaledObject's metric, so
// requests in flight together share one gRPC call — src/engine/metrics-service-grpc.ts), "distinct
// metrics" (client i reads ScaledObject i: no sharing, one gRPC call per request), both with the
// server's default authorizer (allow-all); and "same metric, delegating auth", the `tide metrics-server`
// command's default: the clients act as the aggregator's proxy (front-proxy client certificate,
// X-Remote-User/Group) and the SubjectAccessReview is answered in-process, then from its 10 s cache.
//
// The p99 < 5 ms goal is at the edge of what the limit itself does here: 100 clients keep 100 requests
// in flight, so mean latency = 100 ÷ throughput (Little's law), and the static server's 20-50k req/s on
// this 2-core machine (client process and server process on one core each, shared with other work)
// is a 2-5 ms mean before any tail. Measured: static p99 5.7-20 ms, tide (same metric) p99 5.9-17 ms.
//
// Where the rest goes (node --cpu-prof of this process): "distinct metrics" stays near 0.1× because one
// grpc-js unary call over mTLS costs ~150-250 µs of CPU for client and server together (measured alone,
// 100 concurrent calls), ~6× a whole static HTTPS request; tide's own code is < 10% of that path.
// "delegating auth" was ~1 ms per request while the front-proxy chain was parsed and verified on
// every request; it is now verified once per TLS connection (src/metrics-server/connection-certificates.ts),
// leaving the SubjectAccessReview cache lookup and the header parsing per request.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ScaleLoop } from '../src/engine/loop.js';
import { MetricsServiceClient } from '../src/engine/metrics-service-grpc.js';
import { loopMetricsService } from '../src/engine/metrics-service.js';
import { issueBundle, serviceDnsNames } from '../src/kube/certificates/issue.js';
import { createAuthenticator } from '../src/metrics-server/authentication.js';
import { createAuthorizer } from '../src/metrics-server/authorization.js';
import { parseCertificates } from '../src/metrics-server/client-certificates.js';
import { delegatingAuthorizer } from '../src/metrics-server/request-auth.js';
import { startMetricsApiServer } from '../src/metrics-server/server.js';
import { startMetricsServiceServer } from '../src/operator/metrics-service-server.js';
import type { LoadRequest, LoadResult } from './metrics-server-load.js';

const CLIENTS = 100;
const DURATION_MS = 2_000;
const ROUNDS = 3;
const NAME = 'keda-metrics-apiserver.keda.svc';

/** Latency quantiles and throughput seen by the clients; cpuPerRequest: this process's (the servers') CPU µs per request. */
interface Result { p50: number; p99: number; rps: number; errors: number; cpuPerRequest: number }

/** DURATION_MS of GETs from CLIENTS concurrent keep-alive connections (connection i asks for paths[i % n]), sent by the load process. */
async function load(child: ChildProcess, port: number, paths: readonly string[], ca: string, as: Pick<LoadRequest, 'clientCertificate' | 'headers'> = {}): Promise<Result> {
  const request: LoadRequest = { port, paths, ca, servername: NAME, clients: CLIENTS, durationMs: DURATION_MS, ...as };
  const answer = new Promise<LoadResult & { message?: string }>((resolve, reject) => {
    const exited = (code: number | null): void => { reject(new Error(`the load generator exited (${String(code)})`)); };
    child.once('exit', exited);
    child.once('message', (m) => { child.off('exit', exited); resolve(m as LoadResult); });
  });
  const cpu = process.cpuUsage();
  child.send(request);
  const { latencies, seconds, errors, message } = await answer;
  const used = process.cpuUsage(cpu);
  if (message !== undefined) throw new Error(`load generator failed: ${message}`);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), rps: latencies.length / seconds, errors, cpuPerRequest: (used.user + used.system) / Math.max(1, latencies.length) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** The per-field median over rounds (errors summed). */
function medianOf(results: readonly Result[]): Result {
  return {
    p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)), rps: median(results.map((r) => r.rps)),
    cpuPerRequest: median(results.map((r) => r.cpuPerRequest)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** A loop of ScaledObject `name` whose one trigger has useCachedMetrics and a scaler that answers 42 at once. */
function cachedLoop(name: string): ScaleLoop {
  const so = {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: 'default' },
    spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'bench', useCachedMetrics: true, metadata: {} }] },
  };
  return new ScaleLoop(so as never, { getReplicas: () => Promise.resolve({ replicas: 1, readyReplicas: 1 }), setReplicas: () => Promise.resolve() }, {
    mode: 'keda', externalHpa: true,
    scalers: () => ({
      metricSpecs: [{ kind: 'External', metricName: 's0-bench', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 0 }],
      getMetricsAndActivity: () => Promise.resolve({ metricName: 's0-bench', valueMilli: 42_000, active: true }),
      close: () => Promise.resolve(),
    }),
  });
}

const metricPath = (name: string): string => `/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-bench?labelSelector=scaledobject.keda.sh%2Fname%3D${name}`;

/** Runs the benchmark and returns printable lines. */
export async function benchMetricsServer(): Promise<string[]> {
  const bundle = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-operator', 'keda-metrics-apiserver']), now: new Date() });
  const tls = { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
  // One loop per client, each polled once, so every read comes from the loop's cache.
  const names = Array.from({ length: CLIENTS }, (_, i) => `bench-${i}`);
  const loops = new Map(names.map((name) => [name, cachedLoop(name)]));
  for (const loop of loops.values()) await loop.pollNow();
  const service = await startMetricsServiceServer({ address: { host: '127.0.0.1', port: 0 }, tls, service: loopMetricsService((_namespace, name) => loops.get(name)) });
  const client = new MetricsServiceClient({ address: `127.0.0.1:${service.port}`, tls, authority: 'keda-operator.keda.svc' });
  const adapter = await startMetricsApiServer({ port: 0, host: '127.0.0.1', certificate: { cert: tls.cert, key: tls.key }, service: client });
  // The command's default: delegating authentication and authorization. The clients act as the
  // aggregator's proxy (front-proxy client certificate from the shared CA, X-Remote-User/Group); the
  // SubjectAccessReview is answered allowed in-process (no API server), then from its 10 s cache.
  // Parsed once, as the command parses them once per read of the authentication ConfigMap.
  const authConfig = { requestHeader: { cas: parseCertificates(tls.ca), allowedNames: [], usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] } };
  const authenticate = createAuthenticator({ config: () => authConfig });
  const authorize = createAuthorizer({ api: { request: () => Promise.resolve({ status: { allowed: true } }) } });
  const guarded = await startMetricsApiServer({ port: 0, host: '127.0.0.1', certificate: { cert: tls.cert, key: tls.key }, service: client, authorize: delegatingAuthorizer({ authenticate, authorize }) });
  const asProxy = { clientCertificate: { cert: tls.cert, key: tls.key }, headers: ['X-Remote-User: system:serviceaccount:kube-system:horizontal-pod-autoscaler', 'X-Remote-Group: system:serviceaccounts'] };
  const staticBody = JSON.stringify({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items: [{ metricName: 's0-bench', metricLabels: null, timestamp: '2024-01-01T00:00:00Z', value: '42' }] });
  const staticServer = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(staticBody) }).end(staticBody);
  });
  await new Promise<void>((resolve) => { staticServer.listen(0, '127.0.0.1', resolve); });
  const child = fork(fileURLToPath(new URL('./metrics-server-load.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const same = [metricPath('bench-0')];
  const distinct = names.map(metricPath);
  try {
    const staticPort = (staticServer.address() as AddressInfo).port;
    // Warm-up (JIT) of both servers and the client.
    await load(child, adapter.port, distinct, tls.ca);
    await load(child, guarded.port, same, tls.ca, asProxy);
    await load(child, staticPort, same, tls.ca);
    const rounds: { tide: Result; distinct: Result; auth: Result; limit: Result }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push({
        tide: await load(child, adapter.port, same, tls.ca),
        distinct: await load(child, adapter.port, distinct, tls.ca),
        auth: await load(child, guarded.port, same, tls.ca, asProxy),
        limit: await load(child, staticPort, same, tls.ca),
      });
    }
    const tide = medianOf(rounds.map((r) => r.tide));
    const spread = medianOf(rounds.map((r) => r.distinct));
    const auth = medianOf(rounds.map((r) => r.auth));
    const limit = medianOf(rounds.map((r) => r.limit));
    // Each round's ratio uses the static server measured in that round (same neighbours), then the median.
    const ratio = (pick: (r: (typeof rounds)[number]) => Result): string => median(rounds.map((r) => pick(r).rps / r.limit.rps)).toFixed(2);
    const cpuRatio = (pick: (r: (typeof rounds)[number]) => Result): string => median(rounds.map((r) => r.limit.cpuPerRequest / pick(r).cpuPerRequest)).toFixed(2);
    const fmt = (r: Result): string => `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${Math.round(r.rps)} req/s, ${Math.round(r.cpuPerRequest)} µs server CPU/req${r.errors > 0 ? `, ${r.errors} errors` : ''}`;
    return [
      `metrics-server: cached reads, ${CLIENTS} keep-alive clients in a separate process, ${DURATION_MS / 1000} s × ${ROUNDS} rounds, medians (HTTPS → gRPC mTLS → ScaleLoop cache; authorizer: the server's default allow-all unless the line says delegating auth)`,
      `  tide, same metric:       ${fmt(tide)}`,
      `  tide, distinct metrics:  ${fmt(spread)}`,
      `  tide, same metric, delegating auth (front-proxy cert + X-Remote-User, SAR cached): ${fmt(auth)}`,
      `  static HTTPS server:     ${fmt(limit)}`,
      `  throughput ratio tide/static: same metric ${ratio((r) => r.tide)}, distinct metrics ${ratio((r) => r.distinct)}, same metric with auth ${ratio((r) => r.auth)} (goal ≥ 0.5)`,
      `  p99 goal < 5 ms: tide (same metric) ${tide.p99.toFixed(2)} ms, ${tide.p99 < 5 ? 'met' : 'not met'}; the static server ${limit.p99.toFixed(2)} ms, ${limit.p99 < 5 ? 'met' : 'not met either'} (its mean latency is at least ${CLIENTS} in flight ÷ ${Math.round(limit.rps)} req/s = ${(CLIENTS / limit.rps * 1000).toFixed(2)} ms, Little's law)`,
      `  requests per server-CPU-second, tide/static: same metric ${cpuRatio((r) => r.tide)}, distinct metrics ${cpuRatio((r) => r.distinct)}, same metric with auth ${cpuRatio((r) => r.auth)}`,
    ];
  } finally {
    child.kill();
    await adapter.close();
    await guarded.close();
    client.close();
    await service.close();
    for (const loop of loops.values()) await loop.stop();
    await new Promise<void>((resolve) => { staticServer.close(() => { resolve(); }); });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of await benchMetricsServer()) console.log(line);
}
