// The adapter's gRPC client against the operator's real metrics service server (mTLS on 127.0.0.1):
// identical requests in flight together share one call; a request made after an answer gets a fresh
// call (never a kept value); errors are shared the same way and not remembered.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MetricsServiceClient } from '../../src/engine/metrics-service-grpc.js';
import { MetricsServiceError, type MetricRef, type MetricsService, type MetricValue } from '../../src/engine/metrics-service.js';
import { issueBundle, serviceDnsNames } from '../../src/kube/certificates/issue.js';
import { startMetricsServiceServer, type MetricsServiceServer } from '../../src/operator/metrics-service-server.js';

/** A service whose answers wait until the test releases them; counts the calls that reach it. */
class HeldService implements MetricsService {
  readonly calls: MetricRef[] = [];
  private readonly pending: (() => void)[] = [];
  value = 1;
  fail = false;

  getMetrics(ref: MetricRef): Promise<MetricValue[]> {
    this.calls.push(ref);
    return new Promise((resolve, reject) => {
      this.pending.push(() => {
        if (this.fail) reject(new MetricsServiceError('NotFound', `no matching metrics found for ${ref.metricName}`));
        else resolve([{ metricName: ref.metricName, valueMilli: this.value * 1000, timestamp: 1_700_000_000_000 }]);
      });
    });
  }

  /** Waits until `n` calls have reached the server, then answers them all. */
  async release(n: number): Promise<void> {
    while (this.pending.length < n) await new Promise((r) => setTimeout(r, 5));
    for (const answer of this.pending.splice(0)) answer();
  }
}

let server: MetricsServiceServer;
let client: MetricsServiceClient;
const held = new HeldService();

beforeAll(async () => {
  const bundle = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-operator', 'keda-metrics-apiserver']), now: new Date() });
  const tls = { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
  server = await startMetricsServiceServer({ address: { host: '127.0.0.1', port: 0 }, tls, service: held });
  client = new MetricsServiceClient({ address: `127.0.0.1:${server.port}`, tls, authority: 'keda-operator.keda.svc' });
});

afterAll(async () => {
  client.close();
  await server.close();
});

const ref = (metricName: string, name = 'web'): MetricRef => ({ namespace: 'default', name, metricName });

describe('MetricsServiceClient', () => {
  test('identical requests in flight together share one call; different ones do not', async () => {
    held.calls.length = 0;
    const answers = Promise.all([client.getMetrics(ref('s0-a')), client.getMetrics(ref('s0-a')), client.getMetrics(ref('s0-a')), client.getMetrics(ref('s0-b')), client.getMetrics(ref('s0-a', 'other'))]);
    await held.release(3);
    const [a1, a2, a3, b, other] = await answers;
    expect(held.calls).toHaveLength(3);
    expect(a1).toEqual([{ metricName: 's0-a', valueMilli: 1000, timestamp: 1_700_000_000_000 }]);
    expect(a2).toEqual(a1);
    expect(a3).toEqual(a1);
    expect(a2).not.toBe(a1); // each caller gets its own array
    expect(b[0]?.metricName).toBe('s0-b');
    expect(other[0]?.metricName).toBe('s0-a');
  });

  test('a request made after the answer is a new call that sees the new value', async () => {
    held.calls.length = 0;
    held.value = 1;
    const first = client.getMetrics(ref('s0-a'));
    await held.release(1);
    expect((await first)[0]?.valueMilli).toBe(1000);
    held.value = 2;
    const second = client.getMetrics(ref('s0-a'));
    await held.release(1);
    expect((await second)[0]?.valueMilli).toBe(2000);
    expect(held.calls).toHaveLength(2);
  });

  test('an error is shared by the requests in flight and not kept for the next one', async () => {
    held.calls.length = 0;
    held.fail = true;
    const failing = Promise.allSettled([client.getMetrics(ref('s0-a')), client.getMetrics(ref('s0-a'))]);
    await held.release(1);
    const settled = await failing;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    const reason: unknown = settled[0].status === 'rejected' ? settled[0].reason : undefined;
    expect(reason).toBeInstanceOf(MetricsServiceError);
    expect((reason as MetricsServiceError).code).toBe('NotFound');
    held.fail = false;
    const after = client.getMetrics(ref('s0-a'));
    await held.release(1);
    expect((await after)[0]?.valueMilli).toBe(2000);
    expect(held.calls).toHaveLength(2);
  });
});
