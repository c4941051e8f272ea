// postgresql: scale on the number a SQL query returns (first column of the first row).

import type { Client } from 'pg';
import { defineScaler, issue, type Issue } from './define.js';
import { param } from './param.js';
import { milliFromFloatTarget } from './metric-name.js';
import { firstColumnNumber } from './postgresql-value.js';
import { postgresClientConfig, SSL_MODES, type PostgresTarget } from './postgresql-connection.js';
import { loadFor, loadPg } from './client-libraries.js';

/** Parsed postgresql parameters, as connect and read use them. */
export interface PostgresqlParams {
  readonly query: string;
  readonly targetQueryValue: number;
  readonly activationTargetQueryValue: number;
  readonly target: PostgresTarget;
  /** azure-workload identity: tide cannot fetch the Entra token, so connect says so. */
  readonly azureWorkload: boolean;
}

/** One client per trigger; `lost` is set when the server drops it between polls. */
export interface PostgresqlConnection {
  readonly client: Client;
  lost: boolean;
}

const SPLIT_PARAMS = ['host', 'port', 'userName', 'dbName', 'sslmode'] as const;

/** The postgresql scaler declaration. */
export const postgresql = defineScaler({
  type: 'postgresql',
  params: {
    query: param.string().required(),
    targetQueryValue: param.float().requiredUnlessMetricSource(),
    activationTargetQueryValue: param.float().default(0),
    connection: param.string().from('authParams', 'fromEnv').secret(),
    host: param.string().from('authParams', 'metadata'),
    port: param.string().from('authParams', 'metadata'),
    userName: param.string().from('authParams', 'metadata'),
    dbName: param.string().from('authParams', 'metadata'),
    sslmode: param.string().from('authParams', 'metadata'),
    password: param.string().from('authParams', 'fromEnv').secret(),
  },
  rules: (rule) => [
    // KEDA treats 0 as "not given" (its zero value).
    rule(['targetQueryValue'], (p, ctx) => !ctx.metricSource && p.targetQueryValue === 0 && issue('targetQueryValue', 'required: must not be 0')),
    rule(['connection', ...SPLIT_PARAMS], (p, ctx) => (p.connection ? [] : splitIssues(p, ctx.podIdentity))),
    rule(['sslmode'], (p) => p.sslmode !== undefined && !(SSL_MODES as readonly string[]).includes(p.sslmode) && issue('sslmode', `"${p.sslmode}" is not one of ${SSL_MODES.join(', ')}`)),
    rule(['port'], (p) => p.port !== undefined && !validPort(p.port) && issue('port', `"${p.port}" is not a port number (1-65535)`)),
  ],
  derive: (p, ctx): PostgresqlParams => ({
    query: p.query,
    targetQueryValue: p.targetQueryValue,
    activationTargetQueryValue: p.activationTargetQueryValue,
    azureWorkload: ctx.podIdentity === 'azure-workload',
    target: p.connection
      ? { connection: p.connection }
      : { host: p.host ?? '', port: Number(p.port), user: p.userName ?? '', database: p.dbName ?? '', sslmode: p.sslmode ?? '', password: p.password },
  }),
  metricName: () => 'postgresql',
  target: (p) => ({ value: milliFromFloatTarget(p.targetQueryValue), activation: milliFromFloatTarget(p.activationTargetQueryValue) }),
  async connect(p, ctx): Promise<PostgresqlConnection> {
    if (p.azureWorkload) throw new Error('azure-workload pod identity is not supported for postgresql by tide; use a password or connection');
    const config = postgresClientConfig(p.target);
    if (config instanceof Error) throw config;
    const pg = await loadFor(loadPg, ctx.signal);
    const client = new pg.Client({ ...config, connectionTimeoutMillis: ctx.timeoutMs, query_timeout: ctx.timeoutMs });
    const connection: PostgresqlConnection = { client, lost: false };
    // Without a listener a server-side disconnect would crash the process.
    client.on('error', () => {
      connection.lost = true;
    });
    const abandon = (): void => void client.end().catch(() => undefined);
    ctx.signal.addEventListener('abort', abandon, { once: true });
    try {
      await client.connect();
    } catch (error) {
      abandon();
      throw new Error(`could not connect to PostgreSQL: ${messageOf(error)}`);
    } finally {
      ctx.signal.removeEventListener('abort', abandon);
    }
    return connection;
  },
  async read(connection, p) {
    if (connection.lost) throw new Error('the connection to PostgreSQL was lost');
    let rows: unknown[][];
    try {
      rows = (await connection.client.query<unknown[]>({ text: p.query, rowMode: 'array' })).rows;
    } catch (error) {
      throw new Error(`could not query postgreSQL: ${messageOf(error)}`);
    }
    const value = firstColumnNumber(rows);
    if (value instanceof Error) throw new Error(`could not query postgreSQL: ${value.message}`);
    return { value, active: value > p.activationTargetQueryValue };
  },
  close: (connection) => connection.client.end().catch(() => undefined),
});

function splitIssues(p: Record<(typeof SPLIT_PARAMS)[number], string | undefined>, podIdentity: string | undefined): Issue[] {
  const missing = SPLIT_PARAMS.filter((name) => !p[name]);
  const how = podIdentity === 'azure-workload' ? '' : ' (or set connection: authParams.connection or metadata.connectionFromEnv)';
  return missing.map((name) => issue(name, `required without a connection string${how}`));
}

function validPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
