import { describe, expect, test } from 'vitest';
import { param, type AnyParam } from '../../src/scalers/param.js';

function convert(declared: AnyParam, text: string): unknown {
  const out = declared.spec.convert(text);
  return 'value' in out ? out.value : `error: ${out.error}`;
}

describe('value conversion follows KEDA (Go JSON numbers, strconv.ParseBool)', () => {
  test.each([
    ['int "5"', param.int(), '5', 5],
    ['int "-3"', param.int(), '-3', -3],
    ['int "1.5" (int64 in KEDA)', param.int(), '1.5', 'error: is not an integer'],
    ['int "+5" (JSON has no plus)', param.int(), '+5', 'error: is not an integer'],
    ['int "05" (JSON has no leading zero)', param.int(), '05', 'error: is not an integer'],
    ['int beyond 2^53', param.int(), '9007199254740993', 'error: is out of range'],
    ['float "2.5"', param.float(), '2.5', 2.5],
    ['float "1e3"', param.float(), '1e3', 1000],
    ['float ".5" (JSON needs the 0)', param.float(), '.5', 'error: is not a number'],
    ['float "1e400" overflows', param.float(), '1e400', 'error: is out of range'],
    ['bool "true"', param.bool(), 'true', true],
    ['bool "False"', param.bool(), 'False', false],
    ['bool "1"', param.bool(), '1', true],
    ['bool "yes"', param.bool(), 'yes', 'error: is not a boolean (use true or false)'],
    ['quantity "1500m" → 1500 milli', param.quantity(), '1500m', 1500],
    ['quantity "2k" → 2 000 000 milli', param.quantity(), '2k', 2_000_000],
    ['enum exact', param.enum(['all', 'visibleonly']), 'all', 'all'],
    ['enum is case-sensitive, with a suggestion', param.enum(['all', 'visibleonly']), 'All', 'error: is not one of all, visibleonly; did you mean "all"?'],
    ['list trims items', param.list(), 'a:1, b:2 ,c', ['a:1', 'b:2', 'c']],
    ['map k=v pairs', param.map(), 'X-A=1, X-B = two', { 'X-A': '1', 'X-B': 'two' }],
    ['map rejects a pair without =', param.map(), 'a=1,b', 'error: is not a list of key=value pairs separated by commas'],
    ['map rejects a value containing = (KEDA splits on every =)', param.map(), 'a=b=c', 'error: is not a list of key=value pairs separated by commas'],
  ])('%s', (_name, declared, text, expected) => {
    expect(convert(declared, text)).toEqual(expected);
  });
});

describe('modifiers', () => {
  test('a parameter starts optional, read from metadata only', () => {
    const spec = param.string().spec;
    expect([spec.presence, spec.sources, spec.secret]).toEqual(['optional', ['metadata'], false]);
  });

  test('default is written as metadata text and parsed by the same rules: quantity "5" → 5000 milli', () => {
    expect(param.quantity().default('5').spec.defaultValue).toBe(5000);
    expect(param.int().default(10).spec.defaultValue).toBe(10);
  });

  test('an invalid default is a programming error', () => {
    expect(() => param.int().default('ten')).toThrow(/invalid default ten/);
  });

  test('from() keeps the order given, alias() adds names, secret/deprecated/removed are recorded', () => {
    const spec = param.string().from('authParams', 'metadata', 'fromEnv').alias('addresses').secret().deprecated('use x').spec;
    expect(spec.sources).toEqual(['authParams', 'metadata', 'fromEnv']);
    expect(spec.aliases).toEqual(['addresses']);
    expect(spec.secret).toBe(true);
    expect(spec.deprecated).toBe('use x');
    expect(param.string().removed('gone').spec.removed).toBe('gone');
  });

  test('modifiers return new declarations and leave the original untouched', () => {
    const base = param.int();
    base.required();
    expect(base.spec.presence).toBe('optional');
  });
});
