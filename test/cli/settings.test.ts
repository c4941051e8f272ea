import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSettings } from '../../src/cli/settings.js';
import { runCli, tempFiles } from '../helpers/cli.js';

const INITIAL = `{
  "IsEncrypted": false,
  "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "node",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true"
  },
  "Host": {
    "LocalHttpPort": 7072,
    "CORS": "*"
  },
  "Custom": [1, 2]
}
`;

const settingsOf = (dir: string): string => readFileSync(join(dir, 'local.settings.json'), 'utf8');
const json = (dir: string): Record<string, unknown> => JSON.parse(settingsOf(dir)) as Record<string, unknown>;

/** `tide settings …` with `input` as stdin. */
async function withStdin(argv: readonly string[], cwd: string, stdin: Readable & { isTTY?: boolean }) {
  let stdout = '';
  let stderr = '';
  const code = await runSettings(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false, cwd, env: {} }, stdin);
  return { code, stdout, stderr };
}

describe('tide settings add', () => {
  it('adds to Values and keeps the rest of the file, its key order and 2-space formatting', async () => {
    const dir = tempFiles({ 'local.settings.json': INITIAL });
    const run = await runCli(['settings', 'add', 'QueueConnection', 'DefaultEndpointsProtocol=http;AccountName=a'], dir);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(settingsOf(dir)).toBe(INITIAL.replace('"UseDevelopmentStorage=true"\n', '"UseDevelopmentStorage=true",\n    "QueueConnection": "DefaultEndpointsProtocol=http;AccountName=a"\n').replace('"Custom": [1, 2]', '"Custom": [\n    1,\n    2\n  ]'));
  });

  it('replaces an existing value in place (matching the name without regard to case)', async () => {
    const dir = tempFiles({ 'local.settings.json': INITIAL });
    await runCli(['settings', 'add', 'azurewebjobsstorage', 'other'], dir);
    expect(json(dir)['Values']).toEqual({ FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'other' });
  });

  it('--connectionString stores {ConnectionString, ProviderName} under ConnectionStrings, as func does', async () => {
    const dir = tempFiles({ 'local.settings.json': INITIAL });
    const run = await runCli(['settings', 'add', 'Db', 'Server=x', '--connectionString'], dir);
    expect(run.code).toBe(0);
    expect(json(dir)['ConnectionStrings']).toEqual({ Db: { ConnectionString: 'Server=x', ProviderName: 'System.Data.SqlClient' } });
    expect(json(dir)['Values']).not.toHaveProperty('Db');
  });

  it('without a value reads it from piped stdin (one trailing newline dropped); on a terminal it says how to pass one', async () => {
    const dir = tempFiles({ 'local.settings.json': INITIAL });
    const piped = await withStdin(['add', 'Secret'], dir, Readable.from([Buffer.from('s3cr'), Buffer.from('et=;\n')]));
    expect(piped.code).toBe(0);
    expect(json(dir)['Values']).toMatchObject({ Secret: 's3cret=;' });
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(withStdin(['add', 'Other'], dir, tty)).rejects.toThrow('no value for "Other": pass it after the name, or pipe it in (tide does not prompt)');
  });

  it('creates local.settings.json when there is none, with "IsEncrypted": false', async () => {
    const dir = tempFiles({});
    await runCli(['settings', 'add', 'A', '1'], dir);
    expect(settingsOf(dir)).toBe('{\n  "IsEncrypted": false,\n  "Values": {\n    "A": "1"\n  }\n}\n');
  });

  it('adds "IsEncrypted": false first when the key is missing (func would read the file as encrypted)', async () => {
    const dir = tempFiles({ 'local.settings.json': '{"Values": {"A": "1"}}' });
    await runCli(['settings', 'add', 'B', '2'], dir);
    expect(Object.keys(json(dir))).toEqual(['IsEncrypted', 'Values']);
    expect(json(dir)).toEqual({ IsEncrypted: false, Values: { A: '1', B: '2' } });
  });

  it('edits the local.settings.json of the app above the current folder', async () => {
    const dir = tempFiles({ 'host.json': '{}', 'local.settings.json': INITIAL });
    mkdirSync(join(dir, 'src', 'functions'), { recursive: true });
    await runCli(['settings', 'add', 'Deep', 'yes'], join(dir, 'src', 'functions'));
    expect(json(dir)['Values']).toMatchObject({ Deep: 'yes' });
    expect(existsSync(join(dir, 'src', 'functions', 'local.settings.json'))).toBe(false);
  });

  it('refuses an encrypted file', async () => {
    const text = '{"IsEncrypted": true, "Values": {"A": "CfDJ8abc"}}';
    const dir = tempFiles({ 'local.settings.json': text });
    const run = await runCli(['settings', 'add', 'B', '2'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"IsEncrypted": true; tide writes settings in plain text only');
    expect(settingsOf(dir)).toBe(text);
  });
});

describe('tide settings list and delete', () => {
  const withConnection = INITIAL.replace('"Custom": [1, 2]', '"ConnectionStrings": {"Db": "Server=x", "Other": {"ConnectionString": "y", "ProviderName": "Npgsql"}}');

  it('list masks the values; --showValue / -a shows them', async () => {
    const dir = tempFiles({ 'local.settings.json': withConnection });
    const masked = await runCli(['settings', 'list'], dir);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toBe(
      [
        'App Settings:',
        '   -> Name: FUNCTIONS_WORKER_RUNTIME',
        '      Value: *****',
        '',
        '   -> Name: AzureWebJobsStorage',
        '      Value: *****',
        '',
        'Connection Strings:',
        '   -> Name: Db',
        '      Value: *****',
        '      ProviderName: System.Data.SqlClient',
        '',
        '   -> Name: Other',
        '      Value: *****',
        '      ProviderName: Npgsql',
        '',
        '',
      ].join('\n'),
    );
    expect(masked.stdout).not.toContain('UseDevelopmentStorage');
    for (const flag of ['--showValue', '-a']) {
      const shown = await runCli(['settings', 'list', flag], dir);
      expect(shown.stdout).toContain('   -> Name: AzureWebJobsStorage\n      Value: UseDevelopmentStorage=true\n');
      expect(shown.stdout).toContain('   -> Name: Db\n      Value: Server=x\n');
    }
  });

  it('delete removes from Values (or ConnectionStrings with --connectionString) and keeps the rest', async () => {
    const dir = tempFiles({ 'local.settings.json': withConnection });
    expect((await runCli(['settings', 'delete', 'AzureWebJobsStorage'], dir)).code).toBe(0);
    expect(json(dir)['Values']).toEqual({ FUNCTIONS_WORKER_RUNTIME: 'node' });
    expect((await runCli(['settings', 'remove', 'Db', '--connectionString'], dir)).code).toBe(0);
    expect(json(dir)).toMatchObject({ ConnectionStrings: { Other: { ConnectionString: 'y' } }, Host: { LocalHttpPort: 7072 } });
    expect(json(dir)['ConnectionStrings']).not.toHaveProperty('Db');
  });

  it('deleting a setting that is not there changes nothing and says so', async () => {
    const dir = tempFiles({ 'local.settings.json': INITIAL });
    const run = await runCli(['settings', 'delete', 'Nope'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('no setting "Nope" in Values; nothing to delete');
    expect(settingsOf(dir)).toBe(INITIAL);
  });
});

describe('tide settings: bad input', () => {
  it.each([
    ['a missing comma', '{\n  "IsEncrypted": false,\n  "Values": {\n    "A": "1"\n    "B": "2"\n  }\n}\n', 5, 5, 'expected "," or "}", found "\\""'],
    ['a missing value', '{\n  "Values": {\n    "A": \n  }\n}\n', 4, 3, 'unexpected "}"'],
    ['an unclosed object', '{\n  "Values": {"A": "1"}\n', 3, 1, 'expected "," or "}", found the end of the file'],
    ['a stray word after a comment', '// settings\n{ "Values": { "A": nope } }\n', 2, 20, 'unexpected "n"'],
  ])('%s: file:line:col and what is wrong, for list and add; the file is unchanged', async (_, text, line, col, message) => {
    const dir = tempFiles({ 'local.settings.json': text });
    const file = join(dir, 'local.settings.json');
    for (const argv of [['settings', 'list'], ['settings', 'add', 'C', '3']]) {
      const run = await runCli(argv, dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`tide settings: ${file}:${line}:${col}: ${message}\n`);
    }
    expect(settingsOf(dir)).toBe(text);
  });

  it('Values that is not an object is named with the file and key', async () => {
    const dir = tempFiles({ 'local.settings.json': '{"IsEncrypted": false, "Values": ["A"]}' });
    const run = await runCli(['settings', 'add', 'C', '3'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('local.settings.json:Values: "Values" must be an object of string settings');
  });

  it('comments and trailing commas are read, with a warning that a rewrite drops them', async () => {
    const dir = tempFiles({ 'local.settings.json': '{\n  // mine\n  "IsEncrypted": false,\n  "Values": {"A": "1",},\n}\n' });
    const run = await runCli(['settings', 'add', 'B', '2'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('has comments or trailing commas; they are not kept');
    expect(json(dir)).toEqual({ IsEncrypted: false, Values: { A: '1', B: '2' } });
  });

  it.each([
    [['settings'], 'name an action: add, list or delete'],
    [['settings', 'show'], 'unknown action "show"'],
    [['settings', 'add'], 'add needs a setting name'],
    [['settings', 'add', 'A', 'b', 'c'], 'unexpected argument "c"'],
    [['settings', 'delete', 'A', 'b'], 'unexpected argument "b"'],
    [['settings', 'list', 'x'], 'list takes no argument'],
  ])('%j is a usage error', async (argv, message) => {
    const run = await runCli(argv, tempFiles({}));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('encrypt and decrypt are refused with the reason', async () => {
    const run = await runCli(['settings', 'encrypt'], tempFiles({}));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('settings encrypt is not supported');
  });
});
