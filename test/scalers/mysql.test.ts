import { describe, expect, test } from 'vitest';
import { mysqlScaler } from '../../src/scalers/mysql.js';
import { dbNameFromConnectionString, mysqlConnectionOptions, parseGoDsn } from '../../src/scalers/mysql-connection.js';
import { errors, parsed } from './helpers.js';

const split = { host: 'db', port: '3306', username: 'root', dbName: 'stats_db' };

describe('mysql metadata (KEDA mysql_scaler_test cases)', () => {
  test.each([
    ['connectionString from authParams → metric from the DSN db name', { query: 'q', queryValue: '12' }, { connectionString: 'test_conn_str/stats_db' }, {}, 's0-mysql-stats_db'],
    ['connectionStringFromEnv', { query: 'q', queryValue: '12', connectionStringFromEnv: 'DSN' }, {}, { DSN: 'root:pw@tcp(h:3306)/orders' }, 's0-mysql-orders'],
    ['KEDA keeps the DSN query string in the name (normalised)', { query: 'q', queryValue: '12' }, { connectionString: 'u:p@tcp(h:1)/db.x?tls=true' }, {}, 's0-mysql-db-x?tls=true'],
    ['a DSN without "/": tide names it mysql-dbname, never the string itself', { query: 'q', queryValue: '12' }, { connectionString: 'u:secretpw@h' }, {}, 's0-mysql-dbname'],
    ['split params, password from env', { ...split, query: 'q', queryValue: '12', passwordFromEnv: 'PW' }, {}, { PW: 'pw' }, 's0-mysql-stats_db'],
    ['split params, no password (empty root password)', { ...split, query: 'q', queryValue: '12' }, {}, {}, 's0-mysql-stats_db'],
    ['host/port/dbName from authParams', { username: 'u', query: 'q', queryValue: '12' }, { host: 'h', port: '3306', dbName: 'd' }, {}, 's0-mysql-d'],
  ])('accepted: %s', (_name, metadata, authParams, env, metricName) => {
    const r = parsed(mysqlScaler.parse({ metadata, authParams, env, triggerIndex: 0 }));
    expect(r.metricSpecs[0]).toEqual({ kind: 'External', metricName, targetType: 'AverageValue', targetMilli: 12_000, activationMilli: 0 });
  });

  test('float queryValue and activation: 1.5 → 1500 milli, 0.5 → 500', () => {
    const r = parsed(mysqlScaler.parse({ metadata: { ...split, query: 'q', queryValue: '1.5', activationQueryValue: '0.5' }, triggerIndex: 2 }));
    expect(r.metricSpecs[0]).toMatchObject({ metricName: 's2-mysql-stats_db', targetMilli: 1500, activationMilli: 500 });
  });

  test.each([
    ['no query', { ...split, queryValue: '1' }, ['metadata.query: required (set metadata.query)']],
    ['no queryValue', { ...split, query: 'q' }, ['metadata.queryValue: required (set metadata.queryValue)']],
    ['non-numeric queryValue', { ...split, query: 'q', queryValue: 'lots' }, ['metadata.queryValue: "lots" is not a number']],
    ['no connection and no host/username', { port: '3306', dbName: 'd', query: 'q', queryValue: '1' }, [
      'metadata.host: required without a connection string (or set authParams.connectionString or metadata.connectionStringFromEnv)',
      'metadata.username: required without a connection string (or set authParams.connectionString or metadata.connectionStringFromEnv)',
    ]],
    ['bad port', { ...split, port: 'mysql', query: 'q', queryValue: '1' }, ['metadata.port: "mysql" is not a port number (1-65535)']],
  ])('rejected: %s', (_name, metadata, expected) => {
    expect(errors(mysqlScaler.parse({ metadata, triggerIndex: 0 }))).toEqual(expected);
  });

  test('metricName is accepted but ignored, with a warning', () => {
    const r = parsed(mysqlScaler.parse({ metadata: { ...split, query: 'q', queryValue: '1', metricName: 'custom' }, triggerIndex: 0 }));
    expect(r.metricSpecs[0]?.metricName).toBe('s0-mysql-stats_db');
    expect(r.warnings.map((w) => w.path)).toEqual(['metadata.metricName']);
  });
});

describe('mysql connection strings', () => {
  test.each([
    ['user, password, tcp address, db', 'root:pw@tcp(db:3307)/stats', { user: 'root', password: 'pw', host: 'db', port: 3307, database: 'stats' }],
    ['password containing ":" and "@" (last @ splits)', 'u:a:b@c@tcp(h)/d', { user: 'u', password: 'a:b@c', host: 'h', port: 3306, database: 'd' }],
    ['no credentials, default address', '/d', { user: '', host: '127.0.0.1', port: 3306, database: 'd' }],
    ['unix socket', 'u@unix(/run/mysqld/mysqld.sock)/d', { user: 'u', socketPath: '/run/mysqld/mysqld.sock', database: 'd' }],
    ['tls=skip-verify', 'u@tcp(h:1)/d?tls=skip-verify&timeout=5s', { user: 'u', host: 'h', port: 1, database: 'd', ssl: { rejectUnauthorized: false } }],
    ['IPv6 address', 'u@tcp([::1]:3306)/d', { user: 'u', host: '::1', port: 3306, database: 'd' }],
  ])('Go DSN: %s', (_name, dsn, expected) => {
    expect(parseGoDsn(dsn)).toEqual(expected);
  });

  test('mysql:// URLs go to mysql2 as uri; a string without "/" is rejected without echoing it', () => {
    expect(mysqlConnectionOptions({ connectionString: 'mysql://u@h/d' })).toEqual({ uri: 'mysql://u@h/d' });
    const bad = parseGoDsn('u:hunter22@h');
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).not.toContain('hunter22');
  });

  test.each([
    ['tcp DSN', 'u:p@tcp(h:3306)/stats_db', 'stats_db'],
    ['with params', 'u:p@tcp(h:3306)/stats_db?tls=true', 'stats_db?tls=true'],
    ['no slash', 'u:p@h', 'dbname'],
  ])('metric db name from %s', (_name, text, db) => {
    expect(dbNameFromConnectionString(text)).toBe(db);
  });
});
