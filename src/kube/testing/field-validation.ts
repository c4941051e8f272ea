// Server-side field validation (`fieldValidation=Strict|Warn|Ignore`, Warn by default): fields a
// CRD's structural schema or a built-in kind does not declare are unknown. Strict refuses the write
// with 400 in the apiserver's words; Warn and Ignore drop them (pruning), Warn with one `Warning`
// header per field, as kube-apiserver 1.31 does.

import { BUILTIN_SCHEMAS, OBJECT_META_FIELDS } from './builtin-schemas.js';
import { ApiError, badRequest, invalid } from './status.js';
import { type KubeObject, type ResourceType, groupResource, isRecord } from './types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const MODES = ['Ignore', 'Strict', 'Warn'];
const META = { properties: Object.fromEntries(OBJECT_META_FIELDS.map((f) => [f, { 'x-kubernetes-preserve-unknown-fields': true }])) };

/** The fieldValidation query parameter; an unknown value is the apiserver's 422 on the request options. */
export function fieldValidationOf(query: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (!MODES.includes(v)) {
    throw invalid({ group: 'meta.k8s.io', kind: options }, '', [{ field: 'fieldValidation', reason: 'FieldValueNotSupported', message: `Unsupported value: "${v}": supported values: "", "Ignore", "Strict", "Warn"` }]);
  }
  return v as FieldValidation;
}

/** Appends `.key` or `[i]` the way unknown-field paths print. */
function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

/** Walks value against schema, collecting unknown paths and (when `prune`) deleting them. */
function walk(schema: unknown, value: unknown, path: string, out: string[], prune: boolean, root: boolean): void {
  if (!isRecord(schema)) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => { walk(schema.items, v, join(path, i), out, prune, false); });
    return;
  }
  if (!isRecord(value)) return;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const props = isRecord(schema.properties) ? schema.properties : undefined;
  if (preserve && props === undefined) return;
  const embedded = root || schema['x-kubernetes-embedded-resource'] === true;
  const additional = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    const child = join(path, key);
    if (embedded && (key === 'apiVersion' || key === 'kind')) continue;
    if (embedded && key === 'metadata') walk(META, value[key], child, out, prune, false);
    else if (props !== undefined && key in props) walk(props[key], value[key], child, out, prune, false);
    else if (isRecord(additional)) walk(additional, value[key], child, out, prune, false);
    else if (!preserve && additional !== true) {
      out.push(child);
      if (prune) Reflect.deleteProperty(value, key);
    }
  }
}

/** The schema the fake checks a type against, if it knows one. */
function schemaOf(type: ResourceType): unknown {
  return type.crd !== undefined ? type.schema : BUILTIN_SCHEMAS[groupResource(type)];
}

/** "apps/v1, Kind=Deployment" as Go prints a GroupVersionKind. */
function gvk(type: ResourceType): string {
  return `${type.group}/${type.version}, Kind=${type.kind}`;
}

/**
 * Checks a written object in place: Strict throws 400 listing the unknown fields; otherwise they are
 * dropped and, in Warn mode, returned as warning texts.
 */
export function validateFields(type: ResourceType, obj: KubeObject, mode: FieldValidation, apply: boolean): string[] {
  const unknown: string[] = [];
  walk(schemaOf(type), obj, '', unknown, mode !== 'Strict', true);
  if (unknown.length === 0) return [];
  if (mode === 'Strict') {
    if (apply) throw badRequest(`failed to create typed patch object (${gvk(type)}): ${unknown.map((p) => `.${p}: field not declared in schema`).join(', ')}`);
    const list = unknown.map((p) => `unknown field "${p}"`).join(', ');
    throw new ApiError(400, 'BadRequest', `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${list}`);
  }
  return mode === 'Warn' ? unknown.map((p) => `unknown field "${p}"`) : [];
}
