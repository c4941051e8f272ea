import { describe, expect, it } from 'vitest';
import { compileFormula, validateFormula, type FormulaValues } from '../../src/scaling/formula.js';

const TRIGGERS = ['queue_a', 'queue_b', 'trig_one', 'trig_two', 'a', 'b'];

/** Compiles and evaluates; fails the test with the compile error if there is one. */
function run(formula: string, values: FormulaValues = {}, triggers: readonly string[] = TRIGGERS) {
  const compiled = compileFormula(formula, triggers);
  if (!compiled.ok) throw new Error(`compile failed: ${compiled.error}`);
  return compiled.formula.evaluate(values);
}

function value(formula: string, values: FormulaValues = {}): number | null {
  const result = run(formula, values);
  if (!result.ok) throw new Error(`evaluation failed: ${result.error}`);
  return result.value;
}

function compileError(formula: string, triggers: readonly string[] = TRIGGERS): string {
  const compiled = compileFormula(formula, triggers);
  if (compiled.ok) throw new Error(`expected ${formula} not to compile`);
  return compiled.error;
}

function runtimeError(formula: string, values: FormulaValues): string {
  const result = run(formula, values);
  if (result.ok) throw new Error(`expected ${formula} to fail, got ${result.value}`);
  return result.error;
}

describe('arithmetic and precedence (expr operator table)', () => {
  it.each<[string, number]>([
    ['1 + 2 * 3', 7], // * (60) before + (30)
    ['(1 + 2) * 3', 9],
    ['2 ** 3 ** 2', 512], // right-associative: 2 ** 9
    ['2 ^ 3 ^ 2', 512], // ^ is expr's other spelling of **
    ['(2 ** 3) ** 2', 64],
    ['-2 ** 2', -4], // unary minus (90) binds looser than ** (100): -(2 ** 2)
    ['2 * 3 ** 2', 18],
    ['1 + 2 * 3 ** 2', 19], // 1 + 2 * 9
    ['10 - 4 - 3', 3], // left-associative: (10 - 4) - 3
    ['100 / 10 / 5', 2], // (100 / 10) / 5
    ['7 / 2', 3.5], // float division even for integers
    ['7 % 3', 1],
    ['-7 % 3', -1], // Go: the sign follows the dividend
    ['2 * 3 % 4', 2], // same precedence, left to right: 6 % 4
    ['1 + -2', -1],
    ['+3', 3],
    ['- -3', 3],
    ['1_000 + 1e3', 2000],
    ['.5 + 1.5e-1', 0.65],
    ['0x1F + 0o17 + 0b101', 51], // 31 + 15 + 5
    ['1 /* one */ + 2 // two', 3],
    ['-0', 0],
  ])('%s = %s', (formula, expected) => {
    expect(value(formula)).toBeCloseTo(expected, 12);
  });

  it('never returns a negative zero', () => {
    expect(Object.is(value('-0'), 0)).toBe(true);
    expect(Object.is(value('0 * -1'), 0)).toBe(true);
  });
});

describe('comparisons, logic and ternary', () => {
  it.each<[string, number]>([
    ['1 < 2 ? 1 : 0', 1],
    ['2 <= 2 ? 1 : 0', 1],
    ['1 > 2 ? 1 : 0', 0],
    ['1 >= 2 ? 1 : 0', 0],
    ['2 == 2.0 ? 1 : 0', 1], // int and float compare by value
    ['2 != 2 ? 1 : 0', 0],
    ['true && false ? 1 : 0', 0],
    ['true and true ? 1 : 0', 1],
    ['false || true ? 1 : 0', 1],
    ['false or false ? 1 : 0', 0],
    ['!true ? 1 : 0', 0],
    ['not false ? 1 : 0', 1],
    ['!(1 < 2) ? 1 : 0', 0],
    ['true || false && false ? 1 : 0', 1], // && (15) before || (10)
    ['1 + 1 == 2 && 3 > 2 ? 10 : 20', 10], // + before == before &&
    ['1 < 2 < 3 ? 1 : 0', 1], // chained: 1 < 2 && 2 < 3
    ['3 > 2 > 1 ? 1 : 0', 1], // chained: 3 > 2 && 2 > 1, not (true > 1)
    ['false ? 1 : true ? 2 : 3', 2], // the else branch holds the second ternary
    ['(false ?: true) ? 1 : 0', 1], // elvis: false ? false : true
    ['"a" < "b" ? 1 : 0', 1],
    ['"x" == "x" ? 1 : 0', 1],
    ['nil == nil ? 1 : 0', 1],
  ])('%s = %s', (formula, expected) => {
    expect(value(formula)).toBe(expected);
  });

  it('short-circuits: the untaken side may hold a nil trigger', () => {
    expect(value('false && a > 1 ? 1 : 2', { a: null })).toBe(2);
    expect(value('true || a > 1 ? 1 : 2', { a: null })).toBe(1);
    expect(value('b > 0 ? b : a + 1', { a: null, b: 4 })).toBe(4);
  });
});

describe('builtins', () => {
  it.each<[string, number]>([
    ['abs(-3)', 3],
    ['abs(2.5)', 2.5],
    ['ceil(1.2)', 2],
    ['floor(-1.2)', -2],
    ['round(2.5)', 3],
    ['round(-2.5)', -3], // Go rounds halves away from zero; Math.round would give -2
    ['round(1.4)', 1],
    ['int(3.9)', 3],
    ['int(-3.9)', -3], // truncates toward zero
    ['int("42")', 42],
    ['float(3)', 3],
    ['float("1.5")', 1.5],
    ['min(3, 1, 2)', 1],
    ['max(3, 1, 2)', 3],
    ['max(5)', 5],
    ['mean(1, 2, 3, 4)', 2.5],
    ['median(3, 1, 2)', 2],
    ['median(4, 1, 3, 2)', 2.5], // (2 + 3) / 2
    ['int(7.9) % 3', 1], // int() makes % legal: 7 % 3
  ])('%s = %s', (formula, expected) => {
    expect(value(formula)).toBe(expected);
  });

  it.each<[string, string]>([
    ['abs(true)', 'invalid argument for abs (type bool) at column 5'],
    ['abs(1, 2)', 'too many arguments to call abs (expected 1, got 2) at column 1'],
    ['max()', 'not enough arguments to call max at column 1'],
    ['max(1, "x")', 'invalid argument for max (type string) at column 8'],
    ['mxa(1, 2)', 'unknown function "mxa" at column 1; did you mean'],
    ['queue_a(1)', 'queue_a is a trigger, not a function at column 1'],
    ['max + 1', 'unknown name "max" at column 1; max is a function; call it as max(…)'],
  ])('%s is rejected: %s', (formula, message) => {
    expect(compileError(formula)).toContain(message);
  });

  it('reports a runtime parse failure of int()/float() on a string', () => {
    expect(runtimeError('float("abc")', {})).toBe('float() cannot parse "abc" at column 7');
    expect(runtimeError('int("1.5")', {})).toBe('int() cannot parse "1.5" at column 5');
  });
});

describe('KEDA documentation examples', () => {
  it.each<[string, FormulaValues, number]>([
    ['(queue_a + queue_b) / 2', { queue_a: 4, queue_b: 10 }, 7],
    ['trig_one > 2 ? trig_one + trig_two : 1', { trig_one: 3, trig_two: 4 }, 7],
    ['trig_one > 2 ? trig_one + trig_two : 1', { trig_one: 2, trig_two: 4 }, 1],
    ['min(trig_one, trig_two)', { trig_one: 3, trig_two: 4 }, 3],
    // trig_one < 2 → inner ternary: 1 + 1 >= 2 → 5
    ['float(trig_one < 2 ? trig_one + trig_two >= 2 ? 5 : 10 : 0)', { trig_one: 1, trig_two: 1 }, 5],
    ['float(trig_one < 2 ? trig_one + trig_two >= 2 ? 5 : 10 : 0)', { trig_one: 1, trig_two: 0 }, 10],
    ['float(trig_one < 2 ? trig_one + trig_two >= 2 ? 5 : 10 : 0)', { trig_one: 2, trig_two: 9 }, 0],
    ['queue_a + queue_b', { queue_a: 1.5, queue_b: 2.25 }, 3.75],
  ])('%s with %j = %s', (formula, values, expected) => {
    expect(value(formula, values)).toBe(expected);
  });
});

describe('nil triggers and ?? (fallback behavior scalingModifiers)', () => {
  it.each<[string, FormulaValues, number | null]>([
    ['a ?? b ?? 8', { a: null, b: null }, 8],
    ['a ?? b ?? 8', { a: null, b: 3 }, 3],
    ['a ?? b ?? 8', { a: 1, b: 3 }, 1],
    ['a ?? b ?? 8', { a: 0, b: 3 }, 0], // 0 is a value, not nil
    ['a ?? b ?? 8', {}, 8], // a trigger missing from the map reads as nil
    ['(a ?? 2) * 3', { a: null }, 6],
    ['1 + a ?? 5', { a: null }, 6], // ?? (500) binds tighter than +: 1 + (a ?? 5)
    ['a ?? b', { a: null, b: null }, null], // nil passes through: fallback uses replicas × target
    ['a ?? nil', { a: null }, null],
    ['a == nil ? 5 : a', { a: null }, 5],
  ])('%s with %j = %s', (formula, values, expected) => {
    expect(value(formula, values)).toBe(expected);
  });

  it('marks formulas with ?? as allowing a nil result, and lists the triggers they read', () => {
    const compiled = compileFormula('queue_a ?? queue_b ?? 8', TRIGGERS);
    expect(compiled.ok && compiled.formula.allowsNil).toBe(true);
    expect(compiled.ok && compiled.formula.triggers).toEqual(['queue_a', 'queue_b']);
    const plain = compileFormula('(queue_a + queue_b) / 2', TRIGGERS);
    expect(plain.ok && plain.formula.allowsNil).toBe(false);
  });

  it.each<[string, FormulaValues, string]>([
    ['a + 1', { a: null }, 'a is nil (its trigger has no value) and "+" needs a number at column 1; give it a default with (a ?? 0)'],
    ['2 * a', { a: null }, 'a is nil (its trigger has no value) and "*" needs a number at column 5; give it a default with (a ?? 0)'],
    ['-a', { a: null }, 'a is nil (its trigger has no value) and "-" needs a number at column 2'],
    ['a > 1 ? 1 : 0', { a: null }, 'a is nil (its trigger has no value) and ">" needs a number at column 1'],
    ['min(a, 1)', { a: null }, 'a is nil (its trigger has no value) and min() needs a number at column 5'],
    ['float(a)', { a: null }, 'a is nil (its trigger has no value) and float() needs a number or string at column 7'],
    ['a', { a: null }, 'the formula returned nil; guard failing triggers with ??'],
  ])('%s with %j fails: %s', (formula, values, message) => {
    expect(runtimeError(formula, values)).toContain(message);
  });
});

describe('results KEDA float(...) rejects or cannot use', () => {
  it.each<[string, string]>([
    ['queue_a > 1', 'the formula must return a number, but it returns a bool at column 9; turn a condition into a number'],
    ['true', 'the formula must return a number, but it returns a bool at column 1'],
    ['nil', 'the formula always returns nil at column 1'],
  ])('%s is rejected at compile time', (formula, message) => {
    expect(compileError(formula)).toContain(message);
  });

  it('rejects a bool produced only at run time (mixed ternary branches)', () => {
    expect(runtimeError('a > 0 ? true : 1', { a: 1 })).toBe('the formula must return a number, but it returned true');
    expect(value('a > 0 ? true : 1', { a: -1 })).toBe(1);
  });

  it('converts a string result as float() does', () => {
    expect(value('"2.5"')).toBe(2.5);
  });

  it.each<[string, FormulaValues, string]>([
    ['1 / a', { a: 0 }, 'the formula returned +Inf; check for division by zero'],
    ['-1 / a', { a: 0 }, 'the formula returned -Inf'],
    ['0 / a', { a: 0 }, 'the formula returned NaN'],
    ['int(a) % int(b)', { a: 5, b: 0 }, 'integer divide by zero at column 8'],
    ['a % 2 == 0 ? 1 : 0', {}, 'invalid operation'], // compile-time: a is a float
  ])('%s with %j fails: %s', (formula, values, message) => {
    const compiled = compileFormula(formula, TRIGGERS);
    const error = compiled.ok ? runtimeError(formula, values) : compiled.error;
    expect(error).toContain(message);
  });
});

describe('syntax errors carry the column', () => {
  it.each<[string, string]>([
    ['(queue_a + queue_b))', 'unexpected ")" at column 20'],
    ['queue_a +', 'unexpected end of formula at column 10'],
    ['(queue_a + 1', 'unexpected end of formula at column 13; expected ")" to close the "(" at column 1'],
    ['queue_a queue_b', 'unexpected "queue_b" at column 9'],
    ['queue_a @ 2', 'unexpected character "@" at column 9'],
    ['', 'the formula is empty at column 1'],
    ['a ? 1', 'unexpected end of formula at column 6; expected ":" of the ternary'],
    ['"abc', 'unterminated string at column 1'],
    ['1 + /* open', 'unterminated comment "/*" at column 5'],
    ['1abc', 'invalid number "1abc" at column 1'],
    ['max(1 2)', 'unexpected "2" at column 7; expected "," or ")"'],
    ['queue_a ?? queue_b + 1', 'operator "+" and "??" cannot be mixed at column 20; wrap either side in parentheses'],
    ['a in b', 'not supported in scalingModifiers formulas: the "in" operator at column 3'],
    ['a.b', 'not supported in scalingModifiers formulas: member access (".") at column 2'],
    ['a[0]', 'not supported in scalingModifiers formulas: indexing and arrays ("[") at column 2'],
    ['let x = 1; x', 'not supported in scalingModifiers formulas: variable declarations ("let") at column 1'],
    ['queue_a +\n  )', 'unexpected ")" at line 2, column 3'],
  ])('%j → %s', (formula, message) => {
    expect(compileError(formula)).toContain(message);
  });

  it('counts columns in characters, not UTF-16 units, and treats tabs and non-breaking spaces as blanks', () => {
    expect(compileError('"ü😀" + )')).toBe('unexpected ")" at column 8'); // 😀 is two UTF-16 units, one column
    expect(value('\t1\u00a0+ 2')).toBe(3);
  });

  it('reports line and column as numbers too', () => {
    const compiled = compileFormula('queue_a +\n  )', TRIGGERS);
    expect(compiled.ok ? undefined : [compiled.line, compiled.column]).toEqual([2, 3]);
  });
});

describe('names and types', () => {
  it('names the unknown trigger, its column and the triggers that exist', () => {
    expect(compileError('queue_a + queue_b', ['queue_a', 'cpu_x'])).toBe(
      'unknown name "queue_b" at column 11; did you mean "queue_a"? triggers are: queue_a, cpu_x',
    );
    expect(compileError('zzz * 2', ['queue_a', 'cpu_x'])).toBe('unknown name "zzz" at column 1; triggers are: queue_a, cpu_x');
  });

  it('suggests the differently cased trigger name (names are case-sensitive)', () => {
    expect(compileError('Queue_A + 1', ['queue_a'])).toContain('did you mean "queue_a"?');
  });

  it('explains that no trigger has a name', () => {
    expect(compileError('queue + 1', [])).toContain('no trigger has a name');
  });

  it('points a dashed trigger name to $env[...] and accepts that form', () => {
    expect(compileError('queue-a + 1', ['queue-a'])).toContain('trigger "queue-a" is not an identifier; write $env["queue-a"]');
    expect(run('$env["queue-a"] * 2', { 'queue-a': 4 }, ['queue-a'])).toEqual({ ok: true, value: 8 });
    expect(run('$env.queue_a * 2', { queue_a: 4 }, ['queue_a'])).toEqual({ ok: true, value: 8 });
  });

  it.each<[string, string]>([
    ['queue_a % 2', 'invalid operation: float % int (mismatched types) at column 9; % works on integers and trigger values are floats; convert first, e.g. int(queue_a) % 2'],
    ['queue_a && true ? 1 : 0', 'invalid operation: float && bool (mismatched types) at column 9; && joins conditions'],
    ['!queue_a ? 1 : 0', 'invalid operation: ! float at column 1'],
    ['queue_a ? 1 : 2', 'non-bool expression (type float) used as condition at column 1'],
    ['queue_a == true ? 1 : 0', 'invalid operation: float == bool (mismatched types) at column 9'],
    ['"a" + 1', 'invalid operation: string + int (mismatched types) at column 5'],
    ['nil + 1', 'invalid operation: nil + int (mismatched types) at column 5'],
    ['not 1 < 2 ? 1 : 0', 'invalid operation: not int at column 1'], // not (50) binds tighter than < (20)
  ])('%s is rejected: %s', (formula, message) => {
    expect(compileError(formula)).toContain(message);
  });
});

describe('validateFormula (KEDA webhook: every trigger = -1, run once)', () => {
  it('accepts a valid formula and returns it compiled', () => {
    const validated = validateFormula('(queue_a + queue_b) / 2', ['queue_a', 'queue_b']);
    expect(validated.ok && validated.formula.evaluate({ queue_a: 2, queue_b: 4 })).toEqual({ ok: true, value: 3 });
  });

  it('accepts a non-finite dummy result, as KEDA does (-1 + 1 = 0 divides by zero)', () => {
    expect(validateFormula('queue_a / (queue_b + 1)', ['queue_a', 'queue_b']).ok).toBe(true);
    expect(validateFormula('queue_a ** 0.5', ['queue_a']).ok).toBe(true); // NaN
  });

  it('rejects a runtime error of the dummy run with its column', () => {
    const validated = validateFormula('int(queue_a) % int(queue_b + 1)', ['queue_a', 'queue_b']);
    expect(validated.ok ? undefined : validated.error).toBe(
      'running the formula with every trigger = -1 failed: integer divide by zero at column 14',
    );
    expect(validated.ok ? undefined : validated.column).toBe(14);
  });

  it('rejects only what the single -1 run reaches', () => {
    // queue_a = -1 takes the numeric branch, so KEDA admits it; a positive value would fail later.
    expect(validateFormula('queue_a > 0 ? true : 1', ['queue_a']).ok).toBe(true);
    const rejected = validateFormula('queue_a < 0 ? true : 1', ['queue_a']);
    expect(rejected.ok ? undefined : rejected.error).toContain('must return a number, but it returned true');
  });

  it('rejects names that are not triggers (cpu/memory triggers are not variables)', () => {
    const validated = validateFormula('queue_a + cpu_x', ['queue_a']);
    expect(validated.ok ? undefined : validated.error).toBe('unknown name "cpu_x" at column 11; triggers are: queue_a');
  });

  it('accepts ?? formulas', () => {
    expect(validateFormula('queue_a ?? queue_b ?? 8', ['queue_a', 'queue_b']).ok).toBe(true);
  });
});

describe('evaluation is repeatable and never throws', () => {
  it('evaluates the same compiled formula many times with different values', () => {
    const compiled = compileFormula('max(queue_a, queue_b) * 2', TRIGGERS);
    if (!compiled.ok) throw new Error(compiled.error);
    const results = [1, 2, 3].map((n) => compiled.formula.evaluate({ queue_a: n, queue_b: 10 - n }));
    expect(results).toEqual([
      { ok: true, value: 18 }, // max(1, 9) * 2
      { ok: true, value: 16 }, // max(2, 8) * 2
      { ok: true, value: 14 }, // max(3, 7) * 2
    ]);
  });

  it('turns a NaN trigger value into an error result', () => {
    expect(run('queue_a + 1', { queue_a: NaN })).toEqual({ ok: false, error: 'the formula returned NaN; check for 0 / 0 or a NaN trigger value' });
  });
});
