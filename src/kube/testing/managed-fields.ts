// metadata.managedFields bookkeeping and server-side apply: which manager owns which fields, how an
// Update moves ownership to its writer, how an Apply merges, removes what its manager stopped applying,
// and conflicts (409) when another manager owns a field with a different value and force is not set.

import { ApiError, type StatusCause } from './status.js';
import { kubeTime } from './store.js';
import {
  type FieldPath, type FieldsV1, type ListContext, fromFieldsV1, isAtomicMap, itemToken, leafPaths, listKind, pathKey, pathString,
  removePath, sameValue, toFieldsV1, valueAt,
} from './fieldset.js';
import { type KubeObject, type ResourceType, apiVersionOf, isRecord } from './types.js';

/** One metadata.managedFields[] entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

/** Who writes, through which endpoint, and when. */
export interface Writer {
  manager: string;
  /** '' for the main resource, else 'status' or 'scale'. */
  subresource: string;
  now: number;
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Map<string, FieldPath>;
}

const KEPT_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** The part of an object a write through `subresource` can own (identity and server fields excluded). */
function view(type: ResourceType, obj: KubeObject, subresource: string): Record<string, unknown> {
  if (subresource === 'status') return obj.status === undefined ? {} : { status: obj.status };
  if (subresource === 'scale') {
    const path = (type.subresources.scale?.specReplicasPath ?? '.spec.replicas').split('.').filter((s) => s !== '');
    const v = valueAt(obj, path.map((s) => `f:${s}`));
    return v === undefined ? {} : path.reduceRight<Record<string, unknown>>((acc, s) => ({ [s]: acc }), v as never);
  }
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  if (type.subresources.status) delete rest.status;
  const meta: Record<string, unknown> = {};
  for (const k of KEPT_METADATA) if (metadata[k] !== undefined) meta[k] = metadata[k];
  return Object.keys(meta).length > 0 ? { metadata: meta, ...rest } : rest;
}

/** The list rules of a type. */
function ctxOf(type: ResourceType): ListContext {
  return { custom: type.crd !== undefined };
}

/** Parses stored entries; malformed ones are dropped as the apiserver resets invalid managedFields. */
function owners(obj: KubeObject | undefined): Owner[] {
  const raw = obj?.metadata.managedFields ?? [];
  return raw.filter(isRecord).filter((e) => typeof e.manager === 'string' && (e.operation === 'Apply' || e.operation === 'Update')).map((e) => {
    const entry = structuredClone(e) as unknown as ManagedFieldsEntry;
    return { entry, paths: new Map(fromFieldsV1(entry.fieldsV1).map((p) => [pathKey(p), p])) };
  });
}

/** The entry of one manager/operation/subresource, created (empty) when missing. */
function ownerFor(list: Owner[], type: ResourceType, w: Writer, operation: 'Apply' | 'Update'): Owner {
  const found = list.find((o) => o.entry.manager === w.manager && o.entry.operation === operation && (o.entry.subresource ?? '') === w.subresource);
  if (found) return found;
  const entry: ManagedFieldsEntry = { manager: w.manager, operation, apiVersion: apiVersionOf(type), time: kubeTime(w.now), fieldsType: 'FieldsV1', fieldsV1: {} };
  if (w.subresource !== '') entry.subresource = w.subresource;
  const o: Owner = { entry, paths: new Map() };
  list.push(o);
  return o;
}

/** Serializes owners, dropping empty ones and stamping those whose set changed. */
function serialize(list: Owner[], before: Owner[], now: number, touched: Owner | undefined): ManagedFieldsEntry[] {
  return list.filter((o) => o.paths.size > 0).map((o) => {
    const fieldsV1 = toFieldsV1([...o.paths.values()]);
    const prev = before.find((b) => b.entry.manager === o.entry.manager && b.entry.operation === o.entry.operation && b.entry.subresource === o.entry.subresource);
    const changed = prev === undefined || !sameValue(prev.entry.fieldsV1, fieldsV1) || o === touched;
    return { ...o.entry, apiVersion: changed ? o.entry.apiVersion : prev.entry.apiVersion, time: changed ? kubeTime(now) : o.entry.time, fieldsV1 };
  });
}

/** Whether the path's value differs between two objects (`.` compares only presence). */
function differs(a: unknown, b: unknown, p: FieldPath): boolean {
  if (p[p.length - 1] === '.') return (valueAt(a, p) === undefined) !== (valueAt(b, p) === undefined);
  return !sameValue(valueAt(a, p), valueAt(b, p));
}

/** managedFields after a create, PUT or non-apply PATCH: changed fields move to the writer's Update entry. */
export function recordUpdate(type: ResourceType, old: KubeObject | undefined, next: KubeObject, w: Writer): ManagedFieldsEntry[] {
  const before = owners(old);
  const list = owners(old);
  const ctx = ctxOf(type);
  const oldView = old === undefined ? {} : view(type, old, w.subresource);
  const newView = view(type, next, w.subresource);
  const newPaths = leafPaths(newView, ctx);
  const newKeys = new Set(newPaths.map(pathKey));
  const changed = newPaths.filter((p) => differs(oldView, newView, p));
  const removed = leafPaths(oldView, ctx).filter((p) => !newKeys.has(pathKey(p)));
  for (const o of list) for (const p of [...changed, ...removed]) o.paths.delete(pathKey(p));
  let touched: Owner | undefined;
  if (changed.length > 0) {
    touched = ownerFor(list, type, w, 'Update');
    for (const p of changed) touched.paths.set(pathKey(p), p);
  }
  return serialize(list, before, w.now, touched);
}

/** Merges an applied configuration into the live value: maps by key, keyed lists by item key, the rest replaced. */
function mergeApplied(live: unknown, applied: unknown, ctx: ListContext, path: FieldPath): unknown {
  if (isRecord(applied) && !isAtomicMap(path, applied)) {
    const out: Record<string, unknown> = isRecord(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) Reflect.deleteProperty(out, k);
      else out[k] = mergeApplied(out[k], v, ctx, [...path, `f:${k}`]);
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && applied.length > 0) {
    const a: unknown[] = applied;
    const l: unknown[] = live;
    const kind = listKind(path, a, ctx);
    if (kind === 'set') return [...l, ...a.filter((v) => !l.some((x) => sameValue(x, v)))];
    if (kind !== 'atomic' && listKind(path, l, ctx) !== 'atomic') {
      const out: unknown[] = [...l];
      for (const item of applied as Record<string, unknown>[]) {
        const token = itemToken(item, kind.keys);
        const idx = out.findIndex((l) => isRecord(l) && itemToken(l, kind.keys) === token);
        if (idx >= 0) out[idx] = mergeApplied(out[idx], item, ctx, [...path, token]);
        else out.push(structuredClone(item));
      }
      return out;
    }
  }
  return structuredClone(applied);
}

/** How an owner is named in conflict messages. */
function describe(e: ManagedFieldsEntry): string {
  const sub = e.subresource !== undefined && e.subresource !== '' ? ` with subresource "${e.subresource}"` : '';
  const base = `"${e.manager}"${sub}`;
  return e.operation === 'Update' ? `${base} using ${e.apiVersion} at ${e.time}` : base;
}

/** The 409 the apiserver sends for apply conflicts, grouped by manager when there are several. */
function conflictError(found: { owner: ManagedFieldsEntry; path: FieldPath }[]): ApiError {
  const causes: StatusCause[] = found.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describe(c.owner)}`, field: pathString(c.path) }));
  let message: string;
  const first = found[0];
  if (found.length === 1 && first !== undefined) message = `Apply failed with 1 conflict: conflict with ${describe(first.owner)}: ${pathString(first.path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of found) byManager.set(describe(c.owner), [...(byManager.get(describe(c.owner)) ?? []), `- ${pathString(c.path)}`]);
    const parts = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...(byManager.get(m) ?? [])]);
    message = `Apply failed with ${found.length} conflicts: ${parts.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** Drops parents left empty by a removal unless someone owns them as a leaf. */
function pruneEmpty(root: unknown, path: FieldPath, owned: Set<string>): void {
  for (let n = path.length - 1; n > 0; n--) {
    const prefix = path.slice(0, n);
    const v = valueAt(root, prefix);
    const empty = (isRecord(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
    if (!empty || owned.has(pathKey(prefix)) || !(prefix[prefix.length - 1] ?? '').startsWith('f:')) return;
    removePath(root, prefix);
  }
}

/**
 * Server-side apply of `applied` by `w.manager` onto `live` (undefined: create). Returns the object to
 * store with its managedFields; throws the apiserver's 409 on conflicts unless `force`.
 */
export function serverSideApply(type: ResourceType, live: KubeObject | undefined, applied: KubeObject, w: Writer, force: boolean): KubeObject {
  const ctx = ctxOf(type);
  const before = owners(live);
  const list = owners(live);
  const mine = ownerFor(list, type, w, 'Apply');
  const liveView = live === undefined ? {} : view(type, live, w.subresource);
  const appliedPaths = leafPaths(view(type, applied, w.subresource), ctx);
  const found: { owner: Owner; path: FieldPath }[] = [];
  for (const p of appliedPaths) {
    if (p[p.length - 1] === '.') continue;
    for (const o of list) {
      if (o !== mine && o.paths.has(pathKey(p)) && valueAt(liveView, p) !== undefined && differs(liveView, applied, p)) found.push({ owner: o, path: p });
    }
  }
  if (found.length > 0 && !force) throw conflictError(found.map((f) => ({ owner: f.owner.entry, path: f.path })));
  for (const f of found) f.owner.paths.delete(pathKey(f.path));
  const appliedKeys = new Set(appliedPaths.map(pathKey));
  const ownedByOthers = new Set(list.filter((o) => o !== mine).flatMap((o) => [...o.paths.keys()]));
  const result: KubeObject = structuredClone(live ?? { metadata: {} });
  for (const [k, p] of mine.paths) {
    if (appliedKeys.has(k) || ownedByOthers.has(k)) continue;
    removePath(result, p);
    pruneEmpty(result, p, new Set([...appliedKeys, ...ownedByOthers]));
  }
  mine.paths = new Map(appliedPaths.map((p) => [pathKey(p), p]));
  const merged = mergeApplied(result, applied, ctx, []) as KubeObject;
  merged.metadata.managedFields = serialize(list, before, w.now, mine);
  return merged;
}

/** Keeps the stored managedFields when a write changed neither content nor ownership, so no-ops stay no-ops. */
export function settleManagedFields(live: KubeObject | undefined, next: KubeObject): void {
  if (live === undefined) return;
  const strip = (o: KubeObject): unknown => ({ ...o, metadata: { ...o.metadata, managedFields: undefined, resourceVersion: undefined } });
  const sets = (o: KubeObject): unknown => owners(o).map((x) => [x.entry.manager, x.entry.operation, x.entry.subresource, x.entry.fieldsV1]);
  if (sameValue(strip(live), strip(next)) && sameValue(sets(live), sets(next))) {
    if (live.metadata.managedFields === undefined) delete next.metadata.managedFields;
    else next.metadata.managedFields = live.metadata.managedFields;
  }
}
