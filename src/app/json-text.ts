// Small helpers for the JSON files of a function app. host.json and function.json are read by .NET's
// JSON.NET in the real host, which tolerates comments and trailing commas and matches keys without
// regard to case, so tide does the same.

/** A JSON object as read from a file. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON that may contain `//` and block comments and trailing commas; a syntax error is returned, not thrown. */
export function parseJsonText(text: string): { value: unknown } | { error: string } {
  const cleaned = stripComments(text.replace(/^\uFEFF/, ''));
  try {
    return { value: JSON.parse(cleaned) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      out += ' ';
    } else {
      out += c;
    }
  }
  return removeTrailingCommas(out);
}

function removeTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',' && /^\s*[}\]]/.test(text.slice(i + 1))) continue;
    out += c;
  }
  return out;
}

/** The entry of `object` whose key equals `key` ignoring case: [actual key, value], or undefined. */
export function caselessEntry(object: JsonObject, key: string): [string, unknown] | undefined {
  if (Object.prototype.hasOwnProperty.call(object, key)) return [key, object[key]];
  const lower = key.toLowerCase();
  return Object.entries(object).find(([k]) => k.toLowerCase() === lower);
}

/** The value under `key` ignoring case, or undefined. */
export function caseless(object: JsonObject, key: string): unknown {
  return caselessEntry(object, key)?.[1];
}

/** The object under `key` ignoring case, or an empty object when absent or not an object. */
export function caselessObject(object: JsonObject, key: string): JsonObject {
  const value = caseless(object, key);
  return isJsonObject(value) ? value : {};
}

/** Parses a .NET TimeSpan (`[-][d.]hh:mm[:ss[.fffffff]]`) to milliseconds, or undefined when it is not one. */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, days, hours, minutes, seconds, fraction] = match;
  const ms =
    Number(days ?? 0) * 86_400_000 + Number(hours) * 3_600_000 + Number(minutes) * 60_000 + Number(seconds ?? 0) * 1_000 + Math.round(Number(`0.${fraction ?? '0'}`) * 1_000);
  return minus ? -ms : ms;
}
