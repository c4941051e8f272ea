// redis and redis-streams against the machine's Redis 7 (single node; cluster and sentinel flavours
// share this code path and are covered by the connection plan tests in redis-client.test.ts).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redis } from '../../src/scalers/redis.js';
import { redisStreams } from '../../src/scalers/redis-streams.js';
import { ScalerError, ScalerInstance, type MetricReading } from '../../src/scalers/instance.js';
import type { AnyScaler } from '../../src/scalers/index.js';
import { parsed } from './helpers.js';
import { REDIS_ADDRESS, RedisFixture, SilentServer, randomKey } from '../servers/redis.js';

const instances: ScalerInstance[] = [];
const fixture = new RedisFixture();
const silent = new SilentServer();
let silentPort = 0;

function instance(scaler: AnyScaler, type: string, metadata: Record<string, string>, authParams: Record<string, string> = {}, timeoutMs?: number): ScalerInstance {
  const result = parsed(scaler.parse({ metadata, authParams, triggerIndex: 0 }));
  const created = new ScalerInstance(scaler, result, { trigger: { index: 0, type }, metadata, ...(timeoutMs ? { timeoutMs } : {}) });
  instances.push(created);
  return created;
}

const list = (metadata: Record<string, string>, authParams?: Record<string, string>, timeoutMs?: number): ScalerInstance =>
  instance(redis, 'redis', { address: REDIS_ADDRESS, ...metadata }, authParams, timeoutMs);
const stream = (metadata: Record<string, string>): ScalerInstance => instance(redisStreams, 'redis-streams', { address: REDIS_ADDRESS, ...metadata });
const read = (i: ScalerInstance): Promise<MetricReading> => i.getMetricsAndActivity(Date.now());

async function failure(i: ScalerInstance): Promise<ScalerError> {
  const error: unknown = await i.getMetricsAndActivity(Date.now()).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ScalerError)) throw new Error(`expected a ScalerError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  silentPort = await silent.start();
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await fixture.close();
  await silent.stop();
});

describe('redis (machine Redis)', () => {
  test.each([
    ['list of 7, activation 6 → 7000 milli, active', 'list', 7, '6', true],
    ['list of 7, activation 7 → inactive (7 is not > 7)', 'list', 7, '7', false],
    ['set of 3 (SCARD) → 3000', 'set', 3, '0', true],
    ['sorted set of 4 (ZCARD) → 4000', 'zset', 4, '0', true],
    ['hash of 2 fields (HLEN, as KEDA) → 2000', 'hash', 2, '0', true],
    ['missing key → 0, inactive (LLEN of nothing)', 'none', 0, '0', false],
  ] as const)('%s', async (_name, type, size, activationListLength, active) => {
    const key = fixture.key();
    const db = fixture.db();
    const members = Array.from({ length: size }, (_, i) => `m${i}`);
    if (type === 'list') await db.rpush(key, ...members);
    if (type === 'set') await db.sadd(key, ...members);
    if (type === 'zset') await db.zadd(key, ...members.flatMap((m, i) => [i, m]));
    if (type === 'hash') await db.hset(key, Object.fromEntries(members.map((m) => [m, '1'])));
    expect(await read(list({ listName: key, listLength: '5', activationListLength }))).toEqual({ metricName: `s0-redis-${key}`, valueMilli: size * 1000, active });
  });

  test('a key of another type fails naming the key', async () => {
    const key = fixture.key();
    await fixture.db().set(key, 'text');
    const error = await failure(list({ listName: key }));
    expect([error.kind, error.message]).toEqual(['read', `trigger 0 (redis): redis key "${key}": is a string, not a list, set, sorted set or hash`]);
  });

  test('databaseIndex 3 reads database 3; host + port instead of address', async () => {
    const key = fixture.key(3);
    await fixture.db(3).rpush(key, 'a', 'b');
    expect((await read(list({ listName: key, databaseIndex: '3' }))).valueMilli).toBe(2000);
    expect((await read(list({ listName: key }))).valueMilli).toBe(0);
    expect((await read(instance(redis, 'redis', { listName: key, host: '127.0.0.1', port: '6379', databaseIndex: '3' }))).valueMilli).toBe(2000);
  });

  test('the same instance keeps its connection across polls and follows the list', async () => {
    const key = fixture.key();
    const i = list({ listName: key });
    expect((await read(i)).valueMilli).toBe(0);
    await fixture.db().rpush(key, 'a', 'b', 'c');
    expect((await read(i)).valueMilli).toBe(3000);
  });

  test('connection refused → unreachable, without the password', async () => {
    const started = Date.now();
    const error = await failure(list({ listName: 'l', address: '127.0.0.1:1' }, { password: 's3cret-pw' }));
    expect([error.kind, error.message.includes('s3cret-pw'), Date.now() - started < 3000]).toEqual(['unreachable', false, true]);
    expect(error.message).toMatch(/^trigger 0 \(redis\): .*ECONNREFUSED/);
  });

  test('a server that never answers → unreachable after the 400 ms timeout', async () => {
    const started = Date.now();
    const error = await failure(list({ listName: 'l', address: `127.0.0.1:${silentPort}` }, { password: 's3cret-pw' }, 400));
    const elapsed = Date.now() - started;
    expect([error.kind, error.message, elapsed >= 350 && elapsed < 2000]).toEqual(['unreachable', 'trigger 0 (redis): connect timed out after 400 ms', true]);
  });

  test('wrong credentials are refused and not repeated in the error', async () => {
    const error = await failure(list({ listName: 'l' }, { username: 'nobody', password: 'wr0ng-pass' }));
    expect([error.kind, error.message.includes('wr0ng-pass')]).toEqual(['unreachable', false]);
    expect(error.message).toMatch(/WRONGPASS/);
  });
});

describe('redis-streams (machine Redis 7)', () => {
  async function streamOf(entries: number, group?: { name: string; read: number }): Promise<string> {
    const key = fixture.key();
    const db = fixture.db();
    for (let i = 0; i < entries; i++) await db.xadd(key, '*', 'n', String(i));
    if (group) {
      await db.xgroup('CREATE', key, group.name, '0', 'MKSTREAM');
      if (group.read > 0) await db.xreadgroup('GROUP', group.name, 'c1', 'COUNT', group.read, 'STREAMS', key, '>');
    }
    return key;
  }

  test('length mode (no group): XLEN of 3 entries → 3000; a missing stream → 0', async () => {
    const key = await streamOf(3);
    expect(await read(stream({ stream: key, streamLength: '5' }))).toEqual({ metricName: `s0-redis-streams-${key}`, valueMilli: 3000, active: true });
    expect(await read(stream({ stream: randomKey() }))).toMatchObject({ valueMilli: 0, active: false });
  });

  test('pending mode: 5 entries, 2 delivered unacked → 2 pending; activation 2 → inactive, 1 → active', async () => {
    const key = await streamOf(5, { name: 'g', read: 2 });
    expect(await read(stream({ stream: key, consumerGroup: 'g', activationLagCount: '2' }))).toMatchObject({ valueMilli: 2000, active: false });
    expect(await read(stream({ stream: key, consumerGroup: 'g', activationLagCount: '1' }))).toMatchObject({ valueMilli: 2000, active: true });
  });

  test('pending mode: a missing group is an error naming stream and group', async () => {
    const key = await streamOf(1);
    const error = await failure(stream({ stream: key, consumerGroup: 'nope' }));
    expect(error.kind).toBe('read');
    expect(error.message).toMatch(new RegExp(`^trigger 0 \\(redis-streams\\): stream "${key}" or its consumer group "nope" does not exist \\(NOGROUP`));
  });

  test('lag mode: 5 entries, group read 2 → lag 3; activation 3 → inactive', async () => {
    const key = await streamOf(5, { name: 'g', read: 2 });
    expect(await read(stream({ stream: key, consumerGroup: 'g', lagCount: '2' }))).toMatchObject({ valueMilli: 3000, active: true });
    expect(await read(stream({ stream: key, consumerGroup: 'g', lagCount: '2', activationLagCount: '3' }))).toMatchObject({ valueMilli: 3000, active: false });
  });

  test('lag mode fallbacks: group not created yet → XLEN (4); stream missing → 0', async () => {
    const key = await streamOf(4);
    expect((await read(stream({ stream: key, consumerGroup: 'later', lagCount: '2' }))).valueMilli).toBe(4000);
    expect((await read(stream({ stream: randomKey(), consumerGroup: 'later', lagCount: '2' }))).valueMilli).toBe(0);
  });

  test('connection refused → unreachable, without the password', async () => {
    const error = await failure(instance(redisStreams, 'redis-streams', { stream: 's', address: '127.0.0.1:1' }, { password: 's3cret-pw' }));
    expect([error.kind, error.message.includes('s3cret-pw')]).toEqual(['unreachable', false]);
  });
});
