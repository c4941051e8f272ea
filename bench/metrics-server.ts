// bench/metrics-server: cached metric reads as the HPA makes them — HTTPS GET of an external metric
// on tide's metrics server, which asks the operator's metrics service (gRPC over mTLS, in-process)
// for the value of a ScaleLoop trigger with useCachedMetrics — side by side with a static-response
// HTTPS server on the same machine (the limit). 100 concurrent keep-alive clients each; p50/p99
// latency and requests per second. Printed, not asserted.
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ScaleLoop } from '../src/engine/loop.js';
import { MetricsServiceClient } from '../src/engine/metrics-service-grpc.js';
import { loopMetricsService } from '../src/engine/metrics-service.js';
import { issueBundle, serviceDnsNames } from '../src/kube/certificates/issue.js';
import { startMetricsApiServer } from '../src/metrics-server/server.js';
import { startMetricsServiceServer } from '../src/operator/metrics-service-server.js';

const CLIENTS = 100;
const REQUESTS = 20_000;
const NAME = 'keda-metrics-apiserver.keda.svc';

interface Result { p50: number; p99: number; rps: number; errors: number }

/** REQUESTS GETs of `path` from CLIENTS concurrent keep-alive clients. */
async function load(port: number, path: string, ca: string): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS, ca, servername: NAME });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const one = (): Promise<void> => new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent, ca, servername: NAME }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - t0);
        if (res.statusCode !== 200) errors++;
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
  const worker = async (): Promise<void> => {
    while (next++ < REQUESTS) await one();
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), rps: latencies.length / seconds, errors };
}

/** Runs the benchmark and returns printable lines. */
export async function benchMetricsServer(): Promise<string[]> {
  const bundle = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-operator', 'keda-metrics-apiserver']), now: new Date() });
  const tls = { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
  // A loop whose one trigger has useCachedMetrics and a scaler that answers 42 at once; polled once, so reads come from the cache.
  const so = {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'bench', namespace: 'default' },
    spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'bench', useCachedMetrics: true, metadata: {} }] },
  };
  const loop = new ScaleLoop(so as never, { getReplicas: () => Promise.resolve({ replicas: 1, readyReplicas: 1 }), setReplicas: () => Promise.resolve() }, {
    mode: 'keda', externalHpa: true,
    scalers: () => ({
      metricSpecs: [{ kind: 'External', metricName: 's0-bench', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 0 }],
      getMetricsAndActivity: () => Promise.resolve({ metricName: 's0-bench', valueMilli: 42_000, active: true }),
      close: () => Promise.resolve(),
    }),
  });
  await loop.pollNow();
  const service = await startMetricsServiceServer({ address: { host: '127.0.0.1', port: 0 }, tls, service: loopMetricsService(() => loop) });
  const client = new MetricsServiceClient({ address: `127.0.0.1:${service.port}`, tls, authority: 'keda-operator.keda.svc' });
  const adapter = await startMetricsApiServer({ port: 0, host: '127.0.0.1', certificate: { cert: tls.cert, key: tls.key }, service: client });
  const staticBody = JSON.stringify({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items: [{ metricName: 's0-bench', metricLabels: null, timestamp: '2024-01-01T00:00:00Z', value: '42' }] });
  const staticServer = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }).end(staticBody); });
  await new Promise<void>((resolve) => { staticServer.listen(0, '127.0.0.1', resolve); });
  const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-bench?labelSelector=scaledobject.keda.sh%2Fname%3Dbench';
  try {
    await load(adapter.port, path, tls.ca); // warm-up (TLS sessions, JIT)
    const tide = await load(adapter.port, path, tls.ca);
    const limit = await load((staticServer.address() as AddressInfo).port, path, tls.ca);
    const fmt = (r: Result): string => `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${Math.round(r.rps)} req/s${r.errors > 0 ? `, ${r.errors} errors` : ''}`;
    return [
      `metrics-server: cached reads, ${CLIENTS} clients, ${REQUESTS} requests (HTTPS → gRPC mTLS → ScaleLoop cache)`,
      `  tide metrics-server: ${fmt(tide)}`,
      `  static HTTPS server: ${fmt(limit)}`,
      `  throughput ratio tide/static: ${(tide.rps / limit.rps).toFixed(2)} (goal ≥ 0.5); p99 goal < 5 ms`,
    ];
  } finally {
    await adapter.close();
    client.close();
    await service.close();
    await loop.stop();
    await new Promise<void>((resolve) => { staticServer.close(() => { resolve(); }); });
  }
}
