// How a mysql trigger names its server: a Go MySQL driver DSN (`user:pass@tcp(host:3306)/db?tls=true`,
// what KEDA's connectionString is), a mysql:// URL, or separate username/password/host/port/dbName.
// Turned into mysql2 connection options; errors never repeat the string itself.

import type { ConnectionOptions } from 'mysql2/promise';

/** Where to connect: a whole connection string, or its parts. */
export type MysqlTarget =
  | { readonly connectionString: string }
  | { readonly host: string; readonly port: number; readonly user: string; readonly password: string | undefined; readonly database: string };

function tlsOption(value: string | undefined): ConnectionOptions['ssl'] {
  if (value === 'true') return {};
  if (value === 'skip-verify') return { rejectUnauthorized: false };
  return undefined;
}

function splitHostPort(address: string): { host: string; port: number } | Error {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address);
  if (!match) return new Error('the connection string has an address that is not host:port');
  return { host: match[1] || '127.0.0.1', port: match[2] === undefined ? 3306 : Number(match[2]) };
}

/** Parses the Go driver's `[user[:password]@][net[(addr)]]/dbname[?params]`. */
export function parseGoDsn(dsn: string): ConnectionOptions | Error {
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) return new Error('the connection string is not a MySQL DSN (user:password@tcp(host:port)/dbname)');
  const prefix = dsn.slice(0, slash);
  const [database = '', query = ''] = dsn.slice(slash + 1).split(/\?(.*)/s);
  const at = prefix.lastIndexOf('@');
  const credentials = at < 0 ? '' : prefix.slice(0, at);
  const endpoint = at < 0 ? prefix : prefix.slice(at + 1);
  const colon = credentials.indexOf(':');
  const options: ConnectionOptions = { user: colon < 0 ? credentials : credentials.slice(0, colon), database };
  if (colon >= 0) options.password = credentials.slice(colon + 1);
  const net = /^(\w*)(?:\((.*)\))?$/.exec(endpoint);
  if (!net) return new Error('the connection string has an address that is not net(addr)');
  const [, protocol = 'tcp', address = ''] = net;
  if (protocol === 'unix') options.socketPath = address || '/tmp/mysql.sock';
  else {
    const hostPort = splitHostPort(address);
    if (hostPort instanceof Error) return hostPort;
    Object.assign(options, hostPort);
  }
  const ssl = tlsOption(new URLSearchParams(query).get('tls') ?? undefined);
  if (ssl) options.ssl = ssl;
  return options;
}

/** mysql2 options for a trigger's target. */
export function mysqlConnectionOptions(target: MysqlTarget): ConnectionOptions | Error {
  if (!('connectionString' in target)) {
    const options: ConnectionOptions = { host: target.host, port: target.port, user: target.user, database: target.database };
    if (target.password !== undefined) options.password = target.password;
    return options;
  }
  if (/^mysql:\/\//i.test(target.connectionString)) return { uri: target.connectionString };
  return parseGoDsn(target.connectionString);
}

/**
 * KEDA's database name for the metric: the text after the connection string's last `/` (query string
 * included, as KEDA does). Without a `/` KEDA would use the whole string, password and all; tide uses
 * `dbname` instead so no secret reaches a metric name.
 */
export function dbNameFromConnectionString(connectionString: string): string {
  const slash = connectionString.lastIndexOf('/');
  return slash < 0 ? 'dbname' : connectionString.slice(slash + 1);
}
