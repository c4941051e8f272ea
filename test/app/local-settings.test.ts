import { describe, expect, it } from 'vitest';
import { appSettings, parseLocalSettings } from '../../src/app/local-settings.js';

const parse = (doc: unknown) => parseLocalSettings(JSON.stringify(doc));
const PROTECTED = 'CfDJ8AAAAAAAAAAAAAAAAAAAAABzb21lIGJ5dGVz';

describe('local.settings.json', () => {
  it('reads Values, ConnectionStrings (bare string → SqlClient provider) and Host', () => {
    const { settings, problems } = parse({
      IsEncrypted: false,
      Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true', Empty: '' },
      ConnectionStrings: { A: 'Server=a', B: { ConnectionString: 'Server=b', ProviderName: 'Npgsql' } },
      Host: { LocalHttpPort: 7072, LocalHttpAddress: '0.0.0.0', CORS: 'https://a, https://b', CORSCredentials: true },
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      isEncrypted: false,
      values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true', Empty: '' },
      connectionStrings: { A: { connectionString: 'Server=a', providerName: 'System.Data.SqlClient' }, B: { connectionString: 'Server=b', providerName: 'Npgsql' } },
      host: { localHttpPort: 7072, localHttpAddress: '0.0.0.0', cors: ['https://a', 'https://b'], corsCredentials: true },
    });
  });

  it.each([
    ['explicit IsEncrypted true', { IsEncrypted: true, Values: { A: PROTECTED } }, 'error', /encrypted values cannot be decrypted outside the Windows machine/],
    ['IsEncrypted true even with plain-looking values', { IsEncrypted: true, Values: { A: 'plain' } }, 'error', /cannot be decrypted/],
    ['missing IsEncrypted with protected payloads (func: missing ⇒ true)', { Values: { A: PROTECTED } }, 'error', /cannot be decrypted/],
    ['missing IsEncrypted with plain values', { Values: { A: 'plain' } }, 'warning', /has no "IsEncrypted"; func would treat its values as encrypted/],
  ])('%s', (_name, doc, severity, message) => {
    const { settings, problems } = parse(doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'local.settings.json:IsEncrypted', severity });
    expect(problems[0]?.message).toMatch(message);
    // Encrypted values are never handed out as if they were settings.
    expect(settings.values).toEqual(severity === 'error' ? {} : { A: 'plain' });
  });

  it('IsEncrypted true with no values is harmless (nothing to decrypt)', () => {
    expect(parse({ IsEncrypted: true, Values: {} }).problems).toEqual([]);
  });

  it('Values must be string → string: numbers are read with a warning, objects are errors naming the key', () => {
    const { settings, problems } = parse({ IsEncrypted: false, Values: { Port: 7071, Obj: { a: 1 }, Ok: 'x' } });
    expect(settings.values).toEqual({ Port: '7071', Ok: 'x' });
    expect(problems.map((p) => `${p.severity} ${p.path}`)).toEqual(['warning local.settings.json:Values.Port', 'error local.settings.json:Values.Obj']);
  });

  it('invalid JSON → a warning and empty settings, as func does; no file → empty, no problem', () => {
    const broken = parseLocalSettings('{ "Values": ');
    expect(broken.settings.values).toEqual({});
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems[0]?.severity).toBe('warning');
    expect(parseLocalSettings(undefined)).toEqual({ settings: { isEncrypted: false, values: {}, connectionStrings: {}, host: {} }, problems: [] });
  });
});

describe('appSettings', () => {
  it('the existing environment wins (empty strings included); connection strings become ConnectionStrings:<name>', () => {
    const { settings } = parse({ IsEncrypted: false, Values: { A: 'file', B: 'file', C: 'file' }, ConnectionStrings: { Db: 'Server=x' } });
    expect(appSettings({ A: 'env', B: '', D: 'env', E: undefined }, settings)).toEqual({ A: 'env', B: '', C: 'file', D: 'env', 'ConnectionStrings:Db': 'Server=x' });
  });
});
