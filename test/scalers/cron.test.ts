import { describe, expect, test } from 'vitest';
import { cron, cronActivity, cronNamePart, cronSpecProblem } from '../../src/scalers/cron.js';
import { errors, parsed } from './helpers.js';

const kolkata = { timezone: 'Asia/Kolkata', start: '0 6 * * *', end: '0 20 * * *', desiredReplicas: 10 };

describe('cron parameters', () => {
  test('KEDA docs example → metric s0-cron-Asia-Kolkata-06xxx-020xxx, target 1 AverageValue', () => {
    const r = parsed(cron.parse({ metadata: { timezone: 'Asia/Kolkata', start: '0 6 * * *', end: '0 20 * * *', desiredReplicas: '10' }, triggerIndex: 0 }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-cron-Asia-Kolkata-06xxx-020xxx', targetType: 'AverageValue', targetMilli: 1000, activationMilli: 0 }]);
  });

  test.each([
    ['*/15 * * * *', 'xSl15xxxx'],
    ['0 9 ? * 1,3,5', '09Qmx1Cm3Cm5'],
    ['30 8-17 * * MON-FRI', '308-17xxMON-FRI'],
  ])('name part of %s is %s', (spec, expected) => {
    expect(cronNamePart(spec)).toBe(expected);
  });

  test('all four parameters are required', () => {
    expect(errors(cron.parse({ metadata: {}, triggerIndex: 0 }))).toEqual([
      'metadata.timezone: required (set metadata.timezone)',
      'metadata.start: required (set metadata.start)',
      'metadata.end: required (set metadata.end)',
      'metadata.desiredReplicas: required (set metadata.desiredReplicas)',
    ]);
  });

  test('every rule at once: bad zone, bad schedules, zero replicas', () => {
    const r = cron.parse({ metadata: { timezone: 'Mars/Olympus', start: '0 6 * *', end: '61 6 * * *', desiredReplicas: '0' }, triggerIndex: 0 });
    expect(errors(r)).toEqual([
      'metadata.timezone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin, Asia/Kolkata, UTC)',
      'metadata.start: "0 6 * *" must have 5 fields: minute hour day-of-month month day-of-week',
      'metadata.end: "61" is outside 0-59 in the minute field of "61 6 * * *"',
      'metadata.desiredReplicas: must not be 0',
    ]);
  });

  test('start and end must differ', () => {
    expect(errors(cron.parse({ metadata: { timezone: 'UTC', start: '0 6 * * *', end: '0 6 * * *', desiredReplicas: '1' }, triggerIndex: 0 }))).toEqual(['metadata.end: must differ from start']);
  });

  test.each([
    ['0 6 * * *', undefined],
    ['*/5 8-18 * JAN-MAR mon-fri', undefined],
    ['0 0 1,15 * ?', undefined],
    ['0 0 * * 7', '"7" is outside 0-6 in the day of week field of "0 0 * * 7"'],
    ['0 0 L * *', '"L" is not valid in the day of month field of "0 0 L * *"'],
    ['0 0 * * 1#2', '"1#2" is not valid in the day of week field of "0 0 * * 1#2"'],
    ['0 0 0 * * *', '"0 0 0 * * *" must have 5 fields: minute hour day-of-month month day-of-week'],
    ['@daily', '"@daily" must have 5 fields: minute hour day-of-month month day-of-week'],
    ['*/0 * * * *', 'step "0" must be at least 1 of "*/0 * * * *"'],
    ['0 20-6 * * *', 'range "20-6" runs backwards of "0 20-6 * * *"'],
  ])('schedule %s (robfig 5-field rules)', (spec, expected) => {
    expect(cronSpecProblem(spec)).toBe(expected);
  });
});

describe('cronActivity: active iff the next end comes before the next start', () => {
  // Asia/Kolkata is UTC+5:30, so 06:00 IST = 00:30Z and 20:00 IST = 14:30Z.
  test.each([
    ['05:59 IST, window not started', Date.UTC(2024, 2, 10, 0, 29), false, 0],
    ['06:00 IST exactly: next start is tomorrow, next end tonight', Date.UTC(2024, 2, 10, 0, 30), true, 10],
    ['12:00 IST', Date.UTC(2024, 2, 10, 6, 30), true, 10],
    ['19:59 IST', Date.UTC(2024, 2, 10, 14, 29), true, 10],
    ['20:00 IST exactly: window closed', Date.UTC(2024, 2, 10, 14, 30), false, 0],
    ['23:00 IST', Date.UTC(2024, 2, 10, 17, 30), false, 0],
    ['00:30 IST (19:00Z the day before)', Date.UTC(2024, 2, 9, 19, 0), false, 0],
  ])('Kolkata 06:00–20:00, %s', (_name, now, active, value) => {
    expect(cronActivity(kolkata, now)).toEqual({ active, value });
  });

  // New York in January is UTC−5; the window crosses midnight: 22:00 → 02:00.
  const overnight = { timezone: 'America/New_York', start: '0 22 * * *', end: '0 2 * * *', desiredReplicas: 3 };
  test.each([
    ['21:59 EST', Date.UTC(2024, 0, 16, 2, 59), false],
    ['23:30 EST', Date.UTC(2024, 0, 16, 4, 30), true],
    ['01:59 EST', Date.UTC(2024, 0, 16, 6, 59), true],
    ['03:00 EST', Date.UTC(2024, 0, 16, 8, 0), false],
  ])('New York 22:00–02:00, %s', (_name, now, active) => {
    expect(cronActivity(overnight, now).active).toBe(active);
  });

  // Berlin in June is UTC+2; weekdays 08:00–18:00.
  const office = { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 4 };
  test.each([
    ['Friday 17:00 CEST', Date.UTC(2024, 5, 14, 15, 0), true],
    ['Saturday 12:00 CEST', Date.UTC(2024, 5, 15, 10, 0), false],
    ['Monday 07:59 CEST', Date.UTC(2024, 5, 17, 5, 59), false],
    ['Monday 08:01 CEST', Date.UTC(2024, 5, 17, 6, 1), true],
  ])('Berlin weekdays 08:00–18:00, %s', (_name, now, active) => {
    expect(cronActivity(office, now).active).toBe(active);
  });

  test('hourly window from the KEDA docs: minute 30 to 45 of every hour in UTC', () => {
    const hourly = { timezone: 'UTC', start: '30 * * * *', end: '45 * * * *', desiredReplicas: 2 };
    expect(cronActivity(hourly, Date.UTC(2024, 0, 1, 9, 40))).toEqual({ active: true, value: 2 });
    expect(cronActivity(hourly, Date.UTC(2024, 0, 1, 9, 50))).toEqual({ active: false, value: 0 });
  });

  test('the same schedule evaluated at an earlier time after a later one gives the earlier answer (cache resets)', () => {
    expect(cronActivity(kolkata, Date.UTC(2024, 2, 10, 6, 30)).active).toBe(true);
    expect(cronActivity(kolkata, Date.UTC(2024, 2, 10, 0, 0)).active).toBe(false);
  });
});

test('a cached verdict is reused only inside its interval: stepping minute by minute across 20:00 IST flips exactly once', () => {
  const window = { ...kolkata, start: '0 6 * * *', end: '0 20 * * *' };
  const at = (h: number, m: number): number => Date.UTC(2024, 5, 1, h, m) - 330 * 60_000; // IST → UTC
  const flips: string[] = [];
  let previous = cronActivity(window, at(19, 50)).active;
  for (let minute = 51; minute < 60 + 15; minute++) {
    const now = at(19, minute);
    const { active } = cronActivity(window, now);
    if (active !== previous) flips.push(new Date(now + 330 * 60_000).toISOString().slice(11, 16));
    previous = active;
  }
  expect(flips).toEqual(['20:00']);
});
