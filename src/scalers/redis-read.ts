// The reads of redis and redis-streams, as KEDA computes them: a list-like key's length by its type,
// and a stream's pending count, length or consumer-group lag.

import type { RedisClient } from './redis-client.js';
import type { RedisStreamsMode } from './redis-streams.js';

// One round trip, as KEDA's script: the counting command follows the key's TYPE; a missing key counts 0 (LLEN).
export const LENGTH_SCRIPT = `
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'list' or t == 'none' then return redis.call('LLEN', KEYS[1]) end
if t == 'set' then return redis.call('SCARD', KEYS[1]) end
if t == 'zset' then return redis.call('ZCARD', KEYS[1]) end
if t == 'hash' then return redis.call('HLEN', KEYS[1]) end
return redis.error_reply('is a ' .. t .. ', not a list, set, sorted set or hash')
`;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function integer(reply: unknown, what: string): number {
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'string' && /^-?\d+$/.test(reply)) return Number(reply);
  throw new Error(`${what}: unexpected reply ${JSON.stringify(reply)}`);
}

/** LLEN, SCARD, ZCARD or HLEN of the key, by its type; a missing key is 0. */
export async function listLength(client: RedisClient, key: string): Promise<number> {
  try {
    return integer(await client.call('EVAL', LENGTH_SCRIPT, 1, key), `length of key "${key}"`);
  } catch (error) {
    throw new Error(`redis key "${key}": ${message(error)}`);
  }
}

/** XLEN; a missing stream is 0. */
async function streamLength(client: RedisClient, stream: string): Promise<number> {
  return integer(await client.call('XLEN', stream), `XLEN of stream "${stream}"`);
}

/** The XPENDING summary count of a group; a missing stream or group is an error, as in KEDA. */
async function pendingCount(client: RedisClient, stream: string, group: string): Promise<number> {
  try {
    const reply = await client.call('XPENDING', stream, group);
    return integer(Array.isArray(reply) ? reply[0] : reply, `XPENDING of stream "${stream}" group "${group}"`);
  } catch (error) {
    const text = message(error);
    if (text.startsWith('NOGROUP')) throw new Error(`stream "${stream}" or its consumer group "${group}" does not exist (${text})`);
    throw error;
  }
}

/** The fields of one XINFO GROUPS entry (a flat name/value array in RESP2). */
function groupFields(entry: unknown): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  if (!Array.isArray(entry)) return fields;
  for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
  return fields;
}

// The version check KEDA makes on every poll, once per client here: a server does not change version under a connection.
const lagSupport = new WeakMap<RedisClient, boolean>();

/** Whether the server is Redis 7 or later (XINFO GROUPS reports `lag` from 7.0 on). */
async function supportsLag(client: RedisClient): Promise<boolean> {
  const known = lagSupport.get(client);
  if (known !== undefined) return known;
  const info = await client.call('INFO', 'server');
  const major = /redis_version:(\d+)/.exec(typeof info === 'string' ? info : '')?.[1];
  if (major === undefined) throw new Error('could not find the Redis version (INFO server)');
  lagSupport.set(client, Number(major) >= 7);
  return Number(major) >= 7;
}

/**
 * A group's lag (XINFO GROUPS, Redis 7+), with KEDA's fallbacks: a missing stream is 0, a group not yet
 * created counts the whole stream (XLEN), a lag Redis cannot compute (null) is -1 as go-redis reports it.
 */
async function groupLag(client: RedisClient, stream: string, group: string): Promise<number> {
  if (!(await supportsLag(client))) throw new Error('lagCount needs Redis 7 or later (XINFO GROUPS lag)');
  let groups: unknown;
  try {
    groups = await client.call('XINFO', 'GROUPS', stream);
  } catch (error) {
    if (/no such key/i.test(message(error))) return 0;
    throw error;
  }
  const found = (Array.isArray(groups) ? groups : []).map(groupFields).find((g) => String(g.get('name')) === group);
  if (!found) return streamLength(client, stream);
  const lag = found.get('lag');
  return lag === null || lag === undefined ? -1 : integer(lag, `lag of group "${group}" on stream "${stream}"`);
}

/** What a redis-streams read needs. */
export interface StreamReadParams {
  readonly mode: RedisStreamsMode;
  readonly stream: string;
  readonly consumerGroup: string | undefined;
}

/** The count the trigger's mode measures: pending entries, stream length or group lag. */
export async function streamCount(client: RedisClient, p: StreamReadParams): Promise<number> {
  const group = p.consumerGroup ?? '';
  if (p.mode === 'length') return streamLength(client, p.stream);
  if (p.mode === 'pending') return pendingCount(client, p.stream, group);
  return groupLag(client, p.stream, group);
}
