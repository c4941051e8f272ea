// metrics-api against a real local HTTP server (test/servers/http-fixture.ts), read through ScalerInstance.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scalerFor } from '../../src/scalers/index.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { startHttpFixture, type HttpFixture } from '../servers/http-fixture.js';
import { parsed } from './helpers.js';

let server: HttpFixture;

beforeAll(async () => {
  server = await startHttpFixture({
    '/stats': { body: JSON.stringify({ components: { worker: { tasks: 12, load: '2500m' } } }) },
    '/stats.yaml': { contentType: 'application/yaml', body: 'worker:\n  tasks: 7\n' },
    '/stats.xml': { contentType: 'application/xml', body: '<stats><worker><tasks>9</tasks></worker></stats>' },
    '/metrics': { contentType: 'text/plain', body: '# TYPE queue_depth gauge\nqueue_depth{queue="orders"} 21\nqueue_depth{queue="refunds"} 2\n' },
    '/broken': { status: 500, body: 'boom' },
    '/slow': { delayMs: 400, body: '{"v":1}' },
    '/token': { body: JSON.stringify({ access_token: 'acc3ss-token', token_type: 'Bearer', expires_in: 3600 }) },
  });
});
afterAll(async () => {
  await server.close();
});

function instance(metadata: Record<string, string>, authParams: Record<string, string> = {}): ScalerInstance {
  const scaler = scalerFor('metrics-api');
  if (!scaler) throw new Error('metrics-api is not registered');
  const full = { targetValue: '5', activationTargetValue: '10', ...metadata };
  return new ScalerInstance(scaler, parsed(scaler.parse({ metadata: full, authParams, triggerIndex: 0 })), { trigger: { index: 0, type: 'metrics-api' }, metadata: full });
}

async function readOnce(metadata: Record<string, string>, authParams: Record<string, string> = {}) {
  const scaler = instance(metadata, authParams);
  try {
    return await scaler.getMetricsAndActivity(Date.now());
  } finally {
    await scaler.close();
  }
}

async function failure(metadata: Record<string, string>, authParams: Record<string, string> = {}): Promise<ScalerError> {
  const error = await readOnce(metadata, authParams).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScalerError)) throw new Error(`expected a ScalerError, got ${String(error)}`);
  return error;
}

describe('metrics-api against a local HTTP server', () => {
  test.each([
    ['json', '/stats', 'components.worker.tasks', 12_000, true], // 12 > activation 10
    ['json Quantity string', '/stats', 'components.worker.load', 2500, false], // "2500m" = 2.5
    ['yaml', '/stats.yaml', 'worker.tasks', 7000, false],
    ['xml', '/stats.xml', 'stats.worker.tasks', 9000, false],
    ['prometheus', '/metrics', 'queue_depth{queue="orders"}', 21_000, true],
  ])('%s: value and activity', async (name, path, valueLocation, valueMilli, active) => {
    const format = name.split(' ')[0] ?? 'json';
    const reading = await readOnce({ url: `${server.url}${path}`, valueLocation, format });
    expect([reading.valueMilli, reading.active]).toEqual([valueMilli, active]);
  });

  test('the metric is named after valueLocation', async () => {
    const reading = await readOnce({ url: `${server.url}/stats`, valueLocation: 'components.worker.tasks' });
    expect(reading.metricName).toBe('s0-metric-api-components-worker-tasks');
  });

  test('activity compares the float: 12 > 10 active, with activation 12 inactive', async () => {
    const reading = await readOnce({ url: `${server.url}/stats`, valueLocation: 'components.worker.tasks', activationTargetValue: '12' });
    expect(reading.active).toBe(false);
  });

  test.each([
    ['basic', { authModes: 'basic', username: 'user', password: 'pa55word' }, (h: Record<string, unknown>) => h.authorization === `Basic ${Buffer.from('user:pa55word').toString('base64')}`],
    ['bearer', { authModes: 'bearer', bearerToken: 'tok-123' }, (h: Record<string, unknown>) => h.authorization === 'Bearer tok-123'],
    ['apiKey header (default X-API-KEY)', { authModes: 'apiKey', apiKey: 'k3y-1' }, (h: Record<string, unknown>) => h['x-api-key'] === 'k3y-1'],
    ['apiKey header named', { authModes: 'apiKey', apiKey: 'k3y-2', keyParamName: 'X-Token' }, (h: Record<string, unknown>) => h['x-token'] === 'k3y-2'],
    ['custom header', { authModes: 'custom', customAuthHeader: 'X-Auth', customAuthValue: 'v4lue' }, (h: Record<string, unknown>) => h['x-auth'] === 'v4lue'],
  ])('auth mode %s sets the header KEDA sets', async (_name, authParams, check) => {
    const before = server.requests.length;
    await readOnce({ url: `${server.url}/stats`, valueLocation: 'components.worker.tasks' }, authParams);
    const request = server.requests[before];
    expect(request && check(request.headers)).toBe(true);
  });

  test('apiKey with method query adds api_key (or keyParamName) to the query and keeps the existing query', async () => {
    const before = server.requests.length;
    await readOnce({ url: `${server.url}/stats?x=1`, valueLocation: 'components.worker.tasks', method: 'query' }, { authModes: 'apiKey', apiKey: 'qk3y' });
    await readOnce({ url: `${server.url}/stats`, valueLocation: 'components.worker.tasks', method: 'query', keyParamName: 'key' }, { authModes: 'apiKey', apiKey: 'qk3y' });
    const [first, second] = server.requests.slice(before);
    expect([first?.url.search, second?.url.search]).toEqual(['?x=1&api_key=qk3y', '?key=qk3y']);
  });

  test('oauth: one client-credentials token, reused across polls, sent as a bearer token', async () => {
    const before = server.requests.length;
    const scaler = instance(
      { url: `${server.url}/stats`, valueLocation: 'components.worker.tasks' },
      { authModes: 'oauth', oauthTokenURI: `${server.url}/token`, clientID: 'cli', clientSecret: 's3cret', scopes: 'read,write' },
    );
    await scaler.getMetricsAndActivity(Date.now());
    await scaler.getMetricsAndActivity(Date.now());
    await scaler.close();
    const seen = server.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['POST /token', 'GET /stats', 'GET /stats']);
    expect(new URLSearchParams(seen[0]?.body).toString()).toBe('grant_type=client_credentials&scope=read+write');
    expect(seen[1]?.headers.authorization).toBe('Bearer acc3ss-token');
  });

  test.each([
    ['HTTP 500', { url: `/broken`, valueLocation: 'a' }, 'trigger 0 (metrics-api): error requesting metrics endpoint: http://127.0.0.1:PORT/broken: api returned 500'],
    ['missing value', { url: `/stats`, valueLocation: 'components.worker.nope' }, "trigger 0 (metrics-api): error requesting metrics endpoint: valueLocation must point to value of type number or a string representing a Quantity got: 'Null'"],
    ['timeout (metadata timeout 100 ms, server answers after 400 ms)', { url: `/slow`, valueLocation: 'v', timeout: '100' }, 'trigger 0 (metrics-api): GET http://127.0.0.1:PORT/slow: no answer within 100 ms'],
  ])('%s is a ScalerError naming the trigger', async (_name, metadata, message) => {
    const error = await failure({ ...metadata, url: `${server.url}${metadata.url}` });
    expect(error.message).toBe(message.replace('PORT', new URL(server.url).port));
  });

  test('an unreachable server is a ScalerError without the API key', async () => {
    const error = await failure({ url: 'http://127.0.0.1:1/stats', valueLocation: 'a', method: 'query' }, { authModes: 'apiKey', apiKey: 'sup3r-secret' });
    expect(error.message).toMatch(/^trigger 0 \(metrics-api\): GET http:\/\/127\.0\.0\.1:1\/stats: connect ECONNREFUSED/);
    expect(error.message).not.toContain('sup3r-secret');
  });

  test('aggregateFromKubeServiceEndpoints needs Kubernetes', async () => {
    const error = await failure({ url: 'http://api.default:8080/stats', valueLocation: 'a', aggregateFromKubeServiceEndpoints: 'true' });
    expect(error.message).toContain('aggregateFromKubeServiceEndpoints needs Kubernetes');
  });
});
