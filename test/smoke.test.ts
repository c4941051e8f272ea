import { describe, expect, it } from 'vitest';
import { formatQuantity, parseQuantity } from '../src/api/quantity.js';

describe('smoke', () => {
  it('parses', () => {
    expect(parseQuantity('1500m')).toEqual({ milli: 1500 });
    expect(formatQuantity(5000)).toBe('5');
  });
});
