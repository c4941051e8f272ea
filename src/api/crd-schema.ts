// zod schema → structural OpenAPI v3 schema, as apiextensions.k8s.io/v1 requires: no $schema,
// no additionalProperties:false, int32/int64 formats instead of numeric bounds, int-or-string for
// string|number unions, and x-kubernetes-preserve-unknown-fields for open objects.
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

function integerFormat(schema: JsonSchema): void {
  if (schema.type !== 'integer') return;
  // zod's int() is bounded by the safe-integer range; every other integer in the model is int32.
  if (schema.maximum === Number.MAX_SAFE_INTEGER) {
    schema.format = 'int64';
    delete schema.maximum;
    if (schema.minimum === -Number.MAX_SAFE_INTEGER) delete schema.minimum;
    return;
  }
  schema.format = 'int32';
  if (schema.maximum === INT32_MAX) delete schema.maximum;
  if (schema.minimum === INT32_MIN) delete schema.minimum;
}

function intOrString(schema: JsonSchema): void {
  const anyOf = schema.anyOf;
  if (!Array.isArray(anyOf)) return;
  const types = anyOf.map((s) => (isSchema(s) ? s.type : undefined)).sort();
  if (types.length === 2 && types[0] === 'number' && types[1] === 'string') {
    schema.anyOf = [{ type: 'integer' }, { type: 'string' }];
    schema['x-kubernetes-int-or-string'] = true;
  }
}

function openObject(schema: JsonSchema): void {
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  const extra = schema.additionalProperties;
  if (isSchema(extra) && Object.keys(extra).length === 0) {
    delete schema.additionalProperties;
    schema['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (isSchema(schema.properties) && Object.keys(schema.properties).length === 0) delete schema.properties;
  delete schema.propertyNames;
}

function structural(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structural);
  if (!isSchema(value)) return value;
  const schema: JsonSchema = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$schema') continue;
    // properties/x-kubernetes-validations hold user names and rules, not schemas to rewrite.
    schema[key] = key === 'x-kubernetes-validations' || key === 'enum' || key === 'required' ? child : structural(child);
  }
  integerFormat(schema);
  intOrString(schema);
  openObject(schema);
  return schema;
}

/** The structural schema of a zod schema, for a CRD's openAPIV3Schema. */
export function structuralSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
  return structural(json) as JsonSchema;
}
