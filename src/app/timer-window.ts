// A timer function on Kubernetes: instead of keeping a replica running all day for a function that
// fires a few times, scale to one replica in a window around each occurrence with KEDA's cron scaler,
// from 1 minute before the occurrence (pod start) to functionTimeout after it (the run may last that
// long). KEDA's cron has minutes, no seconds, and is active while the next end comes before the next
// start, so windows must not overlap: schedules that fire more than once per 10 minutes, TimeSpan
// schedules, non-zero seconds, windows longer than the gap between runs, and windows that cross
// midnight on a day-restricted schedule keep one replica instead, with the reason as a note.
import { CronExpressionParser } from 'cron-parser';
import type { ScaleTrigger } from '../api/scale-trigger.js';

export interface TimerWindowOptions {
  /** host.json functionTimeout; null when unbounded (-1). */
  readonly functionTimeoutMs: number | null;
  /** IANA zone the schedule is read in (WEBSITE_TIME_ZONE / TZ, else UTC). */
  readonly timezone: string;
}

export type TimerWindow =
  | { readonly kind: 'cron'; readonly triggers: readonly ScaleTrigger[] }
  | { readonly kind: 'keep-one-replica'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly message: string };

const MIN_GAP_MINUTES = 10;
const DAY = 24 * 60;

/** The cron triggers (one per distinct minute of the schedule) for an NCRONTAB schedule, or why one replica stays. */
export function timerWindow(functionName: string, schedule: string, options: TimerWindowOptions): TimerWindow {
  const text = schedule.trim();
  if (/^(\d+\.)?\d{1,2}:\d{2}(:\d{2})?$/.test(text)) return keep(`the TimeSpan schedule "${text}" runs relative to the host's start`);
  const fields = text.split(/\s+/);
  if (fields.length !== 6) return { kind: 'invalid', message: `"${text}" is not an NCRONTAB schedule (6 fields: second minute hour day month day-of-week)` };
  let parsed;
  try {
    parsed = CronExpressionParser.parse(text, { tz: 'UTC' });
  } catch (error) {
    return { kind: 'invalid', message: `"${text}" is not a valid NCRONTAB schedule: ${error instanceof Error ? error.message : String(error)}` };
  }
  const seconds = parsed.fields.second.values.map(Number);
  if (seconds.length !== 1 || seconds[0] !== 0) return keep(`"${text}" fires at non-zero seconds, which KEDA's minute-based cron cannot express`);
  const minutes = [...new Set(parsed.fields.minute.values.map(Number))].sort((a, b) => a - b);
  const hours = [...new Set(parsed.fields.hour.values.map(Number))].sort((a, b) => a - b);
  const gap = smallestGap(hours.flatMap((h) => minutes.map((m) => h * 60 + m)));
  if (gap < MIN_GAP_MINUTES) return keep(`"${text}" fires more than once per ${MIN_GAP_MINUTES} minutes`);
  if (options.functionTimeoutMs === null) return keep('functionTimeout is unbounded (-1), so a run has no end to scale down after');
  const after = Math.max(1, Math.ceil(options.functionTimeoutMs / 60_000));
  if (1 + after >= gap) return keep(`the window of 1 minute before to functionTimeout (${after} min) after each run is not shorter than the ${gap} minutes between runs`);
  const dayFields = fields.slice(3);
  const allDays = parsed.fields.dayOfMonth.isWildcard && parsed.fields.month.isWildcard && parsed.fields.dayOfWeek.isWildcard;
  const triggers: ScaleTrigger[] = [];
  for (const minute of minutes) {
    const start = shifted(minute, hours, -1);
    const end = shifted(minute, hours, after);
    if (!allDays && (start.crossesDay || end.crossesDay)) return keep(`the window around "${text}" crosses midnight on a schedule limited to certain days`);
    triggers.push({
      type: 'cron',
      name: minutes.length === 1 ? functionName : `${functionName}-m${minute}`,
      metadata: {
        timezone: options.timezone,
        start: [start.minute, start.hours, ...dayFields].join(' '),
        end: [end.minute, end.hours, ...dayFields].join(' '),
        desiredReplicas: '1',
      },
    });
  }
  return { kind: 'cron', triggers };
}

function keep(reason: string): TimerWindow {
  return { kind: 'keep-one-replica', reason };
}

/** Smallest distance between occurrences within a day and across midnight (minutes of the day, sorted). */
function smallestGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let gap = DAY;
  for (let i = 0; i < sorted.length; i++) {
    const next = i + 1 < sorted.length ? (sorted[i + 1] ?? 0) : (sorted[0] ?? 0) + DAY;
    gap = Math.min(gap, next - (sorted[i] ?? 0));
  }
  return gap;
}

/** Minute and hour fields of `minute` at `hours`, moved by `delta` minutes; crossesDay when any hour leaves the day. */
function shifted(minute: number, hours: readonly number[], delta: number): { minute: number; hours: string; crossesDay: boolean } {
  const total = minute + delta;
  const hourShift = Math.floor(total / 60);
  const moved = hours.map((h) => h + hourShift);
  const crossesDay = moved.some((h) => h < 0 || h >= 24);
  const wrapped = [...new Set(moved.map((h) => ((h % 24) + 24) % 24))].sort((a, b) => a - b);
  return { minute: ((total % 60) + 60) % 60, hours: wrapped.length === 24 ? '*' : wrapped.join(','), crossesDay };
}
