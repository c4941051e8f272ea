// prometheus against Debian's Prometheus scraping a small exporter, and against a fake of the
// Prometheus HTTP API (a plain local server) for the answers a healthy Prometheus rarely gives.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scalerFor } from '../../src/scalers/index.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { skipWithout } from '../servers/availability.js';
import { startHttpFixture, type HttpFixture } from '../servers/http-fixture.js';
import { startPrometheus, type PrometheusServer } from '../servers/prometheus.js';
import { parsed } from './helpers.js';

const EXPORTED = '# TYPE tide_queue_depth gauge\ntide_queue_depth{queue="orders"} 17\ntide_queue_depth{queue="refunds"} 4\n';

function instance(metadata: Record<string, string>, authParams: Record<string, string> = {}): ScalerInstance {
  const scaler = scalerFor('prometheus');
  if (!scaler) throw new Error('prometheus is not registered');
  const full = { threshold: '10', activationThreshold: '16.5', ...metadata };
  return new ScalerInstance(scaler, parsed(scaler.parse({ metadata: full, authParams, triggerIndex: 0 })), { trigger: { index: 0, type: 'prometheus' }, metadata: full });
}

async function readOnce(metadata: Record<string, string>, authParams: Record<string, string> = {}) {
  const scaler = instance(metadata, authParams);
  try {
    return await scaler.getMetricsAndActivity(Date.now());
  } finally {
    await scaler.close();
  }
}

async function failure(metadata: Record<string, string>): Promise<ScalerError> {
  const error = await readOnce(metadata).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScalerError)) throw new Error(`expected a ScalerError, got ${String(error)}`);
  return error;
}

describe.skipIf(skipWithout('prometheus'))('prometheus against a real Prometheus', () => {
  let server: PrometheusServer;
  beforeAll(async () => {
    server = await startPrometheus(EXPORTED);
    await server.waitForSeries('tide_queue_depth');
  }, 40_000);
  afterAll(async () => {
    await server.stop();
  });

  test.each([
    ['one series: 17 > activation 16.5 → active', 'tide_queue_depth{queue="orders"}', 17_000, true],
    ['sum over both series: 17 + 4 = 21', 'sum(tide_queue_depth)', 21_000, true],
    ['4 is below activation 16.5', 'tide_queue_depth{queue="refunds"}', 4000, false],
    ['no series, ignoreNullValues (default): 0', 'tide_not_exported', 0, false],
  ])('%s', async (_name, query, valueMilli, active) => {
    expect(await readOnce({ serverAddress: server.url, query })).toEqual({ metricName: 's0-prometheus', valueMilli, active });
  });

  test('no series with ignoreNullValues false is an error', async () => {
    const error = await failure({ serverAddress: server.url, query: 'tide_not_exported', ignoreNullValues: 'false' });
    expect(error.message).toBe("trigger 0 (prometheus): prometheus metrics 'prometheus' target may be lost, the result is empty");
  });

  test('two series is an error', async () => {
    const error = await failure({ serverAddress: server.url, query: 'tide_queue_depth' });
    expect(error.message).toBe('trigger 0 (prometheus): prometheus query tide_queue_depth returned multiple elements');
  });

  test('a query Prometheus rejects (HTTP 400) is an error', async () => {
    const error = await failure({ serverAddress: server.url, query: 'sum(' });
    expect(error.message).toBe(`trigger 0 (prometheus): prometheus query api at ${server.url}/api/v1/query returned HTTP 400`);
  });
});

describe('prometheus against a fake of the Prometheus HTTP API', () => {
  let fake: HttpFixture;
  const vector = (...values: string[]) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result: values.map((v) => ({ metric: {}, value: [1700000000, v] })) } });
  beforeAll(async () => {
    fake = await startHttpFixture({ '/api/v1/query': { body: vector('3.25') } });
  });
  afterAll(async () => {
    await fake.close();
  });

  test('the request: query, time (RFC 3339, UTC seconds), namespace, queryParameters, customHeaders, bearer auth', async () => {
    const before = fake.requests.length;
    const now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const scaler = instance({ serverAddress: fake.url, query: 'sum(rate(x{a="b"}[1m]))', namespace: 'shop', queryParameters: 'dedup=true', customHeaders: 'X-Scope-OrgID=tenant1' }, { authModes: 'bearer', bearerToken: 'b3arer' });
    const reading = await scaler.getMetricsAndActivity(now);
    await scaler.close();
    const request = fake.requests[before];
    expect(reading).toEqual({ metricName: 's0-prometheus', valueMilli: 3250, active: false });
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ query: 'sum(rate(x{a="b"}[1m]))', time: '2024-01-02T03:04:05Z', namespace: 'shop', dedup: 'true' });
    expect([request?.headers['x-scope-orgid'], request?.headers.authorization]).toEqual(['tenant1', 'Bearer b3arer']);
  });

  test.each([
    ['HTTP 500', { status: 500, body: 'boom' }, 'true', `prometheus query api at FAKE/api/v1/query returned HTTP 500`],
    ['NaN without ignoreNullValues', { body: vector('NaN') }, 'false', 'prometheus query returns NaN'],
    ['+Inf without ignoreNullValues', { body: vector('+Inf') }, 'false', 'prometheus query returns Infinity'],
    ['empty value list', { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [] }] } }) }, 'false', "prometheus metrics 'prometheus' target may be lost, the value list is empty"],
    ['a scalar result', { body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '1'] } }) }, 'true', 'prometheus query q returned a "scalar", not an instant vector'],
    ['not JSON', { body: '<html>' }, 'true', 'prometheus query q answered with something that is not JSON'],
  ])('%s is an error', async (_name, route, ignoreNullValues, message) => {
    fake.route('/api/v1/query', route);
    const error = await failure({ serverAddress: fake.url, query: 'q', ignoreNullValues });
    expect(error.message).toBe(`trigger 0 (prometheus): ${message.replace('FAKE', fake.url)}`);
  });

  test.each([
    ['NaN', vector('NaN')],
    ['-Inf', vector('-Inf')],
  ])('%s with ignoreNullValues (default) reads 0', async (_name, body) => {
    fake.route('/api/v1/query', { body });
    expect((await readOnce({ serverAddress: fake.url, query: 'q' })).valueMilli).toBe(0);
  });

  test('activity compares floats as KEDA does: 16.5004 > 16.5 is active though both are 16500 milli', async () => {
    fake.route('/api/v1/query', { body: vector('16.5004') });
    const reading = await readOnce({ serverAddress: fake.url, query: 'q' });
    // 16.5004 → 16500 milli, equal to the activation target's milli, yet KEDA compares floats: active.
    expect([reading.valueMilli, reading.active]).toEqual([16_500, true]);
  });

  test('an unreachable server is a ScalerError', async () => {
    const error = await failure({ serverAddress: 'http://127.0.0.1:1', query: 'q' });
    expect(error.message).toMatch(/^trigger 0 \(prometheus\): GET http:\/\/127\.0\.0\.1:1\/api\/v1\/query: connect ECONNREFUSED/);
  });
});
