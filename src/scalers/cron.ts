// cron: desiredReplicas between a start and an end schedule, in a timezone.

import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { defineScaler, issue, type IssueResult } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';

/** The cron scaler declaration. */
export const cron = defineScaler({
  type: 'cron',
  params: {
    timezone: param.string().required(),
    start: param.string().required(),
    end: param.string().required(),
    desiredReplicas: param.int().required(),
  },
  rules: (rule) => [
    rule(['timezone'], (p) => !validTimezone(p.timezone) && issue('timezone', `"${p.timezone}" is not an IANA time zone (e.g. Europe/Berlin, Asia/Kolkata, UTC)`)),
    rule(['start'], (p) => cronSpecIssue('start', p.start)),
    rule(['end'], (p) => cronSpecIssue('end', p.end)),
    rule(['start', 'end'], (p) => p.start === p.end && issue('end', 'must differ from start')),
    rule(['desiredReplicas'], (p) => p.desiredReplicas === 0 && issue('desiredReplicas', 'must not be 0')),
  ],
  metricName: (p) => `cron-${p.timezone}-${cronNamePart(p.start)}-${cronNamePart(p.end)}`,
  target: () => ({ value: milliFromInt(1), activation: 0 }),
  // A pure function of the clock: no connection.
  read: (_connection, p, ctx) => cronActivity(p, ctx.now),
});

/** KEDA's parseCronTimeFormat: spaces dropped, `*`→x, `/`→Sl, `?`→Qm, `,`→Cm. */
export function cronNamePart(spec: string): string {
  return spec.replace(/ /g, '').replace(/\*/g, 'x').replace(/\//g, 'Sl').replace(/\?/g, 'Qm').replace(/,/g, 'Cm');
}

/** Whether the runtime knows the IANA zone (Go's time.LoadLocation accepts the same names). */
export function validTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

// KEDA parses with robfig/cron's 5-field parser: minute, hour, day of month, month, day of week (0-6),
// names for months and weekdays, no seconds, no descriptors, no L/W/#.
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;
const PART = /^(?:(\*|\?)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/(\d+))?$/;

function fieldValue(text: string, field: (typeof FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = 'names' in field ? (field.names as readonly string[]).indexOf(text.toLowerCase()) : -1;
  return index < 0 ? undefined : index + (field.min === 1 ? 1 : 0);
}

function partProblem(part: string, field: (typeof FIELDS)[number]): string | undefined {
  const match = PART.exec(part);
  if (!match) return `"${part}" is not valid in the ${field.name} field`;
  const [, star, from, to, step] = match;
  if (step !== undefined && Number(step) < 1) return `step "${step}" must be at least 1`;
  if (star !== undefined) return undefined;
  const low = fieldValue(from ?? '', field);
  const high = to === undefined ? low : fieldValue(to, field);
  if (low === undefined || high === undefined) return `"${part}" is not valid in the ${field.name} field`;
  if (low < field.min || high > field.max) return `"${part}" is outside ${field.min}-${field.max} in the ${field.name} field`;
  return low > high ? `range "${part}" runs backwards` : undefined;
}

/** Why a schedule is not a 5-field cron expression KEDA accepts, or undefined when it is. */
export function cronSpecProblem(spec: string): string | undefined {
  const fields = spec.trim().split(/\s+/);
  if (fields.length !== 5) return `"${spec}" must have 5 fields: minute hour day-of-month month day-of-week`;
  for (const [i, text] of fields.entries()) {
    const field = FIELDS[i];
    if (!field) continue;
    for (const part of text.split(',')) {
      const found = partProblem(part, field);
      if (found !== undefined) return `${found} of "${spec}"`;
    }
  }
  return undefined;
}

function cronSpecIssue(param: 'start' | 'end', spec: string): IssueResult {
  const found = cronSpecProblem(spec);
  return found !== undefined && issue(param, found);
}

/** Parameters cronActivity needs. */
export interface CronWindow {
  readonly timezone: string;
  readonly start: string;
  readonly end: string;
  readonly desiredReplicas: number;
}

// Parsed schedules are reused across polls; the map only grows with the distinct schedules configured.
const parsed = new Map<string, CronExpression>();
const MAX_CACHED = 10_000;

function nextAfter(spec: string, timezone: string, now: number): number {
  const key = `${timezone}\n${spec}`;
  let expression = parsed.get(key);
  if (!expression) {
    if (parsed.size >= MAX_CACHED) parsed.clear();
    expression = CronExpressionParser.parse(spec, { tz: timezone, currentDate: new Date(now) });
    parsed.set(key, expression);
  } else {
    expression.reset(new Date(now));
  }
  return expression.next().getTime();
}

// The verdict only changes at the next start or end, so it is reused until then: per-poll cost is a
// map lookup instead of two timezone-aware schedule evaluations (~150 µs).
interface Verdict {
  readonly from: number;
  readonly until: number;
  readonly active: boolean;
}
const verdicts = new Map<string, Verdict>();

/**
 * KEDA's cron activity at `now` (epoch ms): active iff the next end comes before the next start, both
 * strictly after now in the timezone; the value is desiredReplicas when active, else 0.
 */
export function cronActivity(window: CronWindow, now: number): { active: boolean; value: number } {
  const key = `${window.timezone}\n${window.start}\n${window.end}`;
  let verdict = verdicts.get(key);
  if (!verdict || now < verdict.from || now >= verdict.until) {
    const nextStart = nextAfter(window.start, window.timezone, now);
    const nextEnd = nextAfter(window.end, window.timezone, now);
    if (verdicts.size >= MAX_CACHED) verdicts.clear();
    verdict = { from: now, until: Math.min(nextStart, nextEnd), active: !(nextStart < nextEnd) };
    verdicts.set(key, verdict);
  }
  return { active: verdict.active, value: verdict.active ? window.desiredReplicas : 0 };
}
