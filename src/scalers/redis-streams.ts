// redis-streams (also redis-cluster-streams, redis-sentinel-streams): scale on a stream's consumer-group
// lag, its pending entries, or its length.

import { defineScaler } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { closeRedis, connectRedis } from './redis-client.js';
import { streamCount } from './redis-read.js';
import { checkRedisAddresses, checkRedisTLS, redisAddresses, redisConnectionParams, redisTLSEnabled } from './redis-connection.js';

/** What a redis-streams trigger measures: XINFO GROUPS lag, XPENDING count, or XLEN. */
export type RedisStreamsMode = 'lag' | 'pending' | 'length';

/** KEDA's mode rules: a consumer group with a non-zero lagCount → lag; a group alone → pending; no group → length. */
export function redisStreamsMode(p: { consumerGroup: string | undefined; lagCount: number | undefined }): RedisStreamsMode {
  if (p.consumerGroup === undefined) return 'length';
  return (p.lagCount ?? 0) !== 0 ? 'lag' : 'pending';
}

/** The target of the selected mode. */
export function redisStreamsTarget(mode: RedisStreamsMode, p: { lagCount: number | undefined; pendingEntriesCount: number; streamLength: number }): number {
  if (mode === 'lag') return p.lagCount ?? 0;
  return mode === 'pending' ? p.pendingEntriesCount : p.streamLength;
}

/** The redis-streams scaler declaration. */
export const redisStreams = defineScaler({
  type: 'redis-streams',
  aliases: ['redis-cluster-streams', 'redis-sentinel-streams'],
  params: {
    stream: param.string().required(),
    consumerGroup: param.string(),
    pendingEntriesCount: param.int().default(5),
    streamLength: param.int().default(5),
    lagCount: param.int(),
    activationLagCount: param.int().default(0),
    ...redisConnectionParams,
  },
  rules: (rule) => [
    rule(['address', 'host', 'port'], checkRedisAddresses),
    rule(['enableTLS', 'tls'], checkRedisTLS),
  ],
  derive: (p) => {
    const mode = redisStreamsMode(p);
    return { ...p, mode, targetCount: redisStreamsTarget(mode, p), addresses: redisAddresses(p), tlsEnabled: redisTLSEnabled(p) };
  },
  metricName: (p) => `redis-streams-${p.stream}`,
  target: (p) => ({ value: milliFromInt(p.targetCount), activation: milliFromInt(p.activationLagCount) }),
  connect: (p, ctx) => connectRedis(p, ctx),
  // KEDA: active iff the count > activationLagCount, in every mode (the default rule).
  read: async (client, p) => ({ value: await streamCount(client, p) }),
  close: (client) => {
    closeRedis(client);
  },
});
