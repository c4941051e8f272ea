// queueTrigger against a real Azurite (in process, free ports) with a fake Dispatch: delivery and
// delete, batch concurrency, retry after visibilityTimeout, poison, undecodable base64, and the
// configuration errors a user can make.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { queueTrigger } from '../../../../src/functions/host/triggers/queue-trigger.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';
import { failed, hostContext, listenerFor, metadataJson, ok, queueCount, queueFunction, rawQueue, recorder, waitFor } from './queue-trigger-fixture.js';
import type { QueueListener } from '../../../../src/functions/host/triggers/queue-trigger.js';

let azurite: Azurite;
let counter = 0;
const running: QueueListener[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
});

afterEach(() => {
  for (const listener of running.splice(0)) listener.abandon();
});

afterAll(async () => {
  await azurite.stop();
});

async function newQueue(): Promise<string> {
  const name = `qt-${process.pid}-${++counter}`;
  await rawQueue(azurite.connection, name).create();
  return name;
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function start(name: string, queues: Record<string, unknown>, dispatch: Parameters<QueueListener['start']>[0], leaseMs = 2_000): { listener: QueueListener; ctx: ReturnType<typeof hostContext> } {
  const ctx = hostContext(azurite.connection, queues);
  const { listener } = listenerFor(queueFunction(name), ctx, { leaseMs });
  running.push(listener);
  void listener.start(dispatch);
  return { listener, ctx };
}

test('delivers each message once as {string} with §6.4 metadata, then deletes it', async () => {
  const name = await newQueue();
  const queue = rawQueue(azurite.connection, name);
  const sent = await queue.sendMessage(b64('{"order":1}'));
  await queue.sendMessage(b64('plain text'));
  const seen = recorder();
  const { listener } = start(name, {}, seen.dispatch);
  await waitFor(() => seen.events.length === 2 && listener.inFlight === 0, 5_000, 'two settled messages');
  expect(seen.events.map((e) => e.value.string).sort()).toEqual(['plain text', '{"order":1}']);
  const first = seen.events.find((e) => e.value.string === '{"order":1}');
  expect(first?.metadata['QueueTrigger']).toEqual({ string: '{"order":1}' });
  expect(first?.metadata['Id']).toEqual({ string: sent.messageId });
  expect(metadataJson(first, 'DequeueCount')).toBe(1);
  expect(metadataJson(first, 'InsertionTime')).toBe(sent.insertedOn.toISOString());
  expect(typeof first?.metadata['PopReceipt']?.string).toBe('string');
  expect(Date.parse(String(metadataJson(first, 'NextVisibleTime')))).toBeGreaterThan(Date.now()); // under the 2 s lease
  await listener.stop();
  expect(await queueCount(queue)).toBe(0);
});

test('batchSize 4, newBatchThreshold 0: 8 messages run 4 at a time, never more', async () => {
  const name = await newQueue();
  const queue = rawQueue(azurite.connection, name);
  await Promise.all(Array.from({ length: 8 }, (_, i) => queue.sendMessage(b64(`m${i}`))));
  const seen = recorder(async () => {
    await new Promise((resolve) => setTimeout(resolve, 250));
    return ok;
  });
  const { listener } = start(name, { batchSize: 4, newBatchThreshold: 0 }, seen.dispatch);
  await waitFor(() => listener.inFlight === 4, 3_000, 'a full batch in flight');
  await waitFor(() => seen.events.length === 8 && listener.inFlight === 0, 5_000, 'all eight settled');
  // A second batch only starts once the first has settled (threshold 0), so the peak is exactly 4.
  expect(seen.maxConcurrent()).toBe(4);
  expect(new Set(seen.events.map((e) => e.value.string)).size).toBe(8);
  expect(await queueCount(queue)).toBe(0);
});

test('a failure is retried after visibilityTimeout (1 s) with DequeueCount 2', async () => {
  const name = await newQueue();
  await rawQueue(azurite.connection, name).sendMessage(b64('retry me'));
  const seen = recorder((_event, index) => (index === 0 ? failed() : ok));
  const { listener } = start(name, { visibilityTimeout: '00:00:01', maxPollingInterval: '00:00:00.200' }, seen.dispatch);
  await waitFor(() => seen.events.length === 2 && listener.inFlight === 0, 5_000, 'the retry');
  expect(seen.events.map((e) => metadataJson(e, 'DequeueCount'))).toEqual([1, 2]);
  // Invisible for 1 s after the failure; allow Storage's whole-second clock some slack.
  expect((seen.times[1] ?? 0) - (seen.times[0] ?? 0)).toBeGreaterThanOrEqual(900);
  expect(await queueCount(rawQueue(azurite.connection, name))).toBe(0);
});

test('a message that always fails runs 5 times, then moves to <queue>-poison as stored', async () => {
  const name = await newQueue();
  const body = b64('always fails');
  await rawQueue(azurite.connection, name).sendMessage(body);
  const seen = recorder(() => failed('boom'));
  const { listener, ctx } = start(name, { maxPollingInterval: '00:00:00.200' }, seen.dispatch);
  const poison = rawQueue(azurite.connection, `${name}-poison`);
  await waitFor(async () => (await poison.exists()) && (await queueCount(poison)) === 1, 8_000, 'the poison message');
  await listener.drain();
  expect(seen.events.map((e) => metadataJson(e, 'DequeueCount'))).toEqual([1, 2, 3, 4, 5]);
  const peeked = await poison.peekMessages();
  expect(peeked.peekedMessageItems[0]?.messageText).toBe(body);
  expect(await queueCount(rawQueue(azurite.connection, name))).toBe(0);
  expect(ctx.lines.some((l) => l.level === 'warn' && l.message.includes('MaxDequeueCount of 5'))).toBe(true);
});

test('a message already dequeued 5 times elsewhere (DequeueCount 6 > 5) is poisoned without running', async () => {
  const name = await newQueue();
  const queue = rawQueue(azurite.connection, name);
  await queue.sendMessage(b64('worn out'));
  // Each receive counts a dequeue; making it visible again at once lets the next one see it: 5 of them.
  for (let i = 0; i < 5; i++) {
    const [message] = (await queue.receiveMessages()).receivedMessageItems;
    if (message) await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
  }
  const seen = recorder();
  start(name, {}, seen.dispatch);
  const poison = rawQueue(azurite.connection, `${name}-poison`);
  await waitFor(async () => (await poison.exists()) && (await queueCount(poison)) === 1, 5_000, 'the poison message');
  expect(seen.events).toHaveLength(0);
});

test('maxDequeueCount 2: poisoned after the second failure', async () => {
  const name = await newQueue();
  await rawQueue(azurite.connection, name).sendMessage(b64('x'));
  const seen = recorder(() => failed());
  start(name, { maxDequeueCount: 2, maxPollingInterval: '00:00:00.200' }, seen.dispatch);
  const poison = rawQueue(azurite.connection, `${name}-poison`);
  await waitFor(async () => (await poison.exists()) && (await queueCount(poison)) === 1, 5_000, 'the poison message');
  expect(seen.events).toHaveLength(2);
});

test('text that is not base64 goes straight to the poison queue without running the function', async () => {
  const name = await newQueue();
  await rawQueue(azurite.connection, name).sendMessage('not base64!!');
  const seen = recorder();
  const { ctx } = start(name, {}, seen.dispatch);
  const poison = rawQueue(azurite.connection, `${name}-poison`);
  await waitFor(async () => (await poison.exists()) && (await queueCount(poison)) === 1, 5_000, 'the poison message');
  expect((await poison.peekMessages()).peekedMessageItems[0]?.messageText).toBe('not base64!!');
  expect(seen.events).toHaveLength(0);
  expect(ctx.lines.some((l) => l.level === 'error' && l.message.includes('not valid base64'))).toBe(true);
});

test('messageEncoding none: the stored text is delivered as is', async () => {
  const name = await newQueue();
  await rawQueue(azurite.connection, name).sendMessage('not base64!!');
  const seen = recorder();
  start(name, { messageEncoding: 'none' }, seen.dispatch);
  await waitFor(() => seen.events.length === 1, 3_000, 'the message');
  expect(seen.events[0]?.value).toEqual({ string: 'not base64!!' });
});

describe('configuration errors name what is missing', () => {
  const fnFor = (options: Record<string, unknown>) => queueFunction('orders', options);

  test('a connection setting that is not set is a BindingConfigError naming it', () => {
    const ctx = hostContext(azurite.connection);
    expect(() => queueTrigger.create(fnFor({ connection: 'OrdersStorage' }), fnFor({ connection: 'OrdersStorage' }).trigger, ctx)).toThrow(BindingConfigError);
    expect(() => queueTrigger.create(fnFor({ connection: 'OrdersStorage' }), fnFor({ connection: 'OrdersStorage' }).trigger, ctx)).toThrow('"OrdersStorage"');
  });

  test('an empty connection falls back to AzureWebJobsStorage, and says so when that is missing', () => {
    const ctx = { ...hostContext(azurite.connection), settings: {} };
    expect(() => queueTrigger.create(fnFor({}), fnFor({}).trigger, ctx)).toThrow('"AzureWebJobsStorage"');
  });

  test('UseDevelopmentStorage=true means Azurite on 127.0.0.1:10001; %NAME% queue names resolve and lower-case', () => {
    const ctx = hostContext('UseDevelopmentStorage=true', {}, { ORDERS_QUEUE: 'Orders-In' });
    const { config } = listenerFor(queueFunction('%ORDERS_QUEUE%'), ctx);
    expect(config.client.url).toBe('http://127.0.0.1:10001/devstoreaccount1/orders-in');
    expect(config.poisonClient?.url).toBe('http://127.0.0.1:10001/devstoreaccount1/orders-in-poison');
  });

  test('a missing %NAME% setting, a missing queueName, and a connection that is not a connection string', () => {
    const ctx = hostContext(azurite.connection, {}, { Bad: 'just-a-word' });
    expect(() => listenerFor(queueFunction('%NOPE%'), ctx)).toThrow('app setting "NOPE"');
    expect(() => listenerFor(queueFunction(''), ctx)).toThrow('"queueName" is required');
    expect(() => listenerFor(queueFunction('orders', { connection: 'Bad' }), ctx)).toThrow('connection setting "Bad"');
  });
});
