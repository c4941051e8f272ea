// postgresql against the machine's PostgreSQL (127.0.0.1:5432, trust auth, database `test`).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postgresql } from '../../src/scalers/postgresql.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { parsed } from './helpers.js';

const table = `tide_jobs_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, state text NOT NULL)`);
});
afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

const split = { host: '127.0.0.1', port: '5432', userName: 'postgres', dbName: 'test', sslmode: 'disable' };

function instance(metadata: Record<string, string>, input: { authParams?: Record<string, string>; env?: Record<string, string> } = {}, timeoutMs = 3000) {
  const result = parsed(postgresql.parse({ metadata, triggerIndex: 0, ...input }));
  return new ScalerInstance(postgresql, result, { trigger: { index: 0, type: 'postgresql' }, metadata, timeoutMs });
}

async function setStates(states: string[]): Promise<void> {
  await admin.query(`TRUNCATE ${table}`);
  for (const state of states) await admin.query(`INSERT INTO ${table} (state) VALUES ($1)`, [state]);
}

describe('postgresql against the machine PostgreSQL', () => {
  test('value is the query result; activity is value > activationTargetQueryValue (as KEDA compares floats)', async () => {
    const scaler = instance({ ...split, query: `SELECT COUNT(*) FROM ${table} WHERE state = 'queued'`, targetQueryValue: '2', activationTargetQueryValue: '2' });
    await setStates(['queued', 'queued', 'done']);
    // COUNT(*) = 2 (int8, a string in node-postgres) → 2000 milli; 2 > 2 is false.
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: 's0-postgresql', valueMilli: 2000, active: false });
    await setStates(['queued', 'queued', 'queued']);
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: 's0-postgresql', valueMilli: 3000, active: true });
    await scaler.close();
  });

  test.each([
    ['numeric division keeps the fraction: 3 / 4.0 = 0.75', 'SELECT 3 / 4.0', 750],
    ['double precision', 'SELECT 1.5::float8', 1500],
    ['an empty table counts 0', `SELECT COUNT(*) FROM ${table} WHERE state = 'none'`, 0],
  ])('%s', async (_name, query, valueMilli) => {
    const scaler = instance({ ...split, query, targetQueryValue: '1' });
    expect((await scaler.getMetricsAndActivity(Date.now())).valueMilli).toBe(valueMilli);
    await scaler.close();
  });

  test.each([
    ['a URL from env', { connectionFromEnv: 'PG_URL' }, { env: { PG_URL: 'postgresql://postgres@127.0.0.1:5432/test' } }],
    ['key=value from authParams (quoted value)', {}, { authParams: { connection: "host=127.0.0.1 port=5432 user=postgres dbname='test' sslmode=disable" } }],
    ['split parameters from authParams with a password', { sslmode: 'disable' }, { authParams: { host: '127.0.0.1', port: '5432', userName: 'postgres', dbName: 'test', password: 'ignored-by-trust' } }],
  ])('connects with %s', async (_name, metadata, input) => {
    const scaler = instance({ ...metadata, query: 'SELECT 7', targetQueryValue: '1' }, input);
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toMatchObject({ valueMilli: 7000, active: true });
    await scaler.close();
  });

  test.each([
    ['bad SQL', 'SELEC 1', /^trigger 0 \(postgresql\): could not query postgreSQL: syntax error at or near "SELEC"$/],
    ['missing table', 'SELECT COUNT(*) FROM tide_no_such_table', /^trigger 0 \(postgresql\): could not query postgreSQL: relation "tide_no_such_table" does not exist$/],
    ['NULL result', 'SELECT NULL', /could not query postgreSQL: the query returned NULL$/],
    ['no rows', `SELECT 1 FROM ${table} WHERE false`, /could not query postgreSQL: the query returned no rows$/],
    ['text result', "SELECT 'many'", /could not query postgreSQL: the query's first column is not a number$/],
  ])('%s is a read error', async (_name, query, message) => {
    const scaler = instance({ ...split, query, targetQueryValue: '1' });
    const error = await scaler.getMetricsAndActivity(Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'read' });
    expect((error as Error).message).toMatch(message);
    await scaler.close();
  });

  test('unreachable server: ScalerError within the timeout, password not in the message', async () => {
    const secret = 'pg-Secret-77';
    const scaler = instance({ query: 'SELECT 1', targetQueryValue: '1', connectionFromEnv: 'PG' }, { env: { PG: `postgresql://postgres:${secret}@127.0.0.1:1/test` } }, 1500);
    const started = Date.now();
    const error = await scaler.getMetricsAndActivity(started).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect((error as Error).message).toMatch(/^trigger 0 \(postgresql\): could not connect to PostgreSQL: /);
    expect((error as Error).message).not.toContain(secret);
    expect(Date.now() - started).toBeLessThan(2500);
    await scaler.close();
  });
});
