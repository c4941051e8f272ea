// How a postgresql trigger names its server: a connection string (a postgres:// URL or libpq's
// `key=value` form, both of which KEDA's pgx driver accepts) or separate host/port/user/dbname/sslmode
// and password. Turned into node-postgres client settings; errors never repeat the string itself.

import type { ClientConfig } from 'pg';

/** libpq's sslmode values. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** Where to connect: a whole connection string, or its parts. */
export type PostgresTarget =
  | { readonly connection: string }
  | { readonly host: string; readonly port: number; readonly user: string; readonly database: string; readonly sslmode: string; readonly password: string | undefined };

/** node-postgres TLS settings for a libpq sslmode (allow/prefer: node-postgres cannot fall back, so no TLS). */
export function sslFor(mode: string | undefined): ClientConfig['ssl'] {
  switch (mode) {
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { checkServerIdentity: () => undefined };
    case 'verify-full':
      return true;
    default:
      return false;
  }
}

/** Parses libpq's `key=value key2='quoted \' value'` form. */
export function parseKeywordValue(text: string): Record<string, string> | Error {
  const result: Record<string, string> = {};
  let i = 0;
  const skipSpace = (): number => {
    while (i < text.length && /\s/.test(text.charAt(i))) i += 1;
    return i;
  };
  while (skipSpace() < text.length) {
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text.charAt(i))) i += 1;
    const key = text.slice(keyStart, i);
    skipSpace();
    if (key === '' || text.charAt(i) !== '=') return new Error('the connection string is neither a postgres:// URL nor key=value pairs');
    i += 1;
    skipSpace();
    let value = '';
    const quoted = text.charAt(i) === "'";
    if (quoted) i += 1;
    while (i < text.length && (quoted ? text.charAt(i) !== "'" : !/\s/.test(text.charAt(i)))) {
      if (text.charAt(i) === '\\' && i + 1 < text.length) i += 1;
      value += text.charAt(i);
      i += 1;
    }
    if (quoted) {
      if (i >= text.length) return new Error(`the connection string has an unterminated quote in "${key}"`);
      i += 1;
    }
    result[key] = value;
  }
  return result;
}

function fromKeywordValue(pairs: Record<string, string>): ClientConfig | Error {
  const port = pairs.port === undefined ? undefined : Number(pairs.port);
  if (port !== undefined && !Number.isInteger(port)) return new Error('the connection string has a port that is not a number');
  const config: ClientConfig = { ssl: sslFor(pairs.sslmode) };
  if (pairs.host !== undefined) config.host = pairs.host;
  if (port !== undefined) config.port = port;
  if (pairs.user !== undefined) config.user = pairs.user;
  if (pairs.password !== undefined) config.password = pairs.password;
  if (pairs.dbname !== undefined) config.database = pairs.dbname;
  if (pairs.application_name !== undefined) config.application_name = pairs.application_name;
  return config;
}

/** node-postgres client settings for a trigger's target. */
export function postgresClientConfig(target: PostgresTarget): ClientConfig | Error {
  if ('connection' in target) {
    if (/^postgres(ql)?:\/\//i.test(target.connection)) return { connectionString: target.connection };
    const pairs = parseKeywordValue(target.connection);
    return pairs instanceof Error ? pairs : fromKeywordValue(pairs);
  }
  const config: ClientConfig = { host: target.host, port: target.port, user: target.user, database: target.database, ssl: sslFor(target.sslmode) };
  if (target.password !== undefined) config.password = target.password;
  return config;
}
