// Kubernetes prunes fields a structural CRD schema does not know, with only a warning. tide warns
// the same way and names the nearest known field, since a pruned typo (queueLenght, minReplicas)
// silently falls back to a default.
import { z } from 'zod';
import { appendPath } from './field-path.js';
import { nearest } from './nearest.js';
import { warning, type Problem } from './problems.js';

type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodExactOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap();
  }
  return current;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const prefixLength = (a: string, b: string): number => {
  let n = 0;
  while (n < a.length && n < b.length && a[n]?.toLowerCase() === b[n]?.toLowerCase()) n++;
  return n;
};

/** A truncated name (maxReplicas for maxReplicaCount) is too far for edit distance but shares almost all of its start. */
function sharedPrefix(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestLength = Math.max(4, key.length - 2) - 1;
  for (const candidate of known) {
    const length = prefixLength(key, candidate);
    if (length > bestLength) {
      best = candidate;
      bestLength = length;
    }
  }
  return best;
}

function walkObject(schema: z.ZodObject, value: Record<string, unknown>, path: string, out: Problem[]): void {
  const shape = schema.shape as Record<string, AnySchema>;
  const open = schema.def.catchall !== undefined && !(schema.def.catchall instanceof z.ZodNever);
  for (const [key, child] of Object.entries(value)) {
    const childSchema = shape[key];
    const childPath = appendPath(path, key);
    if (childSchema !== undefined) collectUnknownFields(childSchema, child, childPath, out);
    else if (!open) {
      const known = Object.keys(shape);
      const suggestion = nearest(key, known) ?? sharedPrefix(key, known);
      const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : '';
      out.push(warning(childPath, `unknown field "${key}"${hint}: Kubernetes drops it`));
    }
  }
}

/** Appends a warning for every field of `value` that `schema` does not declare (open objects excepted). */
export function collectUnknownFields(schema: AnySchema, value: unknown, path: string, out: Problem[]): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(value)) walkObject(inner, value, path, out);
  else if (inner instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((item, index) => {
      collectUnknownFields(inner.element, item, appendPath(path, index), out);
    });
  } else if (inner instanceof z.ZodRecord && isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) collectUnknownFields(inner.valueType, child, appendPath(path, key), out);
  }
}

/**
 * A copy of `value` without null-valued fields: the API server drops nulls of non-nullable fields
 * before validating, so `advanced:` left empty in YAML means "not set".
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null) result[key] = dropNulls(child);
  }
  return result;
}
