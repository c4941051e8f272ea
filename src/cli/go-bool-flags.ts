// Boolean flags spelled as KEDA's manifests pass them (Go's pflag): `--flag`, `--flag=true`,
// `--flag=false`. node:util parseArgs has no such type, so these flags are declared as strings and a
// bare `--flag` is rewritten to `--flag=true` before parsing.
import { UsageError } from './io.js';

/** argv with each bare `--<name>` of `names` turned into `--<name>=true`. */
export function expandGoBooleans(argv: readonly string[], names: readonly string[]): string[] {
  const bare = new Set(names.map((name) => `--${name}`));
  const end = argv.indexOf('--');
  return argv.map((arg, i) => (bare.has(arg) && (end < 0 || i < end) ? `${arg}=true` : arg));
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A Go boolean (strconv.ParseBool); a UsageError naming the flag otherwise. */
export function goBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new UsageError(`--${name} must be true or false, got "${value}"`);
}
