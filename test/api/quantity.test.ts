import { describe, expect, it } from 'vitest';
import { formatQuantity, milliFromFloat, parseQuantity } from '../../src/api/quantity.js';

describe('parseQuantity → milli-units', () => {
  it.each([
    ['5', 5000],
    ['0', 0],
    ['1500m', 1500],
    ['2.5', 2500],
    ['.5', 500],
    ['2k', 2_000_000],
    ['1Ki', 1_024_000],
    ['1e3', 1_000_000],
    ['1E-3', 1],
    ['-3', -3000],
    ['100u', 1], // 0.0001 is finer than a milli: MilliValue rounds away from zero
    ['0.0001', 1],
    [' 7 ', 7000],
  ])('%s → %d', (text, milli) => {
    expect(parseQuantity(text)).toEqual({ milli });
  });

  it.each(['abc', '', '5 apples', '1..2', 'm', '5x'])('rejects %j with a message naming the value', (text) => {
    const result = parseQuantity(text);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain(`"${text}"`);
  });

  it('rejects values beyond safe integer milli-units', () => {
    expect(parseQuantity('100E')).toHaveProperty('error');
  });
});

describe('formatQuantity (canonical DecimalSI)', () => {
  it.each([
    [0, '0'],
    [5000, '5'],
    [1500, '1500m'],
    [1, '1m'],
    [5_000_000, '5k'],
    [1_500_000, '1500'],
    [-2000, '-2'],
    [12_000_000_000, '12M'],
  ])('%d → %s', (milli, text) => {
    expect(formatQuantity(milli)).toBe(text);
  });
});

describe('milliFromFloat (KEDA float → Quantity, truncated)', () => {
  it.each([
    [2.5, 2500],
    [0.0004, 0],
    [0.0019, 1],
    [-1, -1000],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
  ])('%d → %d', (value, milli) => {
    expect(milliFromFloat(value)).toBe(milli);
  });
});
