// Timer schedules in a time zone, through DST, and the schedule status rules (past due, after a run,
// the §6.4 trigger value). Los Angeles 2018: spring forward 11 March 10:00Z (02:00 PST → 03:00 PDT),
// fall back 4 November 09:00Z (02:00 PDT → 01:00 PST), so 01:00–01:59 happens twice that day.
import { describe, expect, test } from 'vitest';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { effectiveUseMonitor, formatLocalIso, nextOccurrences, parseTimerSchedule, type TimerSchedule } from '../../../../src/functions/host/triggers/timer-schedule.js';
import { checkPastDue, parseStatusJson, statusAfterRun, statusJson, timerInfoValue, timerTriggerText } from '../../../../src/functions/host/triggers/timer-status.js';
import { ianaTimeZone, resolveWall, timerTimeZone, type TimeZone } from '../../../../src/functions/host/triggers/timer-zone.js';

function zone(name: string): TimeZone {
  const found = ianaTimeZone(name);
  if (!found) throw new Error(`no zone ${name}`);
  return found;
}

const LA = zone('America/Los_Angeles');
const UTC = zone('UTC');

function schedule(text: string, tz: TimeZone = UTC): TimerSchedule {
  const parsed = parseTimerSchedule(text, tz);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

function run(text: string, tz: TimeZone, fromIso: string, count: number): string[] {
  return nextOccurrences(schedule(text, tz), Date.parse(fromIso), count).map((at) => formatLocalIso(tz, at));
}

describe('time zones', () => {
  test.each([
    // [wall time, expected instant, ambiguous]
    ['2018-11-04T01:30:00Z', '2018-11-04T09:30:00.000Z', true], // twice: the standard (PST, later) copy
    ['2018-03-11T02:30:00Z', '2018-03-11T10:30:00.000Z', false], // in the gap: PST offset → 03:30 PDT
    ['2018-07-01T12:00:00Z', '2018-07-01T19:00:00.000Z', false],
  ])('LA wall %s → %s (ambiguous %s)', (wall, instant, ambiguous) => {
    const resolved = resolveWall(LA, Date.parse(wall));
    expect(new Date(resolved.instant).toISOString()).toBe(instant);
    expect(resolved.ambiguous).toBe(ambiguous);
  });

  test('WEBSITE_TIME_ZONE wins over TZ, TZ over the process zone; unknown names are config errors', () => {
    expect(timerTimeZone({ WEBSITE_TIME_ZONE: 'Europe/Berlin', TZ: 'Asia/Tokyo' }, 'UTC', 'fn').name).toBe('Europe/Berlin');
    expect(timerTimeZone({ TZ: 'Asia/Tokyo' }, 'UTC', 'fn').name).toBe('Asia/Tokyo');
    expect(timerTimeZone({}, 'America/New_York', 'fn').name).toBe('America/New_York');
    expect(() => timerTimeZone({ WEBSITE_TIME_ZONE: 'Eastern Standard Time' }, 'UTC', 'fn')).toThrow(BindingConfigError);
    expect(() => timerTimeZone({ WEBSITE_TIME_ZONE: 'Eastern Standard Time' }, 'UTC', 'fn')).toThrow(/WEBSITE_TIME_ZONE "Eastern Standard Time" is not an IANA/);
  });
});

describe('next occurrences', () => {
  test('cron runs on the zone wall clock: 09:00 Berlin in January is 08:00Z', () => {
    const berlin = zone('Europe/Berlin');
    expect(new Date(schedule('0 0 9 * * *', berlin).next(Date.parse('2024-01-01T00:00:00Z')) ?? 0).toISOString()).toBe('2024-01-01T08:00:00.000Z');
  });

  test('fall back, interval schedule: runs through both copies of 01:00–01:59', () => {
    expect(run('0 */30 * * * *', LA, '2018-11-04T07:30:00Z', 5)).toEqual([
      '2018-11-04T01:00:00-07:00',
      '2018-11-04T01:30:00-07:00',
      '2018-11-04T01:00:00-08:00',
      '2018-11-04T01:30:00-08:00',
      '2018-11-04T02:00:00-08:00',
    ]);
  });

  test('fall back, point in time: 01:30 runs once, on daylight time, then on standard time the next day', () => {
    // from 3 Nov 01:30 PDT (08:30Z)
    expect(run('0 30 1 * * *', LA, '2018-11-03T08:30:00Z', 2)).toEqual(['2018-11-04T01:30:00-07:00', '2018-11-05T01:30:00-08:00']);
  });

  test('fall back, point in time, starting inside the repeated hour on standard time: the daylight copy counts as done', () => {
    // 01:29 PST on 4 Nov (09:29Z): 01:30 PST is a second copy → skipped to 5 Nov.
    expect(run('0 30 1 * * *', LA, '2018-11-04T09:29:00Z', 1)).toEqual(['2018-11-05T01:30:00-08:00']);
  });

  test('spring forward: 02:30 does not exist on 11 March and runs at 03:30 PDT instead', () => {
    expect(run('0 30 2 * * *', LA, '2018-03-10T10:30:00Z', 2)).toEqual(['2018-03-11T03:30:00-07:00', '2018-03-12T02:30:00-07:00']);
  });

  test('spring forward, interval: 01:30 PST → 03:00 PDT (one hour of wall time skipped, 30 real minutes)', () => {
    expect(run('0 */30 * * * *', LA, '2018-03-11T09:30:00Z', 2)).toEqual(['2018-03-11T03:00:00-07:00', '2018-03-11T03:30:00-07:00']);
  });

  test('a TimeSpan fires every interval after the previous run, ignoring DST', () => {
    const every = schedule('01:00:00', LA);
    expect(every.kind).toBe('timespan');
    expect(every.adjustForDST).toBe(false);
    expect(every.next(Date.parse('2018-11-04T08:30:00Z'))).toBe(Date.parse('2018-11-04T09:30:00Z'));
  });

  test.each([
    ['0 */5 * * *x *', /not a valid NCRONTAB expression: month field "\*x"/],
    ['every hour', /not a valid NCRONTAB expression: expected 6 fields/],
    ['banana', /neither an NCRONTAB expression .* nor a TimeSpan/],
  ])('%s is rejected with a clear message', (text, message) => {
    const parsed = parseTimerSchedule(text, UTC);
    expect('error' in parsed && parsed.error).toMatch(message);
  });
});

describe('useMonitor', () => {
  const now = Date.parse('2024-01-01T00:00:00.500Z');
  test.each([
    ['*/1 * * * * *', true, false], // several runs a minute: never monitored
    ['*/30 * * * * *', undefined, false], // 00:00:30 and 00:01:00 both within a minute
    ['0 */5 * * * *', undefined, true],
    ['0 */5 * * * *', false, false],
    ['00:00:30', true, false],
    ['00:01:00', undefined, true],
  ] as const)('%s with useMonitor %s → %s', (text, configured, expected) => {
    expect(effectiveUseMonitor(schedule(text), configured, now)).toBe(expected);
  });
});

describe('schedule status', () => {
  const hourly = schedule('0 0 * * * *');
  const t = (iso: string): number => Date.parse(iso);

  test('no status yet: recorded with Next after now, not past due', () => {
    const check = checkPastDue(hourly, t('2024-01-01T10:20:00Z'), undefined);
    expect(check).toEqual({ status: { last: undefined, next: t('2024-01-01T11:00:00Z'), lastUpdated: t('2024-01-01T10:20:00Z') }, changed: true, pastDueMs: 0 });
  });

  test('recorded Next in the past: past due by now − Next (here 90 min), status kept', () => {
    const recorded = { last: t('2024-01-01T08:00:00Z'), next: t('2024-01-01T09:00:00Z'), lastUpdated: t('2024-01-01T08:00:00Z') };
    const check = checkPastDue(hourly, t('2024-01-01T10:30:00Z'), recorded);
    expect(check).toEqual({ status: recorded, changed: false, pastDueMs: 90 * 60_000 });
  });

  test('schedule edited (Next does not follow from Last): recomputed from now, not past due', () => {
    // recorded under a daily schedule: Last 1 Jan 00:00, Next 2 Jan 00:00; now hourly, at 1 Jan 10:30.
    const recorded = { last: t('2024-01-01T00:00:00Z'), next: t('2024-01-02T00:00:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') };
    const check = checkPastDue(hourly, t('2024-01-01T10:30:00Z'), recorded);
    expect(check).toEqual({ status: { last: undefined, next: t('2024-01-01T11:00:00Z'), lastUpdated: t('2024-01-01T10:30:00Z') }, changed: true, pastDueMs: 0 });
  });

  test('after a run: a timer that fired 3 ms early counts as the scheduled time; a past-due run uses the run time', () => {
    const previous = { last: undefined, next: t('2024-01-01T11:00:00Z'), lastUpdated: t('2024-01-01T10:20:00Z') };
    expect(statusAfterRun(hourly, t('2024-01-01T11:00:00Z') - 3, previous, true)).toEqual({
      last: t('2024-01-01T11:00:00Z'),
      next: t('2024-01-01T12:00:00Z'),
      lastUpdated: t('2024-01-01T11:00:00Z'),
    });
    expect(statusAfterRun(hourly, t('2024-01-01T10:30:00Z'), previous, false).last).toBe(t('2024-01-01T10:30:00Z'));
  });

  test('trigger value: the §6.4 JSON, ScheduleStatus null without a monitor; TimerTrigger as invariant .NET text', () => {
    const status = { last: undefined, next: t('2024-01-01T11:00:00Z'), lastUpdated: t('2024-01-01T10:20:00.250Z') };
    expect(JSON.parse(timerInfoValue(hourly, status, true).json ?? '')).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: '0001-01-01T00:00:00', Next: '2024-01-01T11:00:00+00:00', LastUpdated: '2024-01-01T10:20:00.25+00:00' },
      IsPastDue: true,
    });
    expect(JSON.parse(timerInfoValue(hourly, undefined, false).json ?? '')).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false });
    expect(timerTriggerText(t('2024-03-05T07:08:09Z'))).toBe('03/05/2024 07:08:09');
  });

  test('status blobs round-trip, and the Functions host’s own format (7-digit fractions, offsets) is read', () => {
    const status = { last: t('2024-01-01T10:00:00Z'), next: t('2024-01-01T11:00:00Z'), lastUpdated: t('2024-01-01T10:00:00Z') };
    expect(parseStatusJson(statusJson(schedule('0 0 * * * *', LA), status))).toEqual(status);
    expect(parseStatusJson('{"Last":"0001-01-01T00:00:00","Next":"2024-01-01T03:00:00-08:00","LastUpdated":"2024-01-01T02:10:00.1234567-08:00"}')).toEqual({
      last: undefined,
      next: t('2024-01-01T11:00:00Z'),
      lastUpdated: t('2024-01-01T10:10:00.123Z'),
    });
    expect(parseStatusJson('not json')).toBeUndefined();
    expect(parseStatusJson('{"Next":"yesterday"}')).toBeUndefined();
  });
});
