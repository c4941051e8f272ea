// Schedule status (the host's "schedule monitor"): {Last, Next, LastUpdated} per timer, kept in
// storage so a restarted or newly elected replica can tell that an occurrence was missed. The rules
// follow the host's ScheduleMonitor.CheckPastDueAsync and TimerListener:
// - no status yet → record {Last: none, Next: next after now, LastUpdated: now}; not past due;
// - a status whose Next no longer follows from Last (or LastUpdated) under the current schedule means
//   the schedule was edited: recompute Next (from now if it already passed), so an edit never counts
//   as a missed run;
// - now > recorded Next → past due: the listener runs once at start with IsPastDue = true (missed
//   occurrences are not replayed one by one);
// - after every run: Last = the occurrence that ran (the scheduled time when the timer fired a little
//   early), Next = the one after it, LastUpdated = Last.
// All times are epoch ms; `undefined` stands for .NET's default(DateTime) ("0001-01-01T00:00:00").
import type { RpcTypedData } from '../../../app/rpc.js';
import { formatLocalIso, type TimerSchedule } from './timer-schedule.js';

/** The recorded state of one timer. */
export interface ScheduleStatus {
  readonly last: number | undefined;
  readonly next: number;
  readonly lastUpdated: number | undefined;
}

/** Where statuses live (a blob per timer in AzureWebJobsStorage, or memory). */
export interface ScheduleStatusStore {
  read(timerName: string): Promise<ScheduleStatus | undefined>;
  write(timerName: string, status: ScheduleStatus): Promise<void>;
}

/** The outcome of the start-up check. */
export interface PastDueCheck {
  readonly status: ScheduleStatus;
  /** The status changed and must be written back. */
  readonly changed: boolean;
  /** How late the recorded Next is (ms); 0 when not past due. */
  readonly pastDueMs: number;
}

/** The start-up check: initialises or repairs the status and says whether an occurrence was missed. */
export function checkPastDue(schedule: TimerSchedule, now: number, recorded: ScheduleStatus | undefined): PastDueCheck {
  const nextAfter = (at: number): number => schedule.next(at) ?? Number.MAX_SAFE_INTEGER;
  if (recorded === undefined) {
    return { status: { last: undefined, next: nextAfter(now), lastUpdated: now }, changed: true, pastDueMs: 0 };
  }
  const basis = recorded.last ?? recorded.lastUpdated ?? now;
  let expected = nextAfter(basis);
  let status = recorded;
  let changed = false;
  if (recorded.next !== expected) {
    let updated = basis;
    if (now > expected) {
      expected = nextAfter(now);
      updated = now;
    }
    status = { last: undefined, next: expected, lastUpdated: updated };
    changed = true;
  }
  return { status, changed, pastDueMs: now > status.next ? now - status.next : 0 };
}

/** The status after a run that started at `invocationTime` (a scheduled run that fired early counts as on time). */
export function statusAfterRun(schedule: TimerSchedule, invocationTime: number, previous: ScheduleStatus | undefined, scheduled: boolean): ScheduleStatus {
  const adjusted = scheduled && previous !== undefined && previous.next > invocationTime ? previous.next : invocationTime;
  return { last: adjusted, next: schedule.next(adjusted) ?? Number.MAX_SAFE_INTEGER, lastUpdated: adjusted };
}

const DEFAULT_DATE = '0001-01-01T00:00:00';

/** Serialises a status as the host's status blob does (`{"Last":…,"Next":…,"LastUpdated":…}`, local ISO times). */
export function statusJson(schedule: TimerSchedule, status: ScheduleStatus): string {
  return JSON.stringify(statusObject(schedule, status));
}

function statusObject(schedule: TimerSchedule, status: ScheduleStatus): Record<string, string> {
  const format = (at: number | undefined): string => (at === undefined ? DEFAULT_DATE : formatLocalIso(schedule.zone, at));
  return { Last: format(status.last), Next: format(status.next), LastUpdated: format(status.lastUpdated) };
}

/** Reads a status blob (written by tide or by the Functions host); undefined when it is not one. */
export function parseStatusJson(text: string): ScheduleStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const next = parseHostDate(record['Next']);
  if (next === undefined) return undefined;
  return { last: parseHostDate(record['Last']), next, lastUpdated: parseHostDate(record['LastUpdated']) };
}

/** A .NET date as JSON text: undefined for default(DateTime) or junk; no offset means UTC. */
export function parseHostDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!match || Number(match[1]) < 1900) return undefined;
  const instant = Date.parse(match[3] === undefined ? `${value}Z` : value);
  return Number.isNaN(instant) ? undefined : instant;
}

/** The trigger value of one run (§6.4): `{Schedule:{AdjustForDST}, ScheduleStatus|null, IsPastDue}` as json. */
export function timerInfoValue(schedule: TimerSchedule, status: ScheduleStatus | undefined, isPastDue: boolean): RpcTypedData {
  const info = {
    Schedule: { AdjustForDST: schedule.adjustForDST },
    ScheduleStatus: status === undefined ? null : statusObject(schedule, status),
    IsPastDue: isPastDue,
  };
  return { json: JSON.stringify(info) };
}

/** The `TimerTrigger` binding data: the firing time as .NET's invariant `MM/dd/yyyy HH:mm:ss` (UTC). */
export function timerTriggerText(instant: number): string {
  const iso = new Date(instant).toISOString();
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}

/** Statuses in process memory: used when useMonitor is on but there is no storage (lost on restart). */
export class MemoryStatusStore implements ScheduleStatusStore {
  private readonly statuses = new Map<string, ScheduleStatus>();

  /** The recorded status, if any. */
  read(timerName: string): Promise<ScheduleStatus | undefined> {
    return Promise.resolve(this.statuses.get(timerName));
  }

  /** Records a status. */
  write(timerName: string, status: ScheduleStatus): Promise<void> {
    this.statuses.set(timerName, status);
    return Promise.resolve();
  }
}
