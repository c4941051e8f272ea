// Field sets as server-side apply tracks them: paths of `f:` (field), `k:` (keyed list item), `v:`
// (set member) and `i:` (atomic-list index, unused here) tokens, the leaf `.` marking a keyed item
// itself, and their FieldsV1 tree form. Which lists are keyed follows the built-in types' list-map
// keys for the common cases (containers, env, ports, volumes, conditions); custom resources keep
// atomic lists, as a CRD schema without x-kubernetes-list-type declares.

import { stableStringify } from './patch.js';
import { isRecord } from './types.js';

/** One path: tokens from the root, e.g. ['f:spec', 'f:replicas']. */
export type FieldPath = string[];

/** FieldsV1 JSON: nested tokens, `{}` at leaves. */
export interface FieldsV1 {
  [token: string]: FieldsV1;
}

/** How a list is merged: by key fields, as a set of scalars, or atomically. */
export type ListKind = { keys: string[] } | 'set' | 'atomic';

/** Where a value sits, enough to decide how its lists merge. */
export interface ListContext {
  /** The custom resource rules (atomic lists) apply outside metadata. */
  custom: boolean;
}

const NAME_KEYED = new Set(['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'env', 'imagePullSecrets']);

/** Key defaults the apiserver fills in before keys are compared (ports without protocol are TCP). */
function keyValue(item: Record<string, unknown>, key: string): unknown {
  return item[key] ?? (key === 'protocol' ? 'TCP' : undefined);
}

/** The merge kind of the list at `path` holding `items`. */
export function listKind(path: FieldPath, items: unknown[], ctx: ListContext): ListKind {
  const field = (path[path.length - 1] ?? '').slice(2);
  const inMeta = path[0] === 'f:metadata' && path.length === 2;
  let keys: string[] | undefined;
  if (inMeta && field === 'finalizers') return items.every((i) => typeof i === 'string') ? 'set' : 'atomic';
  if (inMeta && field === 'ownerReferences') keys = ['uid'];
  else if (ctx.custom) return 'atomic';
  else if (NAME_KEYED.has(field)) keys = ['name'];
  else if (field === 'volumeMounts') keys = ['mountPath'];
  else if (field === 'conditions') keys = ['type'];
  else if (field === 'ports') keys = items.some((i) => isRecord(i) && 'containerPort' in i) ? ['containerPort', 'protocol'] : ['port', 'protocol'];
  if (keys === undefined) return 'atomic';
  const ks = keys;
  return items.every((i) => isRecord(i) && keyValue(i, ks[0] ?? '') !== undefined) ? { keys: ks } : 'atomic';
}

/** The `k:` token of a keyed item: its key fields as JSON in key order. */
export function itemToken(item: Record<string, unknown>, keys: string[]): string {
  const obj: Record<string, unknown> = {};
  for (const k of keys) obj[k] = keyValue(item, k);
  return `k:${JSON.stringify(obj)}`;
}

/** Label selectors are atomic maps (x-kubernetes-map-type: atomic): owned and replaced as a whole. */
export function isAtomicMap(path: FieldPath, value: unknown): boolean {
  return path[path.length - 1] === 'f:selector' && isRecord(value) && ('matchLabels' in value || 'matchExpressions' in value);
}

/** Every leaf path of a value: scalars, atomic lists, empty objects, and keyed items' `.`. */
export function leafPaths(value: unknown, ctx: ListContext, prefix: FieldPath = []): FieldPath[] {
  if (isRecord(value) && !isAtomicMap(prefix, value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return prefix.length === 0 ? [] : [prefix];
    return keys.flatMap((k) => leafPaths(value[k], ctx, [...prefix, `f:${k}`]));
  }
  if (Array.isArray(value) && value.length > 0) {
    const kind = listKind(prefix, value, ctx);
    if (kind === 'set') return value.map((v) => [...prefix, `v:${JSON.stringify(v)}`]);
    if (kind !== 'atomic') {
      return (value as Record<string, unknown>[]).flatMap((item) => {
        const at = [...prefix, itemToken(item, kind.keys)];
        return [[...at, '.'], ...leafPaths(item, ctx, at)];
      });
    }
  }
  return [prefix];
}

/** The list item a `k:` or `v:` token selects, with its index. */
function findItem(list: unknown[], token: string): number {
  if (token.startsWith('v:')) {
    const want = token.slice(2);
    return list.findIndex((v) => JSON.stringify(v) === want);
  }
  if (token.startsWith('i:')) return Number(token.slice(2));
  const key = JSON.parse(token.slice(2)) as Record<string, unknown>;
  return list.findIndex((i) => isRecord(i) && Object.entries(key).every(([k, v]) => keyValue(i, k) === v));
}

/** The value at a path, or undefined when absent; `.` answers the item itself. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let cur: unknown = root;
  for (const t of path) {
    if (t === '.') return cur;
    if (t.startsWith('f:')) cur = isRecord(cur) ? cur[t.slice(2)] : undefined;
    else if (Array.isArray(cur)) cur = cur[findItem(cur, t)];
    else cur = undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes what a path owns (a field, a keyed item, a set member) from `root`, in place. */
export function removePath(root: unknown, path: FieldPath): void {
  const last = path[path.length - 1];
  const parentPath = last === '.' ? path.slice(0, -2) : path.slice(0, -1);
  const token = last === '.' ? path[path.length - 2] : last;
  const parent = valueAt(root, parentPath);
  if (token === undefined) return;
  if (token.startsWith('f:') && isRecord(parent)) Reflect.deleteProperty(parent, token.slice(2));
  else if (Array.isArray(parent)) {
    const idx = findItem(parent, token);
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** A path as Kubernetes prints it in conflicts: `.spec.containers[name="c"].image`. */
export function pathString(path: FieldPath): string {
  return path.filter((t) => t !== '.').map((t) => {
    if (t.startsWith('f:')) return `.${t.slice(2)}`;
    if (t.startsWith('v:')) return `[=${t.slice(2)}]`;
    if (t.startsWith('i:')) return `[${t.slice(2)}]`;
    const key = JSON.parse(t.slice(2)) as Record<string, unknown>;
    return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
  }).join('');
}

/** The map key of a path, for set arithmetic. */
export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/** FieldsV1 from paths. */
export function toFieldsV1(paths: FieldPath[]): FieldsV1 {
  const root: FieldsV1 = {};
  for (const p of paths) {
    let node = root;
    for (const t of p) node = node[t] ??= {};
  }
  return root;
}

/** Paths from FieldsV1: every `{}` node is a leaf. */
export function fromFieldsV1(tree: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isRecord(tree)) return [];
  const keys = Object.keys(tree);
  if (keys.length === 0) return prefix.length === 0 ? [] : [prefix];
  return keys.flatMap((k) => fromFieldsV1(tree[k], [...prefix, k]));
}

/** Whether two values are the same JSON regardless of key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}
