// The connection plan for redis / redis-cluster / redis-sentinel (pure): which ioredis client and options.
import { describe, expect, test } from 'vitest';
import { redisPlan, splitAddress, type RedisConnectionParams } from '../../src/scalers/redis-client.js';

const base: RedisConnectionParams = {
  addresses: ['10.0.0.1:6379'],
  username: undefined,
  password: undefined,
  sentinelUsername: undefined,
  sentinelPassword: undefined,
  sentinelMaster: undefined,
  databaseIndex: 0,
  tlsEnabled: false,
  unsafeSsl: false,
  cert: undefined,
  key: undefined,
  keyPassword: undefined,
  ca: undefined,
};

describe('redis connection plan', () => {
  test.each([
    ['redis:6380', { host: 'redis', port: 6380 }],
    ['[::1]:6380', { host: '::1', port: 6380 }],
    ['redis', { host: 'redis', port: 6379 }],
  ])('address %s → %j', (address, expected) => {
    expect(splitAddress(address)).toEqual(expected);
  });

  test('one address → a single node with database, credentials, one attempt per command, no reconnect loop', () => {
    const plan = redisPlan({ ...base, databaseIndex: 2, username: 'u', password: 'p' }, 3000);
    expect(plan.kind).toBe('standalone');
    expect(plan.options).toMatchObject({ host: '10.0.0.1', port: 6379, db: 2, username: 'u', password: 'p', connectTimeout: 3000, maxRetriesPerRequest: 1, lazyConnect: true });
    expect(plan.kind === 'standalone' && plan.options.retryStrategy?.(1)).toBe(null);
  });

  test('several addresses → a cluster seeded with all of them; node options carry credentials, no database', () => {
    const plan = redisPlan({ ...base, addresses: ['a:7000', 'b:7001'], password: 'p', databaseIndex: 3 }, 1500);
    if (plan.kind !== 'cluster') throw new Error(plan.kind);
    expect(plan.nodes).toEqual([{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }]);
    expect(plan.options.redisOptions).toMatchObject({ password: 'p', connectTimeout: 1500, maxRetriesPerRequest: 1 });
    expect(plan.options.redisOptions && 'db' in plan.options.redisOptions).toBe(false);
  });

  test('sentinelMaster → sentinels with their own credentials, master name and database', () => {
    const plan = redisPlan({ ...base, addresses: ['s1:26379', 's2:26379'], sentinelMaster: 'mymaster', sentinelPassword: 'sp', password: 'p', databaseIndex: 1 }, 3000);
    expect(plan.kind).toBe('sentinel');
    expect(plan.options).toMatchObject({ name: 'mymaster', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], sentinelPassword: 'sp', password: 'p', db: 1 });
  });

  test('TLS: verification on unless unsafeSsl; client certificate passed through', () => {
    const plan = redisPlan({ ...base, tlsEnabled: true, cert: 'CERT', key: 'KEY', ca: 'CA' }, 3000);
    expect(plan.options).toMatchObject({ tls: { rejectUnauthorized: true, cert: 'CERT', key: 'KEY', ca: 'CA' } });
    expect(redisPlan({ ...base, tlsEnabled: true, unsafeSsl: true }, 3000).options).toMatchObject({ tls: { rejectUnauthorized: false } });
    expect('tls' in redisPlan(base, 3000).options).toBe(false);
  });
});
