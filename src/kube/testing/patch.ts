// The three classic PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and an
// approximation of strategic merge patch (lists of named objects merge by `name`; `$patch: delete`).

import { ApiError, badRequest } from './status.js';
import { isRecord } from './types.js';

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Lists whose items all carry a string `name` merge item by item, as strategic merge does for containers, env, ports. */
function isNamedList(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((i) => isRecord(i) && typeof i.name === 'string');
}

/** Strategic merge patch, approximated without per-type schemas: see the file comment. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (isNamedList(patch) && (isNamedList(target) || target === undefined)) {
    const out = (target ?? []).map((i) => ({ ...i }));
    for (const item of patch) {
      const idx = out.findIndex((o) => o.name === item.name);
      if (item.$patch === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
      } else if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item) as Record<string, unknown>;
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (!isRecord(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return structuredClone(rest);
  }
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = strategicMergePatch(out[k], v);
  }
  return out;
}

/** Decodes a JSON pointer into its reference tokens. */
function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${path}`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container a pointer's last token addresses, and that token. */
function parentOf(doc: unknown, tokens: string[], path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isRecord(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw jsonPatchError(`doc is missing path: "${path}"`);
  }
  if (!Array.isArray(cur) && !isRecord(cur)) throw jsonPatchError(`doc is missing path: "${path}"`);
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

/** JSON patch failures are 422 on a real server (the patch applied but the result is invalid) or 500; clients see a message. */
function jsonPatchError(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

/** Reads the value at a pointer or fails. */
function getAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const t of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[t === '-' ? cur.length : Number(t)];
    else if (isRecord(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw jsonPatchError(`doc is missing path: "${path}"`);
  }
  return cur;
}

/** Inserts (arrays) or sets (objects) a value at a pointer. */
function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (replace && idx >= parent.length)) throw jsonPatchError(`unable to access invalid index: ${key}`);
    parent.splice(idx, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent)) throw jsonPatchError(`doc is missing key: ${path}`);
    parent[key] = value;
  }
  return doc;
}

/** Removes the value at a pointer. */
function removeAt(doc: unknown, path: string): unknown {
  const tokens = pointer(path);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const idx = Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw jsonPatchError(`unable to remove nonexistent key: ${key}: missing value`);
    parent.splice(idx, 1);
  } else {
    if (!(key in parent)) throw jsonPatchError(`unable to remove nonexistent key: ${key}: missing value`);
    Reflect.deleteProperty(parent, key);
  }
  return doc;
}

/** RFC 6902 on a copy of the document; `test` failures and missing paths reject the whole patch. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('the server rejected our request due to an error in our request: json patch must be an array');
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw badRequest('the server rejected our request due to an error in our request: invalid json patch operation');
    const from = typeof op.from === 'string' ? op.from : '';
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, structuredClone(op.value), false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, structuredClone(op.value), true);
        break;
      case 'remove':
        doc = removeAt(doc, op.path);
        break;
      case 'move': {
        const v = getAt(doc, from);
        doc = addAt(removeAt(doc, from), op.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, structuredClone(getAt(doc, from)), false);
        break;
      case 'test':
        if (stableStringify(getAt(doc, op.path)) !== stableStringify(op.value)) throw jsonPatchError(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw badRequest(`the server rejected our request due to an error in our request: Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

/** JSON with sorted keys, for comparing documents regardless of key order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`).join(',')}}`;
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}
