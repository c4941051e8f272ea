// redisListTrigger against the machine's Redis: delivery order, settle after success (processing list
// emptied), failure → back to the list then poison after 5, kill → the entry comes back (same instance
// at restart, another instance after the lease), drain waits for the running invocation.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { RedisListListener, redisListSettings, redisListTrigger } from '../../../../src/functions/host/triggers/redis-list-trigger.js';
import { randomKey, REDIS_ADDRESS } from '../../../servers/redis.js';
import { fakeContext, FakeDispatch, Gate, sleep, triggerFunction, until } from './broker-fakes.js';

const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const listeners: RedisListListener[] = [];
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

function setup(options: Record<string, unknown> = {}, instanceId = 'inst-a', dataType?: string) {
  const key = randomKey('tide-list');
  used.push(key);
  const ctx = fakeContext({ RedisConn: `${REDIS_ADDRESS},abortConnect=False` }, { instanceId });
  const { fn, binding } = triggerFunction('ListFn', 'redisListTrigger', { connection: 'RedisConn', key, pollingIntervalInMs: 50, ...options }, dataType);
  const listener = (): RedisListListener => {
    const l = new RedisListListener(redisListSettings(fn, binding, ctx), ctx);
    listeners.push(l);
    return l;
  };
  return { key, ctx, fn, binding, listener };
}

describe('redisListTrigger delivery', () => {
  it('LEFT (default) takes a, b, c in push order; each entry leaves the processing list after success', async () => {
    const { key, listener } = setup();
    await redis.rpush(key, 'a', 'b', 'c');
    const d = new FakeDispatch();
    await listener().start(d.dispatch);
    await d.waitFor(3);
    expect(d.texts()).toEqual(['a', 'b', 'c']);
    expect(d.events[0]?.metadata['Key']).toEqual({ string: key });
    await until(() => redis.llen(`${key}:processing:inst-a`), (n) => n === 0);
    expect(await redis.llen(key)).toBe(0);
  });

  it('RIGHT takes from the tail: c, b, a; maxBatchSize 2 still delivers all 3', async () => {
    const { key, listener } = setup({ listDirection: 'RIGHT', maxBatchSize: 2 });
    await redis.rpush(key, 'a', 'b', 'c');
    const d = new FakeDispatch();
    await listener().start(d.dispatch);
    await d.waitFor(3);
    expect(d.texts()).toEqual(['c', 'b', 'a']);
  });

  it('dataType binary delivers bytes', async () => {
    const { key, listener } = setup({}, 'inst-a', 'binary');
    await redis.rpush(key, Buffer.from([0xff, 0x00, 0x41]));
    const d = new FakeDispatch();
    await listener().start(d.dispatch);
    const [event] = await d.waitFor(1);
    expect(Buffer.from(event?.value.bytes ?? [])).toEqual(Buffer.from([0xff, 0x00, 0x41]));
  });
});

describe('redisListTrigger failures', () => {
  it('an entry that always fails is tried 5 times, then lands in <key>:poison; the attempts hash is cleared', async () => {
    const { key, ctx, listener } = setup();
    await redis.rpush(key, 'bad');
    const d = new FakeDispatch(() => 'failure');
    await listener().start(d.dispatch);
    await until(() => redis.lrange(`${key}:poison`, 0, -1), (l) => l.length === 1);
    await sleep(200); // no sixth attempt may follow
    expect(d.events).toHaveLength(5);
    expect(await redis.llen(key)).toBe(0);
    expect(await redis.exists(`${key}:attempts`)).toBe(0);
    expect(ctx.logs.filter((l) => l.level === 'error').map((l) => l.message).join()).toMatch(/failed 5 times/);
  });

  it('a failure puts the entry back behind the others (a fails once: a, b, a); success clears its count', async () => {
    const { key, listener } = setup({ maxBatchSize: 1 });
    await redis.rpush(key, 'a', 'b');
    const d = new FakeDispatch((_e, i) => (i === 0 ? 'failure' : 'success'));
    await listener().start(d.dispatch);
    await d.waitFor(3);
    expect(d.texts()).toEqual(['a', 'b', 'a']);
    await until(() => redis.exists(`${key}:attempts`), (n) => n === 0);
  });
});

describe('redisListTrigger kill, recovery and drain', () => {
  it('kill before settling: the restarted instance (same id) puts the entry back and processes it', async () => {
    const { key, listener } = setup();
    await redis.rpush(key, 'x');
    const gate = new Gate();
    const first = listener();
    const d1 = new FakeDispatch(() => gate.promise);
    await first.start(d1.dispatch);
    await d1.waitFor(1);
    first.abort();
    expect(await redis.lrange(`${key}:processing:inst-a`, 0, -1)).toEqual(['x']);
    gate.release(); // the dead process's invocation "finishes": nothing may be settled by it
    const d2 = new FakeDispatch();
    await listener().start(d2.dispatch);
    await d2.waitFor(1);
    expect(d2.texts()).toEqual(['x']);
    await until(() => redis.llen(`${key}:processing:inst-a`), (n) => n === 0);
  });

  it('another instance recovers a dead instance’s list once its 300 ms lease expired, not before', async () => {
    const a = setup({ processingLeaseInMs: 300 }, 'inst-a');
    await redis.rpush(a.key, 'y');
    const first = a.listener();
    const d1 = new FakeDispatch(() => new Gate().promise);
    await first.start(d1.dispatch);
    await d1.waitFor(1);
    first.abort();
    const ctxB = fakeContext({ RedisConn: REDIS_ADDRESS }, { instanceId: 'inst-b' });
    const b = new RedisListListener(redisListSettings(a.fn, a.binding, ctxB), ctxB);
    listeners.push(b);
    const d2 = new FakeDispatch();
    await b.start(d2.dispatch); // lease of inst-a still alive at this instant
    expect(d2.events).toHaveLength(0);
    await d2.waitFor(1, 5000); // recovered at a later scan (every 300 ms)
    expect(d2.texts()).toEqual(['y']);
    expect(ctxB.logs.some((l) => l.message.includes('left by instance inst-a'))).toBe(true);
  });

  it('drain waits for the running invocation, settles it, and takes nothing new', async () => {
    const { key, listener } = setup();
    await redis.rpush(key, 'm1');
    const gate = new Gate();
    const l = listener();
    const d = new FakeDispatch(() => gate.promise);
    await l.start(d.dispatch);
    await d.waitFor(1);
    expect(l.inFlight).toBe(1);
    let drained = false;
    const draining = l.drain().then(() => (drained = true));
    await redis.rpush(key, 'm2');
    await sleep(150);
    expect(drained).toBe(false);
    gate.release();
    await draining;
    expect(l.inFlight).toBe(0);
    expect(await redis.llen(`${key}:processing:inst-a`)).toBe(0);
    expect(await redis.lrange(key, 0, -1)).toEqual(['m2']);
  });
});

describe('redisListTrigger settings', () => {
  const ctx = fakeContext({ Conn: 'redis.example:6380,password=secret,ssl=True' });
  it.each([
    [{}, /"key" is required/],
    [{ key: 'k', listDirection: 'UP' }, /listDirection" must be LEFT or RIGHT/],
    [{ key: 'k', maxBatchSize: 0 }, /maxBatchSize" must be a positive/],
    [{ key: 'k', connection: 'Missing' }, /connection setting "Missing" is not set/],
  ])('%j is rejected (%s)', (options, message) => {
    const { fn, binding } = triggerFunction('F', 'redisListTrigger', { connection: 'Conn', ...options });
    expect(() => redisListSettings(fn, binding, ctx)).toThrow(BindingConfigError);
    expect(() => redisListSettings(fn, binding, ctx)).toThrow(message);
  });

  it('the trigger definition is registered as redisListTrigger and builds a listener', () => {
    const { fn, binding } = triggerFunction('F', 'redisListTrigger', { connection: 'Conn', key: 'k' });
    expect(redisListTrigger.type).toBe('redisListTrigger');
    expect(redisListTrigger.create(fn, binding, ctx).inFlight).toBe(0);
  });

  it('defaults: LEFT, 1000 ms, batch 16, 5 attempts; the older connectionStringSetting / listPopFromBeginning false work', () => {
    const { fn, binding } = triggerFunction('F', 'redisListTrigger', { connectionStringSetting: 'Conn', key: 'k', listPopFromBeginning: false });
    const s = redisListSettings(fn, binding, ctx);
    expect(s).toMatchObject({ direction: 'RIGHT', pollingIntervalMs: 1000, maxBatchSize: 16, maxAttempts: 5 });
    expect(s.connection).toMatchObject({ host: 'redis.example', port: 6380, password: 'secret', tls: {} });
  });
});
