// Time zones for timer schedules. The host evaluates NCRONTAB in its local zone (WEBSITE_TIME_ZONE,
// else TZ, else the machine's), so "0 30 9 * * *" means 09:30 on the wall clock there. This module
// converts between instants (epoch ms) and "wall" ms (local date-time written as if it were UTC) with
// Intl, and settles the two DST cases the way .NET's TimeZoneInfo does: a wall time inside the
// spring-forward gap takes the offset before the gap (02:30 → 03:30 new time), and a wall time that
// occurs twice in the fall-back hour takes the standard (later) offset.
import { BindingConfigError } from '../contract.js';

/** An IANA time zone with the conversions the schedule needs. */
export interface TimeZone {
  readonly name: string;
  /** Wall minus UTC in ms at `instant` (−7 h = −25 200 000). */
  offsetAt(instant: number): number;
}

/** A wall time placed on the timeline. */
export interface ResolvedWall {
  readonly instant: number;
  readonly offset: number;
  /** The wall time occurs twice (fall-back hour). */
  readonly ambiguous: boolean;
}

const UTC: TimeZone = { name: 'UTC', offsetAt: () => 0 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The zone a timer uses: WEBSITE_TIME_ZONE, else TZ, else `fallback` (the process's zone); an unknown name is a BindingConfigError. */
export function timerTimeZone(settings: Readonly<Record<string, string | undefined>>, fallback: string, where: string): TimeZone {
  const setting = settings['WEBSITE_TIME_ZONE'] ? 'WEBSITE_TIME_ZONE' : settings['TZ'] ? 'TZ' : undefined;
  const name = setting === undefined ? fallback : (settings[setting] ?? fallback);
  const zone = ianaTimeZone(name.replace(/^:/, ''));
  if (zone === undefined) {
    const source = setting === undefined ? 'the process time zone' : `app setting ${setting}`;
    throw new BindingConfigError(`${where}: ${source} "${name}" is not an IANA time zone name such as "Europe/Berlin" (Windows names are not supported)`);
  }
  return zone;
}

/** An IANA zone by name (`UTC`, `Etc/GMT+5`, `America/New_York`), or undefined when Intl does not know it. */
export function ianaTimeZone(name: string): TimeZone | undefined {
  if (/^(utc|gmt|z|etc\/utc|etc\/gmt)$/i.test(name)) return UTC;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const resolved = format.resolvedOptions().timeZone;
  return {
    name: resolved,
    offsetAt: (instant) => {
      const whole = Math.floor(instant / 1_000) * 1_000;
      const part = (type: string): number => Number(format.formatToParts(whole).find((p) => p.type === type)?.value ?? '0');
      const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
      return wall - whole;
    },
  };
}

/** The wall time of `instant` in `zone`. */
export function toWall(zone: TimeZone, instant: number): number {
  return instant + zone.offsetAt(instant);
}

/** Places a wall time on the timeline: gap → offset before the gap; twice → the standard (later) instant. */
export function resolveWall(zone: TimeZone, wall: number): ResolvedWall {
  // A zone changes offset at most once in any two days, so the offsets a day either side are the candidates.
  const before = zone.offsetAt(wall - DAY);
  const after = zone.offsetAt(wall + DAY);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => toWall(zone, instant) === wall)
    .sort((a, b) => a - b);
  const chosen = candidates[candidates.length - 1];
  if (chosen === undefined) return { instant: wall - before, offset: zone.offsetAt(wall - before), ambiguous: false };
  return { instant: chosen, offset: zone.offsetAt(chosen), ambiguous: candidates.length > 1 };
}

/** True when `wall` occurs twice in `zone` (the repeated hour after a fall-back). */
export function isAmbiguousWall(zone: TimeZone, wall: number): boolean {
  return resolveWall(zone, wall).ambiguous;
}
