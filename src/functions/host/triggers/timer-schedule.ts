// A timer's schedule: NCRONTAB evaluated on the wall clock of the timer's zone, or a constant TimeSpan
// interval. Next occurrences follow the host's CronSchedule through DST:
// - spring forward: a wall time in the gap fires at the same distance after the gap (02:30 → 03:30);
// - fall back, point-in-time schedules ("0 30 1 * * *"): the repeated hour runs once, on daylight time;
// - fall back, interval schedules (a `*`, `/` or `-` in sec/min/hour): they keep running through both
//   copies of the repeated hour (01:00−7, 01:30−7, 01:00−8, 01:30−8, 02:00−8).
// The host parses cron first and TimeSpan second, so "5" is five days and "0 */5 * * * *" is cron.
import { nextWallTime, parseNcrontab, parseTimeSpan, type NcrontabExpression } from '../ncrontab.js';
import { isAmbiguousWall, resolveWall, toWall, type TimeZone } from './timer-zone.js';

/** A parsed timer schedule. */
export interface TimerSchedule {
  readonly kind: 'cron' | 'timespan';
  /** The expression as written (after `%NAME%` resolution). */
  readonly text: string;
  /** What `Schedule.AdjustForDST` reports: true for cron, false for a TimeSpan (as the host's ConstantSchedule). */
  readonly adjustForDST: boolean;
  readonly zone: TimeZone;
  /** The next occurrence strictly after `now` (epoch ms), or undefined when the schedule never fires. */
  next(now: number): number | undefined;
}

/** Parses a schedule (cron first, then TimeSpan, as the host does); the error says what is accepted. */
export function parseTimerSchedule(text: string, zone: TimeZone): TimerSchedule | { error: string } {
  const cron = parseNcrontab(text);
  if (!('error' in cron)) {
    return { kind: 'cron', text: cron.text, adjustForDST: true, zone, next: (now) => nextCronOccurrence(cron, zone, now) };
  }
  // A string with spaces was meant as cron: report the cron problem, not a TimeSpan one.
  if (/\s/.test(text.trim())) return { error: `schedule "${text}" is not a valid NCRONTAB expression: ${cron.error}` };
  const interval = parseTimeSpan(text);
  if (typeof interval !== 'number') {
    return { error: `schedule "${text}" is neither an NCRONTAB expression ("sec min hour day month day-of-week", e.g. "0 */5 * * * *") nor a TimeSpan ("hh:mm:ss"): ${interval.error}` };
  }
  return { kind: 'timespan', text: text.trim(), adjustForDST: false, zone, next: (now) => now + interval };
}

/** The next occurrence of a cron schedule after `now`, with the host's DST adjustments. */
export function nextCronOccurrence(expr: NcrontabExpression, zone: TimeZone, now: number): number | undefined {
  const nowOffset = zone.offsetAt(now);
  const nowWall = now + nowOffset;
  const nextWall = nextWallTime(expr, nowWall);
  if (nextWall === undefined) return undefined;
  const next = resolveWall(zone, nextWall);
  const nowAmbiguous = isAmbiguousWall(zone, nowWall);
  if (!nowAmbiguous && !next.ambiguous) return next.instant;
  const offsetShift = next.offset - nowOffset;
  if (!expr.isInterval && next.ambiguous && offsetShift !== 0) {
    // Point in time, still on daylight time: run the repeated wall time on its first (daylight) copy.
    return next.instant + offsetShift;
  }
  if (!expr.isInterval && next.ambiguous) {
    // Point in time, already past the fall-back: the daylight copy ran, skip to a time that is not repeated.
    let wall: number | undefined = nextWall;
    while (wall !== undefined && isAmbiguousWall(zone, wall)) wall = nextWallTime(expr, wall);
    return wall === undefined ? undefined : resolveWall(zone, wall).instant;
  }
  if (expr.isInterval && offsetShift !== 0) return next.instant + offsetShift;
  return next.instant;
}

/** The next `count` occurrences after `now`, for the start-up log line. */
export function nextOccurrences(schedule: TimerSchedule, now: number, count: number): number[] {
  const result: number[] = [];
  let at = now;
  for (let i = 0; i < count; i += 1) {
    const next = schedule.next(at);
    if (next === undefined) break;
    result.push(next);
    at = next;
  }
  return result;
}

/**
 * useMonitor as the host settles it: off when the schedule fires more than once within a minute
 * (cron with two occurrences in the next minute, or a TimeSpan under a minute), else the binding's
 * value, default on.
 */
export function effectiveUseMonitor(schedule: TimerSchedule, configured: boolean | undefined, now: number): boolean {
  if (schedule.kind === 'timespan') {
    const interval = (schedule.next(now) ?? now) - now;
    return interval < 60_000 ? false : (configured ?? true);
  }
  const first = schedule.next(now);
  const second = first === undefined ? undefined : schedule.next(first);
  if (second !== undefined && second <= now + 60_000) return false;
  return configured ?? true;
}

/** Formats an instant as the zone's local ISO time with offset (`2024-03-10T03:30:00-07:00`), as the host's JSON does. */
export function formatLocalIso(zone: TimeZone, instant: number): string {
  const offset = zone.offsetAt(instant);
  const wall = new Date(toWall(zone, instant)).toISOString(); // 2024-03-10T03:30:00.000Z
  const ms = wall.slice(19, 23) === '.000' ? '' : wall.slice(19, 23).replace(/0+$/, '');
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${wall.slice(0, 19)}${ms}${sign}${hh}:${mm}`;
}
