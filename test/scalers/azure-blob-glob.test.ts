// globPattern semantics of KEDA's azure-blob scaler (gobwas/glob compiled without separators).
import { describe, expect, test } from 'vitest';
import { compileGlob, globMatches } from '../../src/scalers/azure-glob.js';
import { azureBlob } from '../../src/scalers/azure-blob.js';

function glob(pattern: string): RegExp {
  const compiled = compileGlob(pattern);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled;
}

describe('compileGlob', () => {
  test.each([
    // * and ** cross "/" because no separators are given to the glob compiler
    ['*.txt', 'a.txt', true],
    ['*.txt', 'logs/2024/a.txt', true],
    ['*.txt', 'a.txt.bak', false],
    ['**.csv', 'x/y/z.csv', true],
    ['logs/*', 'logs/a/b', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['?.txt', 'é.txt', true],
    ['[abc].txt', 'b.txt', true],
    ['[abc].txt', 'd.txt', false],
    ['[a-c]1', 'c1', true],
    ['[!a-c]1', 'c1', false],
    ['[!a-c]1', 'd1', true],
    ['[^a]', '^', true], // only ! negates; ^ is a member
    ['{a,b}.txt', 'b.txt', true],
    ['{a,b}.txt', 'c.txt', false],
    ['{x/*.json,*.csv}', 'x/deep/f.json', true],
    ['{,pre-}file', 'file', true],
    ['data.json', 'dataXjson', false], // . is literal
    ['a+b(c)', 'a+b(c)', true],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a}b', 'a}b', true], // an unmatched } is a literal, as in gobwas
    ['a]', 'a]', true],
    ['[\\]]x', ']x', true],
    ['[a-]', '-', true],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(glob(pattern).test(name)).toBe(expected);
  });

  test.each([
    ['[abc', 'unclosed ['],
    ['{a,b', 'unclosed {'],
    ['{a,[b}', 'unclosed ['],
    ['x\\', 'ends with a lone \\'],
    ['[]', 'empty [ ]'],
    ['[z-a]', 'range z-a runs backwards'],
  ])('%s does not compile: %s', (pattern, error) => {
    expect(compileGlob(pattern)).toEqual({ error });
  });

  test('azure-blob rejects an invalid globPattern with the reason', () => {
    const r = azureBlob.parse({ metadata: { blobContainerName: 'c', globPattern: '[z-a]' }, authParams: { connection: 'UseDevelopmentStorage=true' }, triggerIndex: 0 });
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['metadata.globPattern: "[z-a]" is not a valid glob pattern (range z-a runs backwards)']);
  });
});

describe('globMatches (KEDA: the whole name or the part after the prefix)', () => {
  test.each([
    ['*.txt', 'logs/a.txt', undefined, true],
    ['a.txt', 'logs/a.txt', 'logs/', true], // tail "a.txt"
    ['a.txt', 'logs/a.txt', undefined, false],
    ['2024/*', 'logs/2024/b.txt', 'logs/', true], // tail "2024/b.txt"
    ['a.txt', 'logs/a.txt', '/logs', true], // leading "/" of the prefix and of the tail ignored
    ['logs/a.txt', 'logs/a.txt', 'logs/', true], // the whole name
  ])('%s vs %s (prefix %s) → %s', (pattern, name, prefix, expected) => {
    expect(globMatches(glob(pattern), name, prefix)).toBe(expected);
  });
});
