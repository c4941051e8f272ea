// redis output binding against the machine's Redis: a "key value" string runs `command key value`, an
// array keeps arguments with spaces, a bad command name is a config error; plus the connection strings.
import { afterAll, describe, expect, it } from 'vitest';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { redisArguments, redisOutput } from '../../../../src/functions/host/bindings/redis-output.js';
import { parseRedisConnection } from '../../../../src/functions/host/triggers/redis-connection.js';
import { RedisFixture, REDIS_ADDRESS } from '../../../servers/redis.js';
import { fakeContext } from '../triggers/broker-fakes.js';

const fixture = new RedisFixture();
afterAll(async () => {
  await fixture.close();
});

const binding = (command: string) => ({ name: '$return', type: 'redis', direction: 'out' as const, options: { connection: 'Redis', command } });
const ctx = fakeContext({ Redis: REDIS_ADDRESS });

describe('redis output binding', () => {
  it('SET from "key value", RPUSH from an array whose element has a space, DEL from a string', async () => {
    const key = fixture.key();
    const list = fixture.key();
    const set = redisOutput.create(binding('SET'), ctx);
    const push = redisOutput.create(binding('RPUSH'), ctx);
    await set.write({ string: `${key} hello` });
    expect(await fixture.db().get(key)).toBe('hello');
    await push.write({ json: JSON.stringify([list, 'a b', 3]) });
    expect(await fixture.db().lrange(list, 0, -1)).toEqual(['a b', '3']);
    const del = redisOutput.create(binding('DEL'), ctx);
    await del.write({ string: key });
    expect(await fixture.db().exists(key)).toBe(0);
    await Promise.all([set.close?.(), push.close?.(), del.close?.()]);
  });

  it('a command Redis rejects fails the write (the trigger then retries the message)', async () => {
    const out = redisOutput.create(binding('NOSUCHCOMMAND'), ctx);
    await expect(out.write({ string: 'x' })).rejects.toThrow(/unknown command/i);
    await out.close?.();
  });

  it.each([
    ['', /"command" must name/],
    ['SET; DEL', /"command" must name/],
  ])('command %j is rejected', (command, message) => {
    expect(() => redisOutput.create(binding(command), ctx)).toThrow(BindingConfigError);
    expect(() => redisOutput.create(binding(command), ctx)).toThrow(message);
  });

  it('arguments: string split on whitespace, collections as is, JSON object refused, empty → none', () => {
    expect(redisArguments({ string: ' k  v ' }, 'w')).toEqual(['k', 'v']);
    expect(redisArguments({ collectionString: { string: ['a b', 'c'] } }, 'w')).toEqual(['a b', 'c']);
    expect(redisArguments({ int: 7 }, 'w')).toEqual(['7']);
    expect(() => redisArguments({ json: '{"a":1}' }, 'w')).toThrow(BindingConfigError);
    expect(redisArguments({}, 'w')).toEqual([]);
  });
});

describe('Redis connection strings', () => {
  it.each([
    ['localhost', { host: 'localhost', port: 6379 }],
    ['cache.example:6380,password=p=w,ssl=True,abortConnect=False', { host: 'cache.example', port: 6380, password: 'p=w', tls: {} }],
    ['h:1,user=u,password=p,defaultDatabase=3', { host: 'h', port: 1, username: 'u', password: 'p', db: 3 }],
    ['[::1]:7000', { host: '::1', port: 7000 }],
    ['redis://u:p%40@h:6000/4', { host: 'h', port: 6000, username: 'u', password: 'p@', db: 4 }],
    ['rediss://h', { host: 'h', port: 6379, tls: {} }],
  ])('%s', (text, expected) => {
    expect(parseRedisConnection(text, 'w')).toEqual(expected);
  });

  it.each([',password=x', 'h:notaport', 'h:1,defaultDatabase=-1'])('%j is rejected', (text) => {
    expect(() => parseRedisConnection(text, 'w')).toThrow(BindingConfigError);
  });
});
