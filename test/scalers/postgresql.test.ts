import { describe, expect, test } from 'vitest';
import { postgresql } from '../../src/scalers/postgresql.js';
import { parseKeywordValue, postgresClientConfig, sslFor } from '../../src/scalers/postgresql-connection.js';
import { firstColumnNumber } from '../../src/scalers/postgresql-value.js';
import { errors, parsed } from './helpers.js';

const split = { host: 'db', port: '5432', userName: 'keda', dbName: 'jobs', sslmode: 'disable' };

describe('postgresql metadata (KEDA postgresql_scaler_test cases)', () => {
  test.each([
    ['connection from authParams', { query: 'q', targetQueryValue: '5' }, { connection: 'postgresql://u:p@h/db' }, {}],
    ['connection from env', { query: 'q', targetQueryValue: '5', connectionFromEnv: 'PG' }, {}, { PG: 'host=h user=u' }],
    ['split params in metadata, password from env', { ...split, query: 'q', targetQueryValue: '5', passwordFromEnv: 'PW' }, {}, { PW: 'pw' }],
    ['split params in authParams', { query: 'q', targetQueryValue: '5' }, { ...split, password: 'pw' }, {}],
    ['no password at all (trust auth)', { ...split, query: 'q', targetQueryValue: '5' }, {}, {}],
  ])('accepted: %s', (_name, metadata, authParams, env) => {
    const r = parsed(postgresql.parse({ metadata, authParams, env, triggerIndex: 0 }));
    expect(r.metricSpecs[0]).toEqual({ kind: 'External', metricName: 's0-postgresql', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 0 });
  });

  test('float target and activation: 2.5 → 2500 milli, 0.75 → 750', () => {
    const r = parsed(postgresql.parse({ metadata: { ...split, query: 'q', targetQueryValue: '2.5', activationTargetQueryValue: '0.75' }, triggerIndex: 3 }));
    expect(r.metricSpecs[0]).toMatchObject({ metricName: 's3-postgresql', targetMilli: 2500, activationMilli: 750 });
  });

  test.each([
    ['no query', { ...split, targetQueryValue: '5' }, {}, ['metadata.query: required (set metadata.query)']],
    ['no targetQueryValue', { ...split, query: 'q' }, {}, ['metadata.targetQueryValue: required (set metadata.targetQueryValue)']],
    ['targetQueryValue 0 (KEDA: "no targetQueryValue given")', { ...split, query: 'q', targetQueryValue: '0' }, {}, ['metadata.targetQueryValue: required: must not be 0']],
    ['non-numeric target', { ...split, query: 'q', targetQueryValue: 'five' }, {}, ['metadata.targetQueryValue: "five" is not a number']],
    ['no connection and no host/sslmode', { port: '5432', userName: 'u', dbName: 'd', query: 'q', targetQueryValue: '5' }, {}, [
      'metadata.host: required without a connection string (or set connection: authParams.connection or metadata.connectionFromEnv)',
      'metadata.sslmode: required without a connection string (or set connection: authParams.connection or metadata.connectionFromEnv)',
    ]],
    ['bad sslmode', { ...split, sslmode: 'on', query: 'q', targetQueryValue: '5' }, {}, ['metadata.sslmode: "on" is not one of disable, allow, prefer, require, verify-ca, verify-full']],
    ['bad port', { ...split, port: 'pg', query: 'q', targetQueryValue: '5' }, {}, ['metadata.port: "pg" is not a port number (1-65535)']],
  ])('rejected: %s', (_name, metadata, authParams, expected) => {
    expect(errors(postgresql.parse({ metadata, authParams, triggerIndex: 0 }))).toEqual(expected);
  });

  test('metric-source mode (scalingModifiers): targetQueryValue may be absent', () => {
    expect(parsed(postgresql.parse({ metadata: { ...split, query: 'q' }, triggerIndex: 0, metricSource: true })).metricSpecs[0]?.targetMilli).toBe(0);
  });

  test('the connection string is a secret: never in problems', () => {
    const secret = 'postgresql://u:Very-Secret@h/db';
    const r = postgresql.parse({ metadata: { query: 'q', targetQueryValue: 'x' }, authParams: { connection: secret }, triggerIndex: 0 });
    expect(JSON.stringify(errors(r))).not.toContain('Very-Secret');
  });
});

describe('postgresql connection strings', () => {
  test.each([
    ['plain pairs', 'host=h port=5433 user=u dbname=d', { host: 'h', port: '5433', user: 'u', dbname: 'd' }],
    ['spaces around = and a quoted value with an escaped quote', "host = h password='it\\'s a pw'", { host: 'h', password: "it's a pw" }],
    ['empty quoted value', "password=''", { password: '' }],
  ])('%s', (_name, text, expected) => {
    expect(parseKeywordValue(text)).toEqual(expected);
  });

  test.each([
    ['not pairs', 'just-a-host'],
    ['unterminated quote', "password='abc"],
  ])('rejects %s without echoing it', (_name, text) => {
    const result = parseKeywordValue(text);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).not.toContain('abc');
  });

  test('URLs go to node-postgres as they are; split params map sslmode to TLS', () => {
    expect(postgresClientConfig({ connection: 'postgres://u@h/d' })).toEqual({ connectionString: 'postgres://u@h/d' });
    expect(postgresClientConfig({ host: 'h', port: 5432, user: 'u', database: 'd', sslmode: 'require', password: 'p' })).toEqual({ host: 'h', port: 5432, user: 'u', database: 'd', password: 'p', ssl: { rejectUnauthorized: false } });
    expect([sslFor('disable'), sslFor('prefer'), sslFor('verify-full')]).toEqual([false, false, true]);
  });
});

describe('first column as a float', () => {
  test.each([
    ['number', [[3]], 3],
    ['int8 as string', [['42']], 42],
    ['numeric as string', [['0.75']], 0.75],
    ['bigint', [[12n]], 12],
  ])('%s', (_name, rows, value) => {
    expect(firstColumnNumber(rows)).toBe(value);
  });

  test.each([
    ['no rows', [], 'the query returned no rows'],
    ['NULL', [[null]], 'the query returned NULL'],
    ['empty string', [['']], "the query's first column is not a number"],
    ['boolean', [[true]], "the query's first column is not a number"],
  ])('%s is an error', (_name, rows, message) => {
    expect(firstColumnNumber(rows)).toEqual(new Error(message));
  });
});
