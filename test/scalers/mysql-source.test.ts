// mysql against the machine's MariaDB (127.0.0.1:3306, root with an empty password, database `test`).
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mysqlScaler } from '../../src/scalers/mysql.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { parsed } from './helpers.js';

const table = `tide_jobs_${randomBytes(4).toString('hex')}`;
let admin: mysql.Connection;

beforeAll(async () => {
  admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
  await admin.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, state VARCHAR(16) NOT NULL)`);
});
afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

const split = { host: '127.0.0.1', port: '3306', username: 'root', dbName: 'test' };

function instance(metadata: Record<string, string>, input: { authParams?: Record<string, string>; env?: Record<string, string> } = {}, timeoutMs = 3000) {
  const result = parsed(mysqlScaler.parse({ metadata, triggerIndex: 1, ...input }));
  return new ScalerInstance(mysqlScaler, result, { trigger: { index: 1, type: 'mysql' }, metadata, timeoutMs });
}

async function setStates(states: string[]): Promise<void> {
  await admin.query(`DELETE FROM ${table}`);
  for (const state of states) await admin.query(`INSERT INTO ${table} (state) VALUES (?)`, [state]);
}

describe('mysql against the machine MariaDB', () => {
  test('value is the query result; activity is value > activationQueryValue', async () => {
    const scaler = instance({ ...split, query: `SELECT COUNT(*) FROM ${table} WHERE state = 'queued'`, queryValue: '4', activationQueryValue: '1' });
    await setStates(['queued', 'done']);
    // 1 queued → 1000 milli; 1 > 1 is false.
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: 's1-mysql-test', valueMilli: 1000, active: false });
    await setStates(['queued', 'queued', 'queued', 'queued', 'queued']);
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: 's1-mysql-test', valueMilli: 5000, active: true });
    await scaler.close();
  });

  test.each([
    ['DECIMAL (a string in mysql2): CEIL(5 / 6) = 1', 'SELECT CEIL(5 / 6)', 1000],
    ['a fraction: 3 / 4 = 0.7500', 'SELECT 3 / 4', 750],
    ['an empty table counts 0', `SELECT COUNT(*) FROM ${table} WHERE state = 'none'`, 0],
  ])('%s', async (_name, query, valueMilli) => {
    const scaler = instance({ ...split, query, queryValue: '1' });
    expect((await scaler.getMetricsAndActivity(Date.now())).valueMilli).toBe(valueMilli);
    await scaler.close();
  });

  test.each([
    ['a Go DSN from env', { connectionStringFromEnv: 'DSN' }, { env: { DSN: 'root:@tcp(127.0.0.1:3306)/test' } }],
    ['a mysql:// URL from authParams', {}, { authParams: { connectionString: 'mysql://root@127.0.0.1:3306/test' } }],
    ['split parameters with username from authParams', { host: '127.0.0.1', port: '3306', dbName: 'test' }, { authParams: { username: 'root' } }],
  ])('connects with %s', async (_name, metadata, input) => {
    const scaler = instance({ ...metadata, query: 'SELECT 7', queryValue: '1' }, input);
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toMatchObject({ valueMilli: 7000, active: true });
    await scaler.close();
  });

  test.each([
    ['bad SQL', 'SELEC 1', /^trigger 1 \(mysql\): error inspecting MySQL: You have an error in your SQL syntax/],
    ['missing table', 'SELECT COUNT(*) FROM tide_no_such_table', /^trigger 1 \(mysql\): error inspecting MySQL: Table 'test.tide_no_such_table' doesn't exist$/],
    ['NULL result', 'SELECT NULL', /error inspecting MySQL: the query returned NULL$/],
    ['text result', "SELECT 'many'", /error inspecting MySQL: the query's first column is not a number$/],
  ])('%s is a read error', async (_name, query, message) => {
    const scaler = instance({ ...split, query, queryValue: '1' });
    const error = await scaler.getMetricsAndActivity(Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'read' });
    expect((error as Error).message).toMatch(message);
    await scaler.close();
  });

  test.each([
    ['unreachable server', 'root:my-Secret-88@tcp(127.0.0.1:1)/test', /could not connect to MySQL: /],
    ['wrong password', 'root:my-Secret-88@tcp(127.0.0.1:3306)/test', /could not connect to MySQL: Access denied for user 'root'@'[^']+' \(using password: YES\)$/],
  ])('%s: ScalerError within the timeout, password not in the message', async (_name, dsn, message) => {
    const scaler = instance({ query: 'SELECT 1', queryValue: '1', connectionStringFromEnv: 'DSN' }, { env: { DSN: dsn } }, 1500);
    const started = Date.now();
    const error = await scaler.getMetricsAndActivity(started).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('my-Secret-88');
    expect(Date.now() - started).toBeLessThan(2500);
    await scaler.close();
  });
});
