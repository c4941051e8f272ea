// azure-servicebus against a FAKE Service Bus management API (test/servers/fake-servicebus.ts): no
// Service Bus server exists on this machine. The fake checks the SAS signature like the service.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scalerFor } from '../../src/scalers/index.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { startFakeServiceBus, type FakeServiceBus } from '../servers/fake-servicebus.js';

let fake: FakeServiceBus;

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

beforeAll(async () => {
  fake = await startFakeServiceBus();
});
afterAll(async () => {
  await fake.close();
});

function open(metadata: Record<string, string>, connection = fake.connectionString()): ScalerInstance {
  const scaler = scalerFor('azure-servicebus');
  if (!scaler) throw new Error('azure-servicebus is not registered');
  const parsed = scaler.parse({ metadata: { connectionFromEnv: 'SB', ...metadata }, env: { SB: connection }, triggerIndex: 0 });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return new ScalerInstance(scaler, parsed, { trigger: { index: 0, type: 'azure-servicebus' }, metadata, timeoutMs: 2000 });
}

async function read(metadata: Record<string, string>, connection?: string) {
  const instance = open(metadata, connection);
  try {
    return await instance.getMetricsAndActivity(Date.now());
  } finally {
    await instance.close();
  }
}

async function failure(metadata: Record<string, string>, connection?: string): Promise<ScalerError> {
  const error = await read(metadata, connection).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ScalerError)) throw new Error(`expected a ScalerError, got ${String(error)}`);
  return error;
}

describe('azure-servicebus against the fake Service Bus management API', () => {
  test('queue: ActiveMessageCount 7 (dead letters not counted) → 7000 milli, active over activation 6', async () => {
    fake.queues.set('orders', 7);
    expect(await read({ queueName: 'orders', activationMessageCount: '6' })).toEqual({ metricName: 's0-azure-servicebus-orders', valueMilli: 7000, active: true });
    expect(fake.requests.at(-1)).toBe('/orders?api-version=2021-05');
  });

  test('empty queue → 0, inactive', async () => {
    fake.queues.set('empty', 0);
    expect(await read({ queueName: 'empty' })).toMatchObject({ valueMilli: 0, active: false });
  });

  test('activation is strict: 3 messages with activationMessageCount 3 → inactive', async () => {
    fake.queues.set('three', 3);
    expect(await read({ queueName: 'three', activationMessageCount: '3' })).toMatchObject({ valueMilli: 3000, active: false });
  });

  test('topic subscription: 11 active', async () => {
    fake.topics.set('events', new Map([['audit', 11], ['billing', 4]]));
    expect(await read({ topicName: 'events', subscriptionName: 'audit' })).toEqual({ metricName: 's0-azure-servicebus-events', valueMilli: 11_000, active: true });
    expect(fake.requests.at(-1)).toBe('/events/Subscriptions/audit?api-version=2021-05');
  });

  test.each([
    ['sum', 2 + 5 + 9],
    ['max', 9],
    ['avg', 5], // 16 / 3 = 5.33 → 5
  ])('queue regex ^job-.*$ over job-a 2, job-b 5, job-c 9 (not xjob-d 100) with %s → %d', async (operation, expected) => {
    for (const [name, n] of [['job-a', 2], ['job-b', 5], ['job-c', 9], ['xjob-d', 100]] as const) fake.queues.set(name, n);
    const r = await read({ queueName: 'job-.*', useRegex: 'true', operation });
    expect(r).toMatchObject({ metricName: 's0-azure-servicebus-queue-regex', valueMilli: expected * 1000 });
    expect(fake.requests.at(-1)).toBe('/$Resources/queues?$skip=0&$top=100&api-version=2021-05');
  });

  test('queue listing is paged: 230 queues of 1 message each, 3 pages → sum 230', async () => {
    for (let i = 0; i < 230; i++) fake.queues.set(`bulk-${String(i).padStart(3, '0')}`, 1);
    const before = fake.requests.length;
    expect(await read({ queueName: 'bulk-\\d+', useRegex: 'true' })).toMatchObject({ valueMilli: 230_000 });
    expect(fake.requests.slice(before).map((r) => r.split('&')[0])).toEqual(['/$Resources/queues?$skip=0', '/$Resources/queues?$skip=100', '/$Resources/queues?$skip=200']);
    for (let i = 0; i < 230; i++) fake.queues.delete(`bulk-${String(i).padStart(3, '0')}`);
  });

  test('subscription regex with max: audit 11, billing 4 → 11', async () => {
    fake.topics.set('events', new Map([['audit', 11], ['billing', 4]]));
    expect(await read({ topicName: 'events', subscriptionName: '(audit|billing)', useRegex: 'true', operation: 'max' })).toMatchObject({ metricName: 's0-azure-servicebus-topic-regex', valueMilli: 11_000 });
  });

  test('regex matching nothing → 0, inactive', async () => {
    expect(await read({ queueName: 'nomatch-.*', useRegex: 'true', operation: 'avg' })).toMatchObject({ valueMilli: 0, active: false });
  });

  test('missing queue → KEDA\'s error naming it', async () => {
    const e = await failure({ queueName: 'ghost' });
    expect(e.message).toBe("trigger 0 (azure-servicebus): queue ghost doesn't exist");
    expect(e.kind).toBe('read');
  });

  test('missing subscription → error naming subscription and topic', async () => {
    fake.topics.set('events', new Map([['audit', 1]]));
    expect((await failure({ topicName: 'events', subscriptionName: 'nope' })).message).toBe("trigger 0 (azure-servicebus): subscription nope doesn't exist in topic events");
  });

  test('a wrong key is refused by the fake (401 InvalidSignature); the key never appears in the error', async () => {
    fake.queues.set('orders', 7);
    const wrong = 'd3Jvbmcta2V5LXZhbHVl';
    const e = await failure({ queueName: 'orders' }, fake.connectionString(wrong));
    expect(e.message).toMatch(/^trigger 0 \(azure-servicebus\): the Service Bus management API answered 401: InvalidSignature/);
    expect(e.message).not.toContain(wrong);
  });

  test('unreachable namespace → ScalerError, no secret in the message', async () => {
    const port = await closedPort();
    const e = await failure({ queueName: 'orders' }, `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=k;SharedAccessKey=${fake.key};UseDevelopmentEmulator=true`);
    expect(e.message).toMatch(new RegExp(`^trigger 0 \\(azure-servicebus\\): cannot reach the Service Bus namespace 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(e.kind).toBe('read');
    expect(e.message).not.toContain(fake.key);
  });

  test('malformed connection string → unreachable ScalerError naming what is missing', async () => {
    const e = await failure({ queueName: 'orders' }, 'SharedAccessKeyName=k;SharedAccessKey=topsecret');
    expect(e.message).toBe('trigger 0 (azure-servicebus): the connection string has no Endpoint');
    expect(e.kind).toBe('unreachable');
  });

  test('one connection serves many polls', async () => {
    fake.queues.set('orders', 1);
    const instance = open({ queueName: 'orders' });
    expect((await instance.getMetricsAndActivity(Date.now())).valueMilli).toBe(1000);
    fake.queues.set('orders', 4);
    expect((await instance.getMetricsAndActivity(Date.now())).valueMilli).toBe(4000);
    await instance.close();
  });
});
