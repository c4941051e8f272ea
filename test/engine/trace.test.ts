import { describe, expect, it } from 'vitest';
import { parseTrace, TraceCursor } from '../../src/engine/trace.js';

describe('parseTrace (CSV)', () => {
  it('reads columns, comments and empty cells as scaler errors', () => {
    const result = parseTrace('# comment\nt,orders,1\n0,0,3\n30,,4\n60,12.5,null\n', 'trace.csv');
    expect(result).toEqual({
      ok: true,
      trace: {
        columns: ['orders', '1'],
        samples: [
          { t: 0, values: [0, 3] },
          { t: 30, values: [null, 4] },
          { t: 60, values: [12.5, null] },
        ],
      },
    });
  });

  it.each([
    ['orders\n0', 'trace.csv:1: the first line must be a header'],
    ['t,a\n0,1,2', 'trace.csv:2: expected 2 cells like the header, got 3'],
    ['t,a\nx,1', 'trace.csv:2: t must be a number of seconds, got "x"'],
    ['t,a\n0,lots', 'trace.csv:2: column "a" must be a number or empty, got "lots"'],
    ['t,a\n5,1', 'trace.csv: the first sample must be at t=0'],
    ['t,a\n0,1\n30,1\n10,1', 'sample at t=10 comes after t=30'],
    ['t,a,a\n0,1,1', 'column "a" appears twice'],
    ['t,a', 'trace.csv: the trace has no samples'],
  ])('%j → %s', (text, message) => {
    const result = parseTrace(text, 'trace.csv');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.join('\n')).toContain(message);
  });
});

describe('parseTrace (JSON)', () => {
  it('fills a missing column from the previous sample; null is a scaler error', () => {
    const result = parseTrace('[{"t":0,"a":1,"b":2},{"t":10,"a":null},{"t":20,"b":5}]', 't.json');
    expect(result.ok && result.trace.samples).toEqual([
      { t: 0, values: [1, 2] },
      { t: 10, values: [null, 2] },
      { t: 20, values: [null, 5] },
    ]);
  });

  it.each([
    ['{"t":0}', 'a JSON trace must be an array'],
    ['[{"t":0,"a":1}', 'not valid JSON'],
    ['[{"t":0,"a":"x"}]', 'sample [0]: "a" must be a number or null, got "x"'],
    ['[{"t":0,"a":1},{"t":5,"b":1}]', 'column "b" needs a value in the first sample'],
    ['[{"a":1}]', 'sample [0]: t must be a number of seconds'],
  ])('%j → %s', (text, message) => {
    const result = parseTrace(text, 't.json');
    expect(result.ok ? '' : result.errors.join('\n')).toContain(message);
  });
});

describe('TraceCursor', () => {
  it('holds each value until the next sample', () => {
    const result = parseTrace('t,a\n0,1\n30,2\n60,3', 'x.csv');
    if (!result.ok) throw new Error(result.errors.join());
    const cursor = new TraceCursor(result.trace);
    expect([0, 29, 30, 59, 60, 1000].map((t) => cursor.at(t)[0])).toEqual([1, 1, 2, 2, 3, 3]);
    expect(cursor.end).toBe(60);
  });
});
