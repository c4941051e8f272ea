// The Redis connection of redisListTrigger / redisStreamTrigger as KEDA's redis and redis-streams
// scalers want it. The Functions Redis extension reads a StackExchange.Redis string
// (`host:port,password=…,ssl=True`) or a redis:// URL from one setting; KEDA wants `address`, `password`,
// `enableTLS`, `databaseIndex` separately. The password never goes into plain metadata: it is exposed
// as a derived setting read through passwordFromEnv, which the caller adds to the replicas' environment.

export interface RedisConnectionMetadata {
  /** KEDA metadata: address or addressFromEnv, username, passwordFromEnv, enableTLS, databaseIndex. */
  readonly metadata: Record<string, string>;
  /** Settings the metadata reads through *FromEnv that the app does not have yet (name → value). */
  readonly derivedSettings: Record<string, string>;
}

interface ParsedRedis {
  endpoint: string;
  username?: string;
  password?: string;
  tls: boolean;
  database?: string;
  /** The value is nothing but one host:port, so KEDA can read it as the address directly. */
  bare: boolean;
}

/** The setting name that carries a connection's password for passwordFromEnv (an env-var-safe name). */
export function redisPasswordSettingName(connection: string): string {
  return `TIDE_REDIS_PASSWORD_${connection.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}`;
}

/** Parses the connection setting's value; a message when it names no host. */
function parseRedis(value: string): ParsedRedis | string {
  const text = value.trim();
  if (/^rediss?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return 'is not a valid redis:// URL';
    }
    if (url.hostname === '') return 'is a redis:// URL without a host';
    const parsed: ParsedRedis = { endpoint: `${url.hostname}:${url.port === '' ? '6379' : url.port}`, tls: url.protocol.toLowerCase() === 'rediss:', bare: false };
    if (url.username !== '') parsed.username = decodeURIComponent(url.username);
    if (url.password !== '') parsed.password = decodeURIComponent(url.password);
    const db = url.pathname.replace(/^\//, '');
    if (/^\d+$/.test(db) && db !== '0') parsed.database = db;
    return parsed;
  }
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const endpoints = parts.filter((p) => !p.includes('='));
  const first = endpoints[0];
  if (first === undefined) return 'names no host (expected host:port[,password=…] or redis://host:port)';
  const parsed: ParsedRedis = { endpoint: /:\d+$/.test(first) ? first : `${first}:6379`, tls: false, bare: parts.length === 1 && /:\d+$/.test(first) };
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (key === 'password') parsed.password = v;
    else if (key === 'user' || key === 'username') parsed.username = v;
    else if (key === 'ssl') parsed.tls = v.toLowerCase() === 'true';
    else if (key === 'defaultdatabase' && /^\d+$/.test(v) && v !== '0') parsed.database = v;
  }
  return parsed;
}

/** KEDA connection metadata for the Redis connection in setting `connection` whose value is `value`. */
export function redisConnectionMetadata(connection: string, value: string): RedisConnectionMetadata | string {
  const parsed = parseRedis(value);
  if (typeof parsed === 'string') return `connection setting "${connection}" ${parsed}`;
  const metadata: Record<string, string> = parsed.bare ? { addressFromEnv: connection } : { address: parsed.endpoint };
  const derivedSettings: Record<string, string> = {};
  if (parsed.username !== undefined) metadata['username'] = parsed.username;
  if (parsed.password !== undefined && parsed.password !== '') {
    const name = redisPasswordSettingName(connection);
    metadata['passwordFromEnv'] = name;
    derivedSettings[name] = parsed.password;
  }
  if (parsed.tls) metadata['enableTLS'] = 'true';
  if (parsed.database !== undefined) metadata['databaseIndex'] = parsed.database;
  return { metadata, derivedSettings };
}
