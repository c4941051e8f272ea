// The schedule syntaxes timerTrigger accepts, as the Functions host reads them:
// - NCRONTAB (the .NET library the host uses): 6 fields `sec min hour day month dow`, or the classic 5
//   fields `min hour day month dow` (seconds = 0) — the host picks "with seconds" unless there are
//   exactly 5 fields. Each field: `*`, `n`, `n-m`, `*/s`, `n-m/s`, `n/s` (n to the field's maximum),
//   comma lists; months and days also by name (first three letters, any case). Day of month and
//   day of week must BOTH match (NCrontab's rule, unlike Vixie cron's "either"). No `?`, `L`, `W`, `#`.
// - .NET TimeSpan text (`hh:mm:ss`, `d.hh:mm:ss`, `d:hh:mm:ss`, `hh:mm`, `d`): a constant interval.
// Arithmetic here runs on "wall" milliseconds: a local date-time written as if it were UTC, so days and
// weekdays come from Date's UTC getters. Time zones and DST are handled by the caller (timer-zone.ts).

/** A parsed NCRONTAB expression: the allowed values of each field. */
export interface NcrontabExpression {
  readonly text: string;
  /** True when written with a seconds field (6 fields). */
  readonly withSeconds: boolean;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /**
   * The host's "interval" test, used for DST fall-back: any of the time fields (sec/min/hour, or
   * min/hour for 5 fields) written with `*`, `/` or `-`.
   */
  readonly isInterval: boolean;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 6, names: DAY_NAMES },
];

/** Parses an NCRONTAB expression (6 fields, or 5 without seconds); the error names the bad field. */
export function parseNcrontab(text: string): NcrontabExpression | { error: string } {
  const parts = text.trim().split(/\s+/).filter((part) => part !== '');
  const withSeconds = parts.length !== 5;
  if (parts.length !== 5 && parts.length !== 6) {
    return { error: `expected 6 fields "sec min hour day month day-of-week" (or 5 without seconds), got ${parts.length}` };
  }
  const full = withSeconds ? parts : ['0', ...parts];
  const sets: Set<number>[] = [];
  for (const [index, spec] of FIELDS.entries()) {
    const set = parseField(full[index] ?? '', spec);
    if ('error' in set) return set;
    sets.push(set.values);
  }
  const [seconds, minutes, hours, days, months, daysOfWeek] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const timeParts = withSeconds ? parts.slice(0, 3) : parts.slice(0, 2);
  const isInterval = timeParts.some((part) => /[*/-]/.test(part));
  return { text: parts.join(' '), withSeconds, seconds, minutes, hours, days, months, daysOfWeek, isInterval };
}

function parseField(text: string, spec: FieldSpec): { values: Set<number> } | { error: string } {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const added = addItem(item, spec, values);
    if (added !== undefined) return { error: `${spec.name} field "${text}": ${added}` };
  }
  return { values };
}

/** Adds one list item's values; returns an error message, or undefined when fine. */
function addItem(item: string, spec: FieldSpec, into: Set<number>): string | undefined {
  const slash = item.indexOf('/');
  let step = 1;
  let range = item;
  if (slash >= 0) {
    const stepText = item.slice(slash + 1);
    if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return `bad step "${stepText}"`;
    step = Number(stepText);
    range = item.slice(0, slash);
  }
  let first: number;
  let last: number;
  if (range === '*') {
    first = spec.min;
    last = spec.max;
  } else {
    const dash = range.indexOf('-', 1);
    const start = fieldValue(dash > 0 ? range.slice(0, dash) : range, spec);
    if (typeof start === 'string') return start;
    const end = dash > 0 ? fieldValue(range.slice(dash + 1), spec) : slash >= 0 ? spec.max : start;
    if (typeof end === 'string') return end;
    if (end < start) return `range "${range}" runs backwards`;
    first = start;
    last = end;
  }
  for (let value = first; value <= last; value += step) into.add(value);
  return undefined;
}

function fieldValue(text: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= spec.min && value <= spec.max ? value : `${value} is outside ${spec.min}-${spec.max}`;
  }
  if (spec.names && /^[a-z]{3,}$/i.test(text)) {
    const index = spec.names.indexOf(text.slice(0, 3).toLowerCase());
    if (index >= 0) return index + spec.min;
  }
  return `"${text}" is not a number${spec.names ? ' or a name' : ''}`;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A schedule such as "0 0 0 31 2 *" never matches: stop looking after this many years. */
const SEARCH_YEARS = 8;

/** The first wall time strictly after `wallMs` (whole seconds) that matches, or undefined when none within 8 years. */
export function nextWallTime(expr: NcrontabExpression, wallMs: number): number | undefined {
  let t = Math.floor(wallMs / SECOND) * SECOND + SECOND;
  const limitYear = new Date(t).getUTCFullYear() + SEARCH_YEARS;
  for (;;) {
    const d = new Date(t);
    if (d.getUTCFullYear() > limitYear) return undefined;
    if (!expr.months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    } else if (!expr.days.has(d.getUTCDate()) || !expr.daysOfWeek.has(d.getUTCDay())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + DAY;
    } else if (!expr.hours.has(d.getUTCHours())) {
      t = t - (t % HOUR) + HOUR;
    } else if (!expr.minutes.has(d.getUTCMinutes())) {
      t = t - (t % MINUTE) + MINUTE;
    } else if (!expr.seconds.has(d.getUTCSeconds())) {
      t += SECOND;
    } else {
      return t;
    }
  }
}

/**
 * Parses .NET TimeSpan text as the host's constant schedule: `d`, `h:m`, `h:m:s`, `d.h:m[:s]`,
 * `d:h:m:s`, seconds with an optional fraction. Hours 0-23, minutes and seconds 0-59. Milliseconds;
 * zero or negative is an error (a zero interval would fire without pause).
 */
export function parseTimeSpan(text: string): number | { error: string } {
  const trimmed = text.trim();
  const parts = timeSpanParts(trimmed);
  if (parts === undefined) return { error: `"${text}" is not a TimeSpan such as "00:05:00" or "1.00:00:00"` };
  const [days, hours, minutes, seconds, fraction] = parts;
  if (hours > 23 || minutes > 59 || seconds > 59) return { error: `"${text}": hours must be 0-23, minutes and seconds 0-59` };
  const total = days * DAY + hours * HOUR + minutes * MINUTE + seconds * SECOND + Math.round(fraction * SECOND);
  return total > 0 ? total : { error: 'the interval must be greater than zero' };
}

/** [days, hours, minutes, seconds, fraction of a second] of the accepted TimeSpan layouts. */
function timeSpanParts(text: string): [number, number, number, number, number] | undefined {
  const fraction = (digits: string | undefined): number => (digits === undefined ? 0 : Number(`0.${digits}`));
  const days = /^(\d+)$/.exec(text);
  if (days) return [Number(days[1]), 0, 0, 0, 0];
  const dotted = /^(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d{1,7}))?)?$/.exec(text);
  if (dotted) return [Number(dotted[1] ?? '0'), Number(dotted[2]), Number(dotted[3]), Number(dotted[4] ?? '0'), fraction(dotted[5])];
  const colons = /^(\d+):(\d+):(\d+):(\d+)(?:\.(\d{1,7}))?$/.exec(text);
  if (colons) return [Number(colons[1]), Number(colons[2]), Number(colons[3]), Number(colons[4]), fraction(colons[5])];
  return undefined;
}
