// queueTrigger over time against a real Azurite: a kill before settling loses nothing (the message
// comes back to a new listener after the lease), the lease is renewed while a slow handler runs,
// drain waits for in-flight messages, and idle polling backs off (and wakes on an enqueue).
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { queueOutput } from '../../../../src/functions/host/bindings/queue-output.js';
import type { QueueListener } from '../../../../src/functions/host/triggers/queue-trigger.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';
import { hostContext, listenerFor, metadataJson, ok, queueCount, queueFunction, rawQueue, recorder, waitFor } from './queue-trigger-fixture.js';

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

function queueName(): string {
  return `ql-${process.pid}-${++counter}`;
}

async function newQueue(...bodies: string[]): Promise<string> {
  const name = queueName();
  const queue = rawQueue(azurite.connection, name);
  await queue.create();
  for (const body of bodies) await queue.sendMessage(Buffer.from(body).toString('base64'));
  return name;
}

function listen(name: string, queues: Record<string, unknown> = {}, leaseMs = 2_000): { listener: QueueListener; ctx: ReturnType<typeof hostContext>; config: ReturnType<typeof listenerFor>['config'] } {
  const ctx = hostContext(azurite.connection, { maxPollingInterval: '00:00:00.200', ...queues });
  const { listener, config } = listenerFor(queueFunction(name), ctx, { leaseMs });
  running.push(listener);
  return { listener, ctx, config };
}

test('kill before settling: the message comes back to a new listener after the 2 s lease, with DequeueCount 2', async () => {
  const name = await newQueue('precious');
  // The handler finishes 300 ms after the kill: a killed listener must not settle that late outcome.
  const first = recorder(async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return ok;
  });
  const a = listen(name);
  await a.listener.start(first.dispatch);
  await waitFor(() => first.events.length === 1, 3_000, 'the first delivery');
  const killedAt = Date.now();
  a.listener.abandon();

  const second = recorder();
  const b = listen(name);
  await b.listener.start(second.dispatch);
  await waitFor(() => second.events.length === 1 && b.listener.inFlight === 0, 5_000, 'the redelivery');
  expect(second.events[0]?.value.string).toBe('precious');
  expect(metadataJson(second.events[0], 'DequeueCount')).toBe(2);
  // Invisible until the lease of the killed listener ran out (2 s from its fetch, whole seconds).
  expect((second.times[0] ?? 0) - killedAt).toBeGreaterThan(1_000);
  expect(first.events).toHaveLength(1); // the killed listener fetched nothing more
  expect(await queueCount(rawQueue(azurite.connection, name))).toBe(0);
});

test('the lease is renewed while a 3.5 s handler runs: a second listener never sees the message', async () => {
  const name = await newQueue('slow');
  const slow = recorder(async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    return ok;
  });
  const other = recorder();
  const a = listen(name);
  const b = listen(name);
  await a.listener.start(slow.dispatch);
  await waitFor(() => slow.events.length === 1, 3_000, 'the delivery');
  await b.listener.start(other.dispatch);
  await waitFor(() => a.listener.inFlight === 0, 6_000, 'the slow handler');
  expect(other.events).toHaveLength(0); // without renewal it would reappear at 2 s
  expect(await queueCount(rawQueue(azurite.connection, name))).toBe(0);
});

test('drain stops fetching and resolves only after the in-flight message is settled', async () => {
  const name = await newQueue('in flight');
  let finished = false;
  const seen = recorder(async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    finished = true;
    return ok;
  });
  const { listener } = listen(name);
  await listener.start(seen.dispatch);
  await waitFor(() => seen.events.length === 1, 3_000, 'the delivery');
  expect(listener.inFlight).toBe(1);
  await listener.drain();
  expect(finished).toBe(true);
  expect(listener.inFlight).toBe(0);
  const queue = rawQueue(azurite.connection, name);
  expect(await queueCount(queue)).toBe(0); // settled (deleted) before drain resolved
  await queue.sendMessage(Buffer.from('after drain').toString('base64'));
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(seen.events).toHaveLength(1);
  expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(1); // still visible: never fetched
});

test('idle polling backs off 100, 200, 400, 800, 800 ms; an enqueue through the queue output binding wakes it', async () => {
  const name = await newQueue();
  const { listener, config, ctx } = listen(name, { maxPollingInterval: '00:00:00.800' });
  const polls: number[] = [];
  const receive = config.client.receiveMessages.bind(config.client);
  config.client.receiveMessages = (options) => {
    polls.push(Date.now());
    return receive(options);
  };
  const seen = recorder();
  await listener.start(seen.dispatch);
  await new Promise((resolve) => setTimeout(resolve, 1_700));
  // Polls start at about 0, 100, 300, 700, 1500 ms (+ request time): 5, where a fixed 100 ms would give ~16.
  expect(polls.length).toBeGreaterThanOrEqual(4);
  expect(polls.length).toBeLessThanOrEqual(6);
  const gaps = polls.slice(1).map((t, i) => t - (polls[i] ?? t));
  expect(gaps[gaps.length - 1]).toBeGreaterThanOrEqual(700); // the back-off reached 800 ms

  const output = queueOutput.create({ name: 'out', type: 'queue', direction: 'out', options: { queueName: name } }, ctx);
  const sentAt = Date.now();
  await output.write({ string: 'wake up' });
  await waitFor(() => seen.events.length === 1, 2_000, 'the woken delivery');
  expect((seen.times[0] ?? 0) - sentAt).toBeLessThan(400); // not the rest of an 800 ms sleep
  expect(seen.events[0]?.value.string).toBe('wake up'); // the binding wrote base64, the trigger decoded it
});

test('a queue that does not exist yet is polled with back-off, not fatal; created later, its message is delivered', async () => {
  const name = queueName();
  const seen = recorder();
  const { listener, ctx } = listen(name);
  await listener.start(seen.dispatch);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const queue = rawQueue(azurite.connection, name);
  await queue.create();
  await queue.sendMessage(Buffer.from('late').toString('base64'));
  await waitFor(() => seen.events.length === 1, 3_000, 'the delivery');
  const warnings = ctx.lines.filter((l) => l.level === 'warn' && l.message.includes('does not exist'));
  expect(warnings).toHaveLength(1); // logged once, not on every poll
});
