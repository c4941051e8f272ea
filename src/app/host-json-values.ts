// Typed reads of host.json / function.json values. Values from AzureFunctionsJobHost__ overrides are
// strings, so numbers and booleans are also accepted in their string form. A bad value is a problem
// naming the file and key, and the caller falls back to the default.
import { problem, type Problem } from '../api/problems.js';
import { caselessEntry, parseTimeSpan, type JsonObject } from './json-text.js';

/** Where problems go and which file they name. */
export interface Reader {
  readonly file: string;
  readonly problems: Problem[];
}

/** `file:section.key` — the path a problem about this value reports. */
export function keyPath(r: Reader, at: string, key: string): string {
  return `${r.file}:${at === '' ? '' : `${at}.`}${key}`;
}

function present(s: JsonObject, key: string): [string, unknown] | undefined {
  const entry = caselessEntry(s, key);
  return entry === undefined || entry[1] === undefined || entry[1] === null ? undefined : entry;
}

/** An integer in [min, max], or undefined when absent or invalid (invalid adds a problem). */
export function readInt(s: JsonObject, key: string, r: Reader, at: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const entry = present(s, key);
  if (!entry) return undefined;
  const raw = entry[1];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    r.problems.push(problem(keyPath(r, at, entry[0]), `must be an integer ${range} (got ${JSON.stringify(raw)}); the default is used`));
    return undefined;
  }
  return value;
}

/** A boolean (or "true"/"false"), or undefined when absent or invalid. */
export function readBool(s: JsonObject, key: string, r: Reader, at: string): boolean | undefined {
  const entry = present(s, key);
  if (!entry) return undefined;
  const raw = entry[1];
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
  r.problems.push(problem(keyPath(r, at, entry[0]), `must be true or false (got ${JSON.stringify(raw)}); the default is used`));
  return undefined;
}

/** A string, or undefined when absent or not a string. */
export function readString(s: JsonObject, key: string, r: Reader, at: string): string | undefined {
  const entry = present(s, key);
  if (!entry) return undefined;
  if (typeof entry[1] === 'string') return entry[1];
  r.problems.push(problem(keyPath(r, at, entry[0]), `must be a string (got ${JSON.stringify(entry[1])}); the default is used`));
  return undefined;
}

/** A TimeSpan "hh:mm:ss" in milliseconds, at least `minMs`, or undefined when absent or invalid. */
export function readDuration(s: JsonObject, key: string, r: Reader, at: string, minMs: number): number | undefined {
  const entry = present(s, key);
  if (!entry) return undefined;
  const ms = typeof entry[1] === 'string' ? parseTimeSpan(entry[1]) : undefined;
  if (ms === undefined || ms < minMs) {
    const why = ms === undefined ? 'must be a TimeSpan "hh:mm:ss"' : `must be at least ${minMs} ms`;
    r.problems.push(problem(keyPath(r, at, entry[0]), `${why} (got ${JSON.stringify(entry[1])}); the default is used`));
    return undefined;
  }
  return ms;
}
