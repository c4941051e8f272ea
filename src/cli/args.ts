// Flag parsing on node:util parseArgs, turning its exceptions into UsageErrors with the flag named.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export type OutputFormat = 'text' | 'json' | 'yaml';
const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'yaml'];

/** The `--output` flag every command that prints results shares. */
export const outputOption = { output: { type: 'string', short: 'o' } } as const satisfies OptionSpec;

/** Parses argv against `options`; unknown flags and missing values become UsageErrors. */
export function parseFlags<T extends OptionSpec>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Validates the value of `--output` (default text). */
export function outputFormat(value: string | undefined, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
  if (value === undefined) return 'text';
  const format = allowed.find((f) => f === value);
  if (!format) throw new UsageError(`--output must be one of ${allowed.join(', ')}, got "${value}"`);
  return format;
}

/** Parses a numeric flag, naming the flag when the value is not a number in range. */
export function numberFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min) {
    throw new UsageError(`--${name} must be a number ≥ ${min}, got "${value}"`);
  }
  return parsed;
}
