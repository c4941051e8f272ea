// NCRONTAB parsing and next-occurrence arithmetic on wall times, and .NET TimeSpan schedules.
import { describe, expect, test } from 'vitest';
import { nextWallTime, parseNcrontab, parseTimeSpan, type NcrontabExpression } from '../../../src/functions/host/ncrontab.js';

function parsed(text: string): NcrontabExpression {
  const expr = parseNcrontab(text);
  if ('error' in expr) throw new Error(expr.error);
  return expr;
}

function next(text: string, from: string): string | undefined {
  const at = nextWallTime(parsed(text), Date.parse(from));
  return at === undefined ? undefined : new Date(at).toISOString();
}

describe('parseNcrontab', () => {
  test.each([
    // [expression, field, expected values]
    ['*/15 * * * * *', 'seconds', [0, 15, 30, 45]],
    ['0 5-10/2 * * * *', 'minutes', [5, 7, 9]],
    ['0 0 20/2 * * *', 'hours', [20, 22]], // n/s runs from n to the field maximum (23)
    ['0 0 1,13,1 * * *', 'hours', [1, 13]],
    ['0 0 0 * JAN,jul,December *', 'months', [1, 7, 12]], // names: first three letters, any case
    ['0 0 0 * * Sun,SAT,1-2', 'daysOfWeek', [0, 1, 2, 6]],
    ['30 9 * * 1-5', 'seconds', [0]], // 5 fields: no seconds field, seconds = 0
    ['30 9 * * 1-5', 'minutes', [30]],
  ] as const)('%s → %s %j', (text, field, values) => {
    expect([...parsed(text)[field]].sort((a, b) => a - b)).toEqual(values);
  });

  test.each([
    ['0 */5 * * * *', true], // minutes has "/"
    ['0 0 1-3 * * *', true], // hours has "-"
    ['0 30 1 * * *', false], // a point in time
    ['30 1 * * *', false], // 5 fields: only minute and hour count
    ['* 1 * * *', true],
  ])('%s: interval for DST purposes = %s', (text, interval) => {
    expect(parsed(text).isInterval).toBe(interval);
  });

  test.each([
    ['* * * *', /got 4/],
    ['0 0 0 * * * *', /got 7/],
    ['60 * * * * *', /second field "60": 60 is outside 0-59/],
    ['0 0 24 * * *', /hour field/],
    ['0 0 0 0 * *', /day field "0": 0 is outside 1-31/],
    ['0 0 0 * * 7', /day of week field "7"/], // NCrontab: 0-6 only
    ['*/0 * * * * *', /bad step "0"/],
    ['0 0 0 ? * *', /day field "\?"/],
    ['0 0 0 L * *', /day field "L"/],
    ['0 0 0 * * MON#2', /day of week field/],
    ['0 0 10-5 * * *', /runs backwards/],
    ['0 0 0 * Ja *', /"Ja" is not a number or a name/],
  ])('%s is rejected', (text, message) => {
    const result = parseNcrontab(text);
    expect('error' in result && result.error).toMatch(message);
  });
});

describe('nextWallTime', () => {
  test.each([
    ['*/15 * * * * *', '2024-01-01T00:00:07.900Z', '2024-01-01T00:00:15.000Z'],
    ['*/15 * * * * *', '2024-01-01T00:00:15.000Z', '2024-01-01T00:00:30.000Z'], // strictly after
    ['0 */5 * * * *', '2024-01-01T23:58:00.000Z', '2024-01-02T00:00:00.000Z'],
    // Saturday 6 Jan 2024 10:00 → Monday 8 Jan 09:30
    ['0 30 9 * * 1-5', '2024-01-06T10:00:00.000Z', '2024-01-08T09:30:00.000Z'],
    ['30 9 * * *', '2024-01-01T09:30:00.000Z', '2024-01-02T09:30:00.000Z'], // 5 fields
    ['0 0 0 29 2 *', '2024-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'], // next leap day
    // Day of month AND day of week (NCrontab): the first Friday the 13th after 1 Jan 2024 is 13 Sep 2024.
    ['0 0 0 13 * 5', '2024-01-01T00:00:00.000Z', '2024-09-13T00:00:00.000Z'],
    ['0 0 12 * Jul Sun', '2024-01-01T00:00:00.000Z', '2024-07-07T12:00:00.000Z'],
    ['59 59 23 31 12 *', '2024-12-31T23:59:59.000Z', '2025-12-31T23:59:59.000Z'],
  ])('%s after %s → %s', (text, from, expected) => {
    expect(next(text, from)).toBe(expected);
  });

  test('a schedule that never matches (31 February) has no next occurrence', () => {
    expect(next('0 0 0 31 2 *', '2024-01-01T00:00:00.000Z')).toBeUndefined();
  });
});

describe('parseTimeSpan', () => {
  test.each([
    ['00:00:30', 30_000],
    ['00:05', 300_000], // hh:mm
    ['1.00:00:00', 86_400_000],
    ['5', 5 * 86_400_000], // a bare number is days, as TimeSpan.Parse reads it
    ['1:02:03:04', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4_000], // d:hh:mm:ss = 93 784 000
    ['00:00:01.5', 1_500],
    [' 01:00:00 ', 3_600_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseTimeSpan(text)).toBe(ms);
  });

  test.each([
    ['24:00:00', /hours must be 0-23/],
    ['00:60:00', /minutes and seconds 0-59/],
    ['00:00:00', /greater than zero/],
    ['0', /greater than zero/],
    ['every minute', /not a TimeSpan/],
    ['-00:01:00', /not a TimeSpan/],
  ])('%s is rejected', (text, message) => {
    const result = parseTimeSpan(text);
    expect(typeof result === 'object' && result.error).toMatch(message);
  });
});
