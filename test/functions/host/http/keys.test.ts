import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authLevelOf, authorize, keySetFrom, loadKeys } from '../../../../src/functions/host/http/keys.js';

const dir = mkdtempSync(join(tmpdir(), 'tide-keys-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('keys', () => {
  const keys = keySetFrom([
    ['host.master', 'M'],
    ['host.function.default', 'HF'],
    ['host.systemKey.default', 'SYS'],
    ['functions.hello.default', 'FH'],
    ['functions.other.default', 'FO'],
    ['unrelated', 'x'],
  ]);

  it.each([
    ['anonymous, no key', 'anonymous', undefined, true],
    ['function, no key', 'function', undefined, false],
    ['function, own function key', 'function', 'FH', true],
    ['function, host function key', 'function', 'HF', true],
    ['function, master key', 'function', 'M', true],
    ["function, another function's key", 'function', 'FO', false],
    ['function, system key', 'function', 'SYS', false],
    ['function, wrong key', 'function', 'nope', false],
    ['admin, host function key', 'admin', 'HF', false],
    ['admin, master key', 'admin', 'M', true],
  ] as const)('%s → %s', (_name, level, key, allowed) => {
    // function name lookup is case-insensitive: "Hello" uses functions.hello.*
    expect(authorize(keys, level, 'Hello', key)).toBe(allowed);
  });

  it('authLevel defaults to function', () => {
    expect([authLevelOf(undefined), authLevelOf('Anonymous'), authLevelOf('ADMIN'), authLevelOf('system')]).toEqual(['function', 'anonymous', 'admin', 'function']);
  });

  it('loads a mounted Secret directory (skipping ..data entries) and settings, settings winning', async () => {
    writeFileSync(join(dir, 'host.master'), 'from-file\n');
    writeFileSync(join(dir, 'functions.hello.default'), 'fn-file');
    mkdirSync(join(dir, '..data'));
    const set = await loadKeys({ 'host.master': 'from-settings', 'host.function.ci': 'CI', OTHER: 'x' }, dir);
    expect(set.master).toBe('from-settings');
    expect([...set.hostFunction]).toEqual([['ci', 'CI']]);
    expect(set.functions.get('hello')?.get('default')).toBe('fn-file'); // trailing newline trimmed
  });

  it('a missing directory is no keys', async () => {
    const set = await loadKeys({}, join(dir, 'absent'));
    expect(set.master).toBeUndefined();
    expect(authorize(set, 'function', 'f', 'anything')).toBe(false);
  });
});
