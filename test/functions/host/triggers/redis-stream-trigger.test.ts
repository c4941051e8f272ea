// redisStreamTrigger against the machine's Redis: group = function name, XACK after success only,
// failures claimed again after the idle time and poisoned after 5 deliveries, a killed consumer's entry
// processed by another instance, drain.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisStreamListener, redisStreamSettings, redisStreamTrigger } from '../../../../src/functions/host/triggers/redis-stream-trigger.js';
import { parseEntries, parsePending, streamEvent } from '../../../../src/functions/host/triggers/redis-stream-entries.js';
import { randomKey, REDIS_ADDRESS } from '../../../servers/redis.js';
import { fakeContext, FakeDispatch, Gate, sleep, triggerFunction, until } from './broker-fakes.js';

const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const listeners: RedisStreamListener[] = [];
const used: string[] = [];

afterEach(async () => {
  for (const l of listeners.splice(0)) await l.stop().catch(() => undefined);
  for (const key of used.splice(0)) {
    const related = await redis.keys(`${key}*`);
    if (related.length > 0) await redis.del(...related);
  }
});
afterAll(async () => {
  await redis.quit();
});

function setup(options: Record<string, unknown> = {}) {
  const key = randomKey('tide-stream');
  used.push(key);
  const { fn, binding } = triggerFunction('StreamFn', 'redisStreamTrigger', { connection: 'RedisConn', key, pollingIntervalInMs: 50, ...options });
  const listener = (instanceId = 'inst-a') => {
    const ctx = fakeContext({ RedisConn: REDIS_ADDRESS }, { instanceId });
    const l = new RedisStreamListener(redisStreamSettings(fn, binding, ctx), ctx);
    listeners.push(l);
    return { l, ctx };
  };
  const pendingCount = async (): Promise<number> => Number(((await redis.xpending(key, 'StreamFn')))[0]);
  return { key, listener, pendingCount };
}

describe('redisStreamTrigger delivery', () => {
  it('entries added before start are read (group created at 0 with MKSTREAM) as {Id, Values}; acked after success', async () => {
    const { key, listener, pendingCount } = setup();
    const id1 = await redis.xadd(key, '*', 'name', 'one', 'n', '1');
    await redis.xadd(key, '*', 'name', 'two');
    const d = new FakeDispatch();
    await listener().l.start(d.dispatch);
    await d.waitFor(2);
    expect(JSON.parse(d.events[0]?.value.json ?? '')).toEqual({ Id: id1, Values: { name: 'one', n: '1' } });
    expect(d.events[0]?.metadata).toEqual({ Key: { string: key }, Id: { string: id1 } });
    expect(d.events[0]?.retryContext).toBeUndefined();
    await until(pendingCount, (n) => n === 0);
    const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
    expect(groups[0]?.[1]).toBe('StreamFn');
  });

  it('a stream that does not exist yet is created and later entries are delivered', async () => {
    const { key, listener } = setup();
    const d = new FakeDispatch();
    await listener().l.start(d.dispatch);
    expect(await redis.exists(key)).toBe(1);
    await redis.xadd(key, '*', 'late', 'yes');
    await d.waitFor(1);
  });
});

describe('redisStreamTrigger failures and kill', () => {
  it('fails on every delivery: claimed again after 100 ms idle, 5 deliveries, then copied to <key>:poison and acked', async () => {
    const { key, listener, pendingCount } = setup({ pendingIdleTimeInMs: 100 });
    await redis.xadd(key, '*', 'bad', 'entry');
    const d = new FakeDispatch(() => 'failure');
    const { l, ctx } = listener();
    await l.start(d.dispatch);
    await until(() => redis.xlen(`${key}:poison`), (n) => n === 1);
    expect(d.events).toHaveLength(5);
    expect(d.events.map((e) => e.retryContext?.retryCount ?? 0)).toEqual([0, 1, 2, 3, 4]);
    expect(await pendingCount()).toBe(0);
    const [[, fields]] = (await redis.xrange(`${key}:poison`, '-', '+')) as [string, string[]][] as [[string, string[]]];
    expect(fields).toEqual(['bad', 'entry']);
    expect(ctx.logs.some((x) => x.level === 'error' && x.message.includes('failed 5 times'))).toBe(true);
  });

  it('kill before XACK: another instance claims the entry once idle > 200 ms and acks it', async () => {
    const { key, listener, pendingCount } = setup({ pendingIdleTimeInMs: 200 });
    await redis.xadd(key, '*', 'k', 'v');
    const first = listener('inst-a').l;
    const d1 = new FakeDispatch(() => new Gate().promise);
    await first.start(d1.dispatch);
    await d1.waitFor(1);
    first.abort();
    expect(await pendingCount()).toBe(1);
    const d2 = new FakeDispatch();
    await listener('inst-b').l.start(d2.dispatch);
    const [event] = await d2.waitFor(1);
    expect(event?.retryContext?.retryCount).toBe(1);
    await until(pendingCount, (n) => n === 0);
  });

  it('a slow invocation (600 ms, idle limit 200 ms) keeps its lease: a second instance does not take it', async () => {
    const { key, listener, pendingCount } = setup({ pendingIdleTimeInMs: 200 });
    await redis.xadd(key, '*', 'slow', '1');
    const d1 = new FakeDispatch(async () => {
      await sleep(600);
      return 'success' as const;
    });
    const d2 = new FakeDispatch();
    await listener('inst-a').l.start(d1.dispatch);
    await d1.waitFor(1);
    await listener('inst-b').l.start(d2.dispatch);
    await until(pendingCount, (n) => n === 0);
    expect(d2.events).toHaveLength(0);
  });

  it('drain waits for the running entry and acks it', async () => {
    const { key, listener, pendingCount } = setup();
    await redis.xadd(key, '*', 'd', '1');
    const gate = new Gate();
    const { l } = listener();
    const d = new FakeDispatch(() => gate.promise);
    await l.start(d.dispatch);
    await d.waitFor(1);
    let drained = false;
    const draining = l.drain().then(() => (drained = true));
    await sleep(100);
    expect(drained).toBe(false);
    expect(l.inFlight).toBe(1);
    gate.release();
    await draining;
    expect(await pendingCount()).toBe(0);
  });
});

describe('redis stream replies', () => {
  it('XREADGROUP and XCLAIM shapes both parse; deleted (null) entries are skipped', () => {
    const read = [['s', [['1-0', ['a', '1']], ['2-0', ['b', '2', 'a', '3']]]]];
    expect(parseEntries(read, 1)).toEqual([
      { id: '1-0', values: { a: '1' }, deliveries: 1 },
      { id: '2-0', values: { b: '2', a: '3' }, deliveries: 1 },
    ]);
    expect(parseEntries([['3-0', ['c', 'x']], null], 0)).toEqual([{ id: '3-0', values: { c: 'x' }, deliveries: 0 }]);
    expect(parseEntries(null, 1)).toEqual([]);
    expect(parsePending([['1-0', 'inst-a', 1500, 3]])).toEqual([{ id: '1-0', consumer: 'inst-a', deliveries: 3 }]);
  });

  it('third delivery of 5 → retryContext {retryCount 2, maxRetryCount 4}', () => {
    expect(streamEvent('k', { id: '1-0', values: {}, deliveries: 3 }, 5).retryContext).toEqual({ retryCount: 2, maxRetryCount: 4 });
  });

  it('group is the function name, consumer the instance id; type redisStreamTrigger', () => {
    const { fn, binding } = triggerFunction('MyFn', 'redisStreamTrigger', { connection: 'C', key: '%K%' });
    const s = redisStreamSettings(fn, binding, fakeContext({ C: 'redis://:pw@h:7000/2', K: 'events' }, { instanceId: 'pod-1' }));
    expect(s).toMatchObject({ key: 'events', group: 'MyFn', consumer: 'pod-1', maxBatchSize: 16, pollingIntervalMs: 1000, maxDeliveryCount: 5 });
    expect(s.connection).toMatchObject({ host: 'h', port: 7000, password: 'pw', db: 2 });
    expect(redisStreamTrigger.type).toBe('redisStreamTrigger');
  });
});
