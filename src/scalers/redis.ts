// redis (also redis-cluster, redis-sentinel): scale on the length of a list, set or sorted set.

import { defineScaler } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { closeRedis, connectRedis } from './redis-client.js';
import { listLength } from './redis-read.js';
import { checkRedisAddresses, checkRedisTLS, redisAddresses, redisConnectionParams, redisTLSEnabled } from './redis-connection.js';

/** The redis scaler declaration. */
export const redis = defineScaler({
  type: 'redis',
  aliases: ['redis-cluster', 'redis-sentinel'],
  params: {
    listName: param.string().required(),
    listLength: param.int().default(5),
    activationListLength: param.int().default(0),
    ...redisConnectionParams,
  },
  rules: (rule) => [
    rule(['address', 'host', 'port'], checkRedisAddresses),
    rule(['enableTLS', 'tls'], checkRedisTLS),
  ],
  derive: (p) => ({ ...p, addresses: redisAddresses(p), tlsEnabled: redisTLSEnabled(p) }),
  metricName: (p) => `redis-${p.listName}`,
  target: (p) => ({ value: milliFromInt(p.listLength), activation: milliFromInt(p.activationListLength) }),
  connect: (p, ctx) => connectRedis(p, ctx),
  // Active iff length > activationListLength: the default rule.
  read: async (client, p) => ({ value: await listLength(client, p.listName) }),
  close: (client) => {
    closeRedis(client);
  },
});
