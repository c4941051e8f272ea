// Small assertions shared by the scaler tests.
import type { Problem } from '../../src/api/problems.js';
import type { ParseResult } from '../../src/scalers/define.js';

/** The successful result, or a thrown error listing the problems. */
export function parsed<D>(result: ParseResult<D>): Extract<ParseResult<D>, { ok: true }> {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.problems)}`);
  return result;
}

/** The problems of a failed result as `path: message` lines (errors and warnings). */
export function failures<D>(result: ParseResult<D>): string[] {
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.params)}`);
  return result.problems.map(line);
}

/** Only the error lines of a failed result. */
export function errors<D>(result: ParseResult<D>): string[] {
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.params)}`);
  return result.problems.filter((p) => p.severity === 'error').map(line);
}

/** `path: message`, as the CLI prints a problem. */
export function line(p: Problem): string {
  return `${p.path}: ${p.message}`;
}
