// Turns zod issues into problems a user can act on: the field path in Kubernetes notation and a
// message without schema jargon ("is required", "must be an integer ≥ 1, got -3").
import type { z } from 'zod';
import { formatPath } from './field-path.js';
import { problem, type Problem } from './problems.js';

type Issue = z.core.$ZodIssue;

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Short description of a value for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === undefined ? 'nothing' : typeof value;
}

function invalidType(issue: Extract<Issue, { code: 'invalid_type' }>): string {
  const input = issue.input;
  if (input === undefined) return 'is required';
  if (issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    return `must be a string (quote it: "${String(input)}")`;
  }
  return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(input)}`;
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>): string {
  const min = Number(issue.minimum);
  if (issue.origin === 'array') return min === 1 ? 'must have at least one item' : `must have at least ${min} items`;
  if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
  return `must be an integer ≥ ${issue.inclusive ? min : min + 1}, got ${describeValue(issue.input)}`;
}

function tooBig(issue: Extract<Issue, { code: 'too_big' }>): string {
  const max = Number(issue.maximum);
  if (issue.origin === 'array') return `must have at most ${max} items`;
  if (issue.origin === 'string') return `must be at most ${max} characters`;
  return `must be an integer ≤ ${issue.inclusive ? max : max - 1}, got ${describeValue(issue.input)}`;
}

function invalidValue(issue: Extract<Issue, { code: 'invalid_value' }>): string {
  const options = issue.values.map((v) => (v === '' ? '""' : String(v)));
  const got = describeValue(issue.input);
  if (options.length === 1) return `must be ${JSON.stringify(issue.values[0])}, got ${got}`;
  return `must be one of ${options.join(', ')}, got ${got}`;
}

/** The user-facing message for one zod issue. */
export function issueMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_value':
      return invalidValue(issue);
    case 'invalid_union':
      return `has the wrong type, got ${describeValue(issue.input)}`;
    default:
      return issue.message;
  }
}

/** Problems for every zod issue, paths prefixed with `base` (empty for the whole object). */
export function issuesToProblems(issues: readonly Issue[], base: readonly PropertyKey[] = []): Problem[] {
  return issues.map((issue) => problem(formatPath([...base, ...issue.path]), issueMessage(issue)));
}
