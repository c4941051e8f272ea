// The Redis connection string of the Functions Redis extension (shared by redisListTrigger,
// redisStreamTrigger and the redis output binding). The extension hands the setting to StackExchange.Redis,
// so the usual form is `host:port,password=…,ssl=True,abortConnect=False`; a `redis://` / `rediss://` URL
// is accepted too, because that is what most non-Azure users have at hand.

import { Redis, type RedisOptions } from 'ioredis';
import type { BindingDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type HostContext } from '../contract.js';
import { connectionSetting, stringOption } from '../settings.js';

/** ioredis options for a StackExchange-style or URL connection string; `where` names the binding in errors. */
export function parseRedisConnection(text: string, where: string): RedisOptions {
  const trimmed = text.trim();
  if (/^rediss?:\/\//i.test(trimmed)) return fromUrl(trimmed, where);
  const options: RedisOptions = {};
  let endpoint: string | undefined;
  for (const part of trimmed.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      endpoint ??= part; // StackExchange allows several endpoints; the first one is the primary here
      continue;
    }
    applyOption(options, part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim(), where);
  }
  if (endpoint === undefined) throw new BindingConfigError(`${where}: the Redis connection string names no host (expected host:port[,password=…])`);
  const { host, port } = splitEndpoint(endpoint);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new BindingConfigError(`${where}: "${endpoint}" has no valid port`);
  return { ...options, host, port };
}

function applyOption(options: RedisOptions, key: string, value: string, where: string): void {
  switch (key) {
    case 'password':
      options.password = value;
      return;
    case 'user':
    case 'username':
      options.username = value;
      return;
    case 'ssl':
      if (value.toLowerCase() === 'true') options.tls = { ...(options.tls ?? {}) };
      return;
    case 'defaultdatabase':
      options.db = integer(value, key, where);
      return;
    case 'connecttimeout':
      options.connectTimeout = integer(value, key, where);
      return;
    case 'sslhost':
      options.tls = { ...(options.tls ?? {}), servername: value };
      return;
    default:
      // abortConnect, syncTimeout, allowAdmin, … tune StackExchange.Redis and have no ioredis meaning.
      return;
  }
}

function integer(value: string, key: string, where: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BindingConfigError(`${where}: connection option ${key}=${value} is not a whole number`);
  return n;
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const v6 = /^\[(.*)\]:(\d+)$/.exec(endpoint);
  if (v6) return { host: v6[1] ?? '', port: Number(v6[2]) };
  const colon = endpoint.lastIndexOf(':');
  if (colon < 0) return { host: endpoint, port: 6379 };
  return { host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)) };
}

function fromUrl(text: string, where: string): RedisOptions {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BindingConfigError(`${where}: the Redis connection URL does not parse`);
  }
  const options: RedisOptions = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 6379 : Number(url.port) };
  if (url.username !== '') options.username = decodeURIComponent(url.username);
  if (url.password !== '') options.password = decodeURIComponent(url.password);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '') options.db = integer(db, 'database', where);
  if (url.protocol === 'rediss:') options.tls = {};
  return options;
}

/** The connection options of a Redis binding: `connection` (or the older `connectionStringSetting`) names the setting. */
export function redisBindingConnection(binding: BindingDefinition, ctx: HostContext, where: string): RedisOptions {
  const name = binding.options['connection'] ?? binding.options['connectionStringSetting'];
  if (name !== undefined && typeof name !== 'string') throw new BindingConfigError(`${where}: "connection" must be a setting name`);
  return parseRedisConnection(connectionSetting(name, ctx.settings, where), where);
}

/** A positive whole-number binding option (pollingIntervalInMs, maxBatchSize, …) or its default. */
export function positiveIntOption(options: Readonly<Record<string, unknown>>, key: string, fallback: number, where: string): number {
  const raw = options[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new BindingConfigError(`${where}: "${key}" must be a positive whole number, got ${JSON.stringify(raw)}`);
  return n;
}

/** What both Redis triggers read the same way: connection, `key`, polling interval and batch size. */
export interface RedisTriggerBase {
  readonly functionName: string;
  readonly connection: RedisOptions;
  readonly key: string;
  readonly pollingIntervalMs: number;
  readonly maxBatchSize: number;
}

/** Reads the options shared by redisListTrigger and redisStreamTrigger; `where` names the function and trigger. */
export function redisTriggerBase(fnName: string, binding: BindingDefinition, ctx: HostContext, where: string): RedisTriggerBase {
  const key = stringOption(binding.options, 'key', ctx.settings, where);
  if (key === undefined || key === '') throw new BindingConfigError(`${where}: "key" is required`);
  return {
    functionName: fnName,
    connection: redisBindingConnection(binding, ctx, where),
    key,
    pollingIntervalMs: positiveIntOption(binding.options, 'pollingIntervalInMs', 1000, where),
    maxBatchSize: positiveIntOption(binding.options, 'maxBatchSize', 16, where),
  };
}

/** Opens the client a Redis trigger polls with; connection errors are logged at debug (ioredis reconnects by itself). */
export async function connectTriggerClient(options: RedisOptions, ctx: HostContext, functionName: string): Promise<Redis> {
  const client = new Redis({ ...options, lazyConnect: true });
  client.on('error', (error: Error) => {
    ctx.log.debug('redis connection error', { function: functionName, error: error.message });
  });
  await client.connect();
  return client;
}
