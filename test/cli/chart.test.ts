import { describe, expect, it } from 'vitest';
import { formatSeconds, renderStepChart } from '../../src/cli/chart.js';

describe('renderStepChart', () => {
  it('draws a step function with the peak on the axis', () => {
    const chart = renderStepChart(
      [
        { t: 0, value: 0 },
        { t: 5, value: 2 },
        { t: 10, value: 4 },
        { t: 15, value: 0 },
      ],
      { width: 8, height: 4, end: 20 },
    );
    expect(chart).toBe(
      ['4 |    ##  ', '  |    ##  ', '  |  ####  ', '1 |  ####  ', '0 +--------', '   0s   20s', ''].join('\n'),
    );
  });
});

describe('formatSeconds', () => {
  it.each([
    [45, '45s'],
    [150, '2m30s'],
    [3900, '1h05m'],
  ])('%d → %s', (s, text) => {
    expect(formatSeconds(s)).toBe(text);
  });
});
