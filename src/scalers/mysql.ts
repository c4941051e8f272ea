// mysql: scale on the number a SQL query returns (first column of the first row), MySQL or MariaDB.

import type { Connection } from 'mysql2/promise';
import { defineScaler, issue } from './define.js';
import { param } from './param.js';
import { milliFromFloatTarget } from './metric-name.js';
import { firstColumnNumber } from './postgresql-value.js';
import { dbNameFromConnectionString, mysqlConnectionOptions, type MysqlTarget } from './mysql-connection.js';
import { loadFor, loadMysql2 } from './client-libraries.js';

/** Parsed mysql parameters, as connect and read use them. */
export interface MysqlParams {
  readonly query: string;
  readonly queryValue: number;
  readonly activationQueryValue: number;
  readonly dbName: string;
  readonly target: MysqlTarget;
}

/** One connection per trigger; `lost` is set when the server drops it between polls. */
export interface MysqlConnection {
  readonly connection: Connection;
  lost: boolean;
}

const SPLIT_PARAMS = ['host', 'port', 'username', 'dbName'] as const;
const POOL_NOTE = 'accepted for KEDA compatibility; tide keeps one connection per trigger';

/** The mysql scaler declaration. */
export const mysqlScaler = defineScaler({
  type: 'mysql',
  params: {
    query: param.string().required(),
    queryValue: param.float().required(),
    activationQueryValue: param.float().default(0),
    connectionString: param.string().from('authParams', 'fromEnv').secret(),
    username: param.string().from('metadata', 'authParams', 'fromEnv'),
    password: param.string().from('authParams', 'fromEnv').secret(),
    host: param.string().from('metadata', 'authParams'),
    port: param.string().from('metadata', 'authParams'),
    dbName: param.string().from('metadata', 'authParams'),
    metricName: param.string().deprecated('ignored: the metric is named mysql-<dbName>'),
    useGlobalConnPools: param.bool().deprecated(POOL_NOTE),
    maxOpenConns: param.int().deprecated(POOL_NOTE),
    maxIdleConns: param.int().deprecated(POOL_NOTE),
    connMaxIdleTime: param.int().deprecated(POOL_NOTE),
  },
  rules: (rule) => [
    rule(['connectionString', ...SPLIT_PARAMS], (p) =>
      p.connectionString ? [] : SPLIT_PARAMS.filter((name) => !p[name]).map((name) => issue(name, 'required without a connection string (or set authParams.connectionString or metadata.connectionStringFromEnv)')),
    ),
    rule(['port'], (p) => p.port !== undefined && !/^\d{1,5}$/.test(p.port) && issue('port', `"${p.port}" is not a port number (1-65535)`)),
  ],
  derive: (p): MysqlParams => ({
    query: p.query,
    queryValue: p.queryValue,
    activationQueryValue: p.activationQueryValue,
    dbName: p.connectionString ? dbNameFromConnectionString(p.connectionString) : (p.dbName ?? ''),
    target: p.connectionString
      ? { connectionString: p.connectionString }
      : { host: p.host ?? '', port: Number(p.port), user: p.username ?? '', password: p.password, database: p.dbName ?? '' },
  }),
  metricName: (p) => `mysql-${p.dbName}`,
  target: (p) => ({ value: milliFromFloatTarget(p.queryValue), activation: milliFromFloatTarget(p.activationQueryValue) }),
  async connect(p, ctx): Promise<MysqlConnection> {
    const options = mysqlConnectionOptions(p.target);
    if (options instanceof Error) throw options;
    const mysql = await loadFor(loadMysql2, ctx.signal);
    const pending = mysql.createConnection({ ...options, connectTimeout: ctx.timeoutMs });
    const abandon = (): void => void pending.then((c) => { c.destroy(); }).catch(() => undefined);
    ctx.signal.addEventListener('abort', abandon, { once: true });
    try {
      const connection = await pending;
      const held: MysqlConnection = { connection, lost: false };
      // Without a listener a server-side disconnect would crash the process.
      connection.on('error', () => {
        held.lost = true;
      });
      return held;
    } catch (error) {
      throw new Error(`could not connect to MySQL: ${messageOf(error)}`);
    } finally {
      ctx.signal.removeEventListener('abort', abandon);
    }
  },
  async read(held, p, ctx) {
    if (held.lost) throw new Error('the connection to MySQL was lost');
    let rows: unknown;
    try {
      [rows] = await held.connection.query({ sql: p.query, rowsAsArray: true, timeout: ctx.timeoutMs });
    } catch (error) {
      throw new Error(`error inspecting MySQL: ${messageOf(error)}`);
    }
    const value = firstColumnNumber(Array.isArray(rows) ? (rows as unknown[][]) : []);
    if (value instanceof Error) throw new Error(`error inspecting MySQL: ${value.message}`);
    return { value, active: value > p.activationQueryValue };
  },
  close: (held) => {
    held.connection.destroy();
  },
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
