import { describe, expect, test } from 'vitest';
import { redis } from '../../src/scalers/redis.js';
import { redisStreams, redisStreamsMode } from '../../src/scalers/redis-streams.js';
import { errors, parsed } from './helpers.js';

describe('redis', () => {
  test('KEDA docs example: address, listName, listLength 5, activation 50, databaseIndex', () => {
    const r = parsed(redis.parse({ metadata: { address: 'redis-master.default.svc.cluster.local:6379', listName: 'mylist', listLength: '5', activationListLength: '50', databaseIndex: '0' }, triggerIndex: 0 }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-redis-mylist', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 50_000 }]);
    expect([r.params.addresses, r.params.tlsEnabled]).toEqual([['redis-master.default.svc.cluster.local:6379'], false]);
  });

  test('host and port lists pair up (IPv6 bracketed); addresses is an alias of address', () => {
    expect(parsed(redis.parse({ metadata: { listName: 'l', hosts: 'a, ::1', ports: '6379, 6380' }, triggerIndex: 0 })).params.addresses).toEqual(['a:6379', '[::1]:6380']);
    expect(parsed(redis.parse({ metadata: { listName: 'l', addresses: 'a:1,b:2' }, triggerIndex: 0 })).params.addresses).toEqual(['a:1', 'b:2']);
  });

  test('address and password from env; password never printed', () => {
    const secret = 'r3dis-pass';
    const r = redis.parse({ metadata: { listName: 'l', addressFromEnv: 'ADDR', passwordFromEnv: 'PW', listLength: 'many' }, env: { ADDR: 'r:6379', PW: secret }, triggerIndex: 0 });
    expect(errors(r)).toEqual(['metadata.listLength: "many" is not an integer']);
    expect(JSON.stringify(r).includes(secret)).toBe(false);
  });

  test.each([
    ['no address at all', { listName: 'l' }, {}, ['metadata.address: required: set address (host:port, comma separated) or host and port']],
    ['2 hosts, 1 port (the path names the alias actually used)', { listName: 'l', hosts: 'a,b', ports: '1' }, {}, ['metadata.hosts: 2 hosts but 1 ports: give one port per host']],
    ['TLS set twice', { listName: 'l', address: 'a:1', enableTLS: 'true' }, { tls: 'enable' }, ['metadata.enableTLS: TLS is set both here and in the TriggerAuthentication (tls); set it in one place']],
    ['bad tls value', { listName: 'l', address: 'a:1' }, { tls: 'on' }, ['authParams.tls: "on" is not one of enable, disable']],
    ['missing listName', { address: 'a:1' }, {}, ['metadata.listName: required (set metadata.listName)']],
  ])('%s', (_name, metadata, authParams, expected) => {
    expect(errors(redis.parse({ metadata, authParams, triggerIndex: 0 }))).toEqual(expected);
  });

  test('TLS from the TriggerAuthentication or from metadata', () => {
    expect(parsed(redis.parse({ metadata: { listName: 'l', address: 'a:1' }, authParams: { tls: 'enable' }, triggerIndex: 0 })).params.tlsEnabled).toBe(true);
    expect(parsed(redis.parse({ metadata: { listName: 'l', address: 'a:1', enableTLS: 'true' }, triggerIndex: 0 })).params.tlsEnabled).toBe(true);
  });
});

describe('redis-streams mode selection', () => {
  test.each([
    ['group + lagCount → lag', 'g', 10, 'lag'],
    ['group + lagCount 0 → pending (0 is unset, as in KEDA)', 'g', 0, 'pending'],
    ['group only → pending', 'g', undefined, 'pending'],
    ['no group → length (lagCount ignored)', undefined, 10, 'length'],
  ] as const)('%s', (_name, consumerGroup, lagCount, mode) => {
    expect(redisStreamsMode({ consumerGroup, lagCount })).toBe(mode);
  });

  test.each([
    ['lag mode targets lagCount 7', { consumerGroup: 'g', lagCount: '7' }, 'lag', 7000],
    ['pending mode targets pendingEntriesCount (default 5)', { consumerGroup: 'g' }, 'pending', 5000],
    ['length mode targets streamLength 12', { streamLength: '12' }, 'length', 12_000],
  ])('%s', (_name, metadata, mode, targetMilli) => {
    const r = parsed(redisStreams.parse({ metadata: { address: 'r:6379', stream: 'my.stream', activationLagCount: '3', ...metadata }, triggerIndex: 1 }));
    expect([r.params.mode, r.metricSpecs[0]?.targetMilli, r.metricSpecs[0]?.activationMilli, r.metricSpecs[0]?.metricName]).toEqual([mode, targetMilli, 3000, 's1-redis-streams-my-stream']);
  });

  test('stream is required', () => {
    expect(errors(redisStreams.parse({ metadata: { address: 'r:6379' }, triggerIndex: 0 }))).toEqual(['metadata.stream: required (set metadata.stream)']);
  });
});
