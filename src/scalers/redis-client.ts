// The Redis client shared by redis and redis-streams (and their -cluster / -sentinel flavours): one
// ioredis client per trigger, connected explicitly so an unreachable server fails the connect, with one
// attempt per command and no background reconnects (ScalerInstance reconnects after a failure).

import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { ConnectContext } from './define.js';
import { loadFor, loadIoredis } from './client-libraries.js';

/** The connection parameters as derive() hands them over. */
export interface RedisConnectionParams {
  readonly addresses: readonly string[];
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly sentinelUsername: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly sentinelMaster: string | undefined;
  readonly databaseIndex: number;
  readonly tlsEnabled: boolean;
  readonly unsafeSsl: boolean;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly keyPassword: string | undefined;
  readonly ca: string | undefined;
}

/** A connected client: a single node (also behind sentinels) or a cluster. */
export type RedisClient = Redis | Cluster;

/** Host and port of `host:port` or `[v6]:port` (port 6379 when absent). */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^\[(.*)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
  if (match) return { host: match[1] ?? '', port: Number(match[2]) };
  return { host: address.replace(/^\[(.*)\]$/, '$1'), port: 6379 };
}

/** How to reach the server: sentinels when a master name is given, a cluster for several addresses, else one node. */
export type RedisPlan =
  | { readonly kind: 'standalone'; readonly options: RedisOptions }
  | { readonly kind: 'sentinel'; readonly options: RedisOptions }
  | { readonly kind: 'cluster'; readonly nodes: readonly { host: string; port: number }[]; readonly options: ClusterOptions };

/** The ioredis options for a trigger (pure: no connection is made). */
export function redisPlan(p: RedisConnectionParams, timeoutMs: number): RedisPlan {
  const nodes = p.addresses.map(splitAddress);
  const tls = p.tlsEnabled ? { tls: { rejectUnauthorized: !p.unsafeSsl, ca: p.ca, cert: p.cert, key: p.key, passphrase: p.keyPassword } } : {};
  const node: RedisOptions = {
    ...(p.username !== undefined ? { username: p.username } : {}),
    ...(p.password !== undefined ? { password: p.password } : {}),
    ...tls,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    retryStrategy: () => null,
  };
  if (p.sentinelMaster !== undefined && p.sentinelMaster !== '') {
    return {
      kind: 'sentinel',
      options: {
        ...node,
        db: p.databaseIndex,
        name: p.sentinelMaster,
        sentinels: nodes,
        ...(p.sentinelUsername !== undefined ? { sentinelUsername: p.sentinelUsername } : {}),
        ...(p.sentinelPassword !== undefined ? { sentinelPassword: p.sentinelPassword } : {}),
        ...(p.tlsEnabled ? { enableTLSForSentinelMode: true } : {}),
        sentinelRetryStrategy: () => null,
      },
    };
  }
  if (nodes.length > 1) return { kind: 'cluster', nodes, options: clusterOptions(node) };
  const first = nodes[0] ?? { host: '127.0.0.1', port: 6379 };
  return { kind: 'standalone', options: { ...node, ...first, db: p.databaseIndex } };
}

/** Cluster options carrying the per-node options (credentials, TLS, timeouts); clusters have only database 0. */
function clusterOptions(node: RedisOptions): ClusterOptions {
  const { retryStrategy: _retry, enableOfflineQueue: _offline, lazyConnect: _lazy, host: _host, port: _port, db: _db, ...redisOptions } = node;
  return { redisOptions, lazyConnect: true, enableOfflineQueue: false, clusterRetryStrategy: () => null, maxRedirections: 4 };
}

// The cause of a failed connect: ioredis rejects connect() with a bare "Connection is closed." and emits the reason.
const lastError = new WeakMap<RedisClient, Error>();

type Ioredis = Awaited<ReturnType<typeof loadIoredis>>;

function build(ioredis: Ioredis, plan: RedisPlan): RedisClient {
  const client = plan.kind === 'cluster' ? new ioredis.Cluster([...plan.nodes], plan.options) : new ioredis.Redis(plan.options);
  // Without a listener ioredis logs every error event; the reason is kept for connect's message.
  client.on('error', (error: Error) => {
    lastError.set(client, error);
  });
  return client;
}

/** Connects; a client still connecting when the call is abandoned (timeout, close) is disconnected. */
async function open(client: RedisClient, signal: AbortSignal): Promise<void> {
  const abandon = (): void => {
    client.disconnect();
  };
  signal.addEventListener('abort', abandon, { once: true });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw lastError.get(client) ?? error;
  } finally {
    signal.removeEventListener('abort', abandon);
  }
}

/** Opens the client; a single address that turns out to be a cluster node (redis-cluster with one seed) is reopened as a cluster. */
export async function connectRedis(p: RedisConnectionParams, ctx: Pick<ConnectContext, 'signal' | 'timeoutMs'>): Promise<RedisClient> {
  const plan = redisPlan(p, ctx.timeoutMs);
  const ioredis = await loadFor(loadIoredis, ctx.signal);
  const client = build(ioredis, plan);
  await open(client, ctx.signal);
  if (plan.kind !== 'standalone') return client;
  const info = await client.call('INFO', 'cluster').catch(() => '');
  if (typeof info !== 'string' || !/cluster_enabled:1/.test(info)) return client;
  client.disconnect();
  const seed = { host: plan.options.host ?? '127.0.0.1', port: plan.options.port ?? 6379 };
  const cluster = build(ioredis, { kind: 'cluster', nodes: [seed], options: clusterOptions(plan.options) });
  await open(cluster, ctx.signal);
  return cluster;
}

/** Closes the client without waiting for pending replies. */
export function closeRedis(client: RedisClient): void {
  client.disconnect();
}
