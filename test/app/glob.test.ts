import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandBraces, globFiles, segmentRegExp } from '../../src/app/glob.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/apps/${name}`, import.meta.url));

describe('package.json main patterns', () => {
  it.each([
    ['src/index.js', ['src/index.js']],
    ['src/{index.js,functions/*.js}', ['src/index.js', 'src/functions/*.js']],
    ['{a,b{c,d}}.js', ['a.js', 'bc.js', 'bd.js']],
  ])('braces %s → %j', (pattern, expected) => {
    expect(expandBraces(pattern)).toEqual(expected);
  });

  it.each([
    ['*.js', 'queue.js', true],
    ['*.js', 'queue.ts', false],
    ['q?eue.js', 'queue.js', true],
    ['[qr]*.js', 'rabbit.js', true],
    ['[!qr]*.js', 'rabbit.js', false],
    ['a.b', 'axb', false],
  ])('segment %s matches %s: %s', (segment, name, expected) => {
    expect(segmentRegExp(segment).test(name)).toBe(expected);
  });

  it.each([
    ['src/functions/*.js', ['src/functions/hooks.js', 'src/functions/http.js', 'src/functions/queue.js', 'src/functions/rabbit.js', 'src/functions/seen.js', 'src/functions/timer.js']],
    ['./src/functions/q*.js', ['src/functions/queue.js']],
    ['**/rabbit.js', ['src/functions/rabbit.js']],
    ['src/functions/none*.js', []],
  ])('%s in the v4-js app', async (pattern, expected) => {
    expect(await globFiles(fixture('v4-js'), pattern)).toEqual(expected);
  });
});
