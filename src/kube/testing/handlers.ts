// The verbs on one resource type: get, list, create, update, patch, delete, deletecollection, and the
// status and scale subresources. Watch is streamed separately (watch.ts).

import { parse as parseYaml } from 'yaml';
import type { FakeCluster } from './cluster.js';
import { type FieldValidation, fieldValidationOf, validateFields } from './field-validation.js';
import { type Writer, recordUpdate, serverSideApply, settleManagedFields } from './managed-fields.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import type { ResourcePath } from './router.js';
import { applyScale, getPath, setPath, toScale } from './scale.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, badRequest, invalid, methodNotAllowed, notFound, successStatus } from './status.js';
import type { DeleteOptions } from './store.js';
import { includeObjectOf, toTable, wantsTable } from './table.js';
import { type KubeObject, type ResourceType, apiVersionOf, isRecord } from './types.js';

/** What a handler answers: a status code, a JSON body, and any `Warning` header texts. */
export interface Reply {
  status: number;
  body: unknown;
  warnings?: string[];
}

/** A reply carrying warnings only when there are some. */
function reply(status: number, body: unknown, warnings: string[]): Reply {
  return warnings.length > 0 ? { status, body, warnings } : { status, body };
}

/** The apiserver resets status on create for types whose status has its own endpoint. */
function dropStatusOnCreate(type: ResourceType, obj: KubeObject): void {
  if (type.subresources.status) delete obj.status;
}

/** A decoded request against one resource type. */
export interface ResourceRequest {
  method: string;
  path: ResourcePath;
  query: URLSearchParams;
  /** Raw body text ('' when none). */
  body: string;
  contentType: string;
  /** User-Agent header: names the field manager of writes that do not set fieldManager. */
  userAgent?: string;
  /** Accept header: a meta.k8s.io Table is served when it asks for one. */
  accept?: string;
}

/** An object as served at the requested version: apiVersion and kind first. */
export function present(type: ResourceType, obj: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...rest };
}

/** Decodes a JSON body into an object with metadata. */
function decodeObject(text: string): KubeObject {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw badRequest(`the server could not decode the request body: ${String(err)}`);
  }
  if (!isRecord(v)) throw badRequest('the body of the request was in an unknown format');
  if (!isRecord(v.metadata)) v.metadata = {};
  return v as KubeObject;
}

/** dryRun=All skips persistence; anything else is rejected as the apiserver does. */
function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${v}: supported values: "All"`);
  return values.length > 0;
}

/** Rejects a body whose kind or namespace disagrees with the URL. */
function checkBody(type: ResourceType, path: ResourcePath, obj: KubeObject): void {
  if (obj.kind !== undefined && obj.kind !== type.kind && !(path.subresource === 'scale' && obj.kind === 'Scale')) {
    throw badRequest(`the API version in the data (${obj.apiVersion ?? ''}) does not match the expected API version (${apiVersionOf(type)})`);
  }
  const ns = obj.metadata.namespace;
  if (type.namespaced && ns !== undefined && ns !== '' && ns !== path.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (path.name !== undefined && obj.metadata.name !== undefined && obj.metadata.name !== '' && obj.metadata.name !== path.name) {
    throw badRequest('the name of the object does not match the name on the URL');
  }
}

/** A list with selectors and limit/continue paging (continue tokens hold the last key served). */
function list(cluster: FakeCluster, type: ResourceType, req: ResourceRequest): Reply {
  const labels = parseLabelSelector(req.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(req.query.get('fieldSelector') ?? '', type.fieldLabels);
  let items = cluster.store.list(type, req.path.namespace).filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
  const token = req.query.get('continue');
  let rv = String(cluster.store.currentRv());
  if (token !== null && token !== '') {
    const decoded = decodeContinue(token);
    rv = decoded.rv;
    items = items.filter((o) => objectKey(o) > decoded.after);
  }
  const limit = Number(req.query.get('limit') ?? '0');
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1];
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
    if (last !== undefined) metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: objectKey(last) })).toString('base64');
  }
  // Typed built-in lists omit apiVersion/kind on items; unstructured custom resources keep them.
  const shown = items.map((o) => (type.crd === undefined ? stripTypeMeta(o) : present(type, o)));
  return { status: 200, body: { apiVersion: apiVersionOf(type), kind: type.listKind, metadata, items: shown } };
}

/** Removes apiVersion and kind. */
function stripTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/** The sort key of an object in a list. */
function objectKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Reads a continue token or fails with 400. */
function decodeContinue(token: string): { rv: string; after: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isRecord(v) && typeof v.rv === 'string' && typeof v.start === 'string') return { rv: v.rv, after: v.start };
  } catch {
    // fall through to the apiserver's message
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The stored parent or 404. */
function mustGet(cluster: FakeCluster, type: ResourceType, path: ResourcePath): KubeObject {
  const obj = cluster.store.get(type, path.namespace, path.name ?? '');
  if (obj === undefined) throw notFound(type, path.name ?? '');
  return obj;
}

/** Applies a PATCH body of the given content type. */
function patched(current: KubeObject, req: ResourceRequest): KubeObject {
  const ct = req.contentType.split(';')[0]?.trim() ?? '';
  let body: unknown;
  try {
    body = ct === 'application/apply-patch+yaml' ? parseYaml(req.body) : JSON.parse(req.body);
  } catch (err) {
    throw badRequest(`the server could not decode the patch: ${String(err)}`);
  }
  let out: unknown;
  if (ct === 'application/merge-patch+json') out = mergePatch(current, body);
  else if (ct === 'application/json-patch+json') out = jsonPatch(current, body);
  else if (ct === 'application/strategic-merge-patch+json') out = strategicMergePatch(current, body);
  else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  if (!isRecord(out)) throw badRequest('the patch produced an object that is not a JSON object');
  if (!isRecord(out.metadata)) out.metadata = {};
  return out as KubeObject;
}

const APPLY_TYPES = new Set(['application/apply-patch+yaml', 'application/apply-patch+json', 'application/apply-patch+cbor']);

/** The media type of the body, without parameters. */
function mediaType(req: ResourceRequest): string {
  return req.contentType.split(';')[0]?.trim() ?? '';
}

/** The field manager of a write: fieldManager, else the User-Agent's program name, as the apiserver defaults it. */
function writer(cluster: FakeCluster, req: ResourceRequest, required: boolean): Writer {
  const given = req.query.get('fieldManager');
  if (given !== null && given.length > 128) {
    throw new ApiError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes`);
  }
  if ((given === null || given === '') && required) {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' }]);
  }
  const fromAgent = (req.userAgent ?? '').split('/')[0] ?? '';
  return { manager: given ?? (fromAgent === '' ? 'unknown' : fromAgent), subresource: req.path.subresource ?? '', now: cluster.clock() };
}

/** The force parameter: only apply patches may set it. */
function forceOf(req: ResourceRequest, apply: boolean): boolean {
  const v = req.query.get('force');
  if (v === null) return false;
  if (!apply) throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ field: 'force', reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch' }]);
  return v === 'true' || v === '1';
}

/** Server-side apply: merge by field ownership, creating the object when it is missing (main resource only). */
function applyWrite(cluster: FakeCluster, type: ResourceType, req: ResourceRequest, dryRun: boolean, mode: FieldValidation): Reply {
  const { path } = req;
  const w = writer(cluster, req, true);
  const force = forceOf(req, true);
  const applied = decodeApplied(req);
  checkBody(type, path, applied);
  const warnings = path.subresource === undefined ? validateFields(type, applied, mode, true) : [];
  const live = cluster.store.get(type, path.namespace, path.name ?? '');
  if (live === undefined) {
    if (path.subresource !== undefined) throw notFound(type, path.name ?? '');
    dropStatusOnCreate(type, applied);
    const fresh = serverSideApply(type, undefined, applied, w, force);
    fresh.metadata.name = path.name ?? '';
    return reply(201, present(type, cluster.store.create(type, path.namespace, fresh, dryRun)), warnings);
  }
  const next = serverSideApply(type, live, applied, w, force);
  settleManagedFields(live, next);
  // A resourceVersion in the applied configuration is a precondition, as on the apiserver.
  next.metadata.resourceVersion = applied.metadata.resourceVersion ?? live.metadata.resourceVersion ?? '';
  const stored = cluster.store.update(type, path.namespace, path.name ?? '', next, { status: path.subresource === 'status', dryRun, managedFields: next.metadata.managedFields ?? [] });
  return reply(200, present(type, stored), warnings);
}

/** Decodes an apply body (YAML or JSON), which must name its apiVersion and kind. */
function decodeApplied(req: ResourceRequest): KubeObject {
  let body: unknown;
  try {
    body = parseYaml(req.body);
  } catch (err) {
    throw badRequest(`error decoding YAML: ${String(err)}`);
  }
  if (!isRecord(body)) throw badRequest('the body of the request was in an unknown format');
  if (typeof body.apiVersion !== 'string' || typeof body.kind !== 'string' || body.apiVersion === '' || body.kind === '') {
    throw badRequest(`invalid object type: ${JSON.stringify(body.apiVersion ?? '')}, Kind=${JSON.stringify(body.kind ?? '')}`);
  }
  if (!isRecord(body.metadata)) body.metadata = {};
  return body as KubeObject;
}

/**
 * Server-side apply of a Scale: the applied spec.replicas becomes an apply of the parent's replicas
 * field by the same manager through the scale subresource, so ownership and conflicts are the parent's.
 */
function applyScaleWrite(cluster: FakeCluster, type: ResourceType, scale: NonNullable<ResourceType['subresources']['scale']>, req: ResourceRequest, dryRun: boolean): Reply {
  const { path } = req;
  const w = writer(cluster, req, true);
  const force = forceOf(req, true);
  const applied = decodeApplied(req);
  checkBody(type, path, applied);
  const parent = mustGet(cluster, type, path);
  // Validates spec.replicas with the same 422 as a PUT of the Scale.
  const replicas = getPath(applyScale(scale, parent, { metadata: {}, spec: isRecord(applied.spec) ? applied.spec : {} }), scale.specReplicasPath);
  const appliedParent: KubeObject = { apiVersion: parent.apiVersion ?? apiVersionOf(type), kind: type.kind, metadata: { name: path.name ?? '' } };
  setPath(appliedParent, scale.specReplicasPath, replicas);
  const next = serverSideApply(type, parent, appliedParent, w, force);
  settleManagedFields(parent, next);
  next.metadata.resourceVersion = applied.metadata.resourceVersion ?? parent.metadata.resourceVersion ?? '';
  const stored = cluster.store.update(type, path.namespace, path.name ?? '', next, { dryRun, managedFields: next.metadata.managedFields ?? [] });
  return { status: 200, body: toScale(type, scale, stored) };
}

/** PUT, PATCH or apply of the /scale subresource. */
function scaleWrite(cluster: FakeCluster, type: ResourceType, req: ResourceRequest, how: 'put' | 'patch' | 'apply', dryRun: boolean): Reply {
  const { path } = req;
  const name = path.name ?? '';
  const scale = type.subresources.scale;
  if (scale === undefined) throw notFound(type, name);
  if (how === 'apply') return applyScaleWrite(cluster, type, scale, req, dryRun);
  const w = writer(cluster, req, false);
  forceOf(req, false);
  const parent = mustGet(cluster, type, path);
  const input = how === 'patch' ? patched(toScale(type, scale, parent), req) : decodeObject(req.body);
  checkBody(type, path, input);
  const next = applyScale(scale, parent, input);
  const stored = cluster.store.update(type, path.namespace, name, next, { dryRun, managedFields: recordUpdate(type, parent, next, w) });
  return { status: 200, body: toScale(type, scale, stored) };
}

/** PUT or PATCH of the object, its status or its scale. */
function write(cluster: FakeCluster, type: ResourceType, req: ResourceRequest, isPatch: boolean): Reply {
  const { path } = req;
  const dryRun = isDryRun(req.query);
  const name = path.name ?? '';
  const isApply = isPatch && APPLY_TYPES.has(mediaType(req));
  if (path.subresource !== undefined && path.subresource !== 'scale' && !(path.subresource === 'status' && type.subresources.status)) throw notFound(type, name);
  if (path.subresource === 'scale') return scaleWrite(cluster, type, req, isPatch ? (isApply ? 'apply' : 'patch') : 'put', dryRun);
  const mode = fieldValidationOf(req.query, isPatch ? 'PatchOptions' : 'UpdateOptions');
  if (isApply) return applyWrite(cluster, type, req, dryRun, mode);
  const w = writer(cluster, req, false);
  forceOf(req, false);
  const status = path.subresource === 'status';
  const existing = mustGet(cluster, type, path);
  const input = isPatch ? patched(existing, req) : decodeObject(req.body);
  checkBody(type, path, input);
  const warnings = validateFields(type, input, mode, false);
  const stored = cluster.store.update(type, path.namespace, name, input, { status, dryRun, managedFields: recordUpdate(type, existing, input, w) });
  return reply(200, present(type, stored), warnings);
}

/** DeleteOptions from the body and query. */
function deleteOptions(req: ResourceRequest): DeleteOptions {
  const opts: DeleteOptions = {};
  const body: unknown = req.body.trim() === '' ? {} : JSON.parse(req.body);
  const fromBody = isRecord(body) ? body.propagationPolicy : undefined;
  const policy = typeof fromBody === 'string' ? fromBody : req.query.get('propagationPolicy');
  if (policy === 'Background' || policy === 'Foreground' || policy === 'Orphan') opts.propagationPolicy = policy;
  else if (policy !== null) throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}"`);
  if (isRecord(body) && body.orphanDependents === true) opts.propagationPolicy = 'Orphan';
  if (isRecord(body) && isRecord(body.preconditions)) {
    const p = body.preconditions;
    opts.preconditions = {};
    if (typeof p.uid === 'string') opts.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string') opts.preconditions.resourceVersion = p.resourceVersion;
  }
  if (isDryRun(req.query) || (isRecord(body) && Array.isArray(body.dryRun) && body.dryRun.includes('All'))) opts.dryRun = true;
  return opts;
}

/** DELETE of one object. */
function remove(cluster: FakeCluster, type: ResourceType, req: ResourceRequest): Reply {
  const name = req.path.name ?? '';
  const { deleted, object } = cluster.store.delete(type, req.path.namespace, name, deleteOptions(req));
  if (!deleted || type.returnDeletedObject) return { status: 200, body: present(type, object) };
  return { status: 200, body: successStatus({ name, group: type.group, kind: type.resource, uid: object.metadata.uid ?? '' }) };
}

/** DELETE of a collection: every selected object, answered with the list of what was deleted. */
function removeCollection(cluster: FakeCluster, type: ResourceType, req: ResourceRequest): Reply {
  const labels = parseLabelSelector(req.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(req.query.get('fieldSelector') ?? '', type.fieldLabels);
  const opts = deleteOptions(req);
  const items = cluster.store.list(type, req.path.namespace).filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
  const out = items.map((o) => present(type, cluster.store.delete(type, o.metadata.namespace ?? '', o.metadata.name ?? '', opts).object));
  return { status: 200, body: { apiVersion: apiVersionOf(type), kind: type.listKind, metadata: { resourceVersion: String(cluster.store.currentRv()) }, items: out } };
}

/** Dispatches a non-watch request to its verb. */
export function handleResource(cluster: FakeCluster, type: ResourceType, req: ResourceRequest): Reply {
  const { path, method } = req;
  const hasName = path.name !== undefined;
  if (path.subresource !== undefined && method !== 'GET' && method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed(method);
  switch (method) {
    case 'GET': {
      const table = path.subresource === undefined ? wantsTable(req.accept) : undefined;
      const tableOpts = table === undefined ? undefined : { version: table, include: includeObjectOf(req.query), now: cluster.clock() };
      if (!hasName) {
        const reply = list(cluster, type, req);
        if (tableOpts === undefined) return reply;
        const body = reply.body as { metadata: Record<string, unknown>; items: KubeObject[] };
        return { status: 200, body: toTable(type, body.items.map((o) => present(type, o)), body.metadata, tableOpts) };
      }
      const obj = mustGet(cluster, type, path);
      if (tableOpts !== undefined) return { status: 200, body: toTable(type, [present(type, obj)], { resourceVersion: obj.metadata.resourceVersion ?? '' }, tableOpts) };
      if (path.subresource === 'scale' && type.subresources.scale) return { status: 200, body: toScale(type, type.subresources.scale, obj) };
      if (path.subresource !== undefined && !(path.subresource === 'status' && type.subresources.status)) throw notFound(type, path.name ?? '');
      return { status: 200, body: present(type, obj) };
    }
    case 'POST': {
      if (hasName) throw methodNotAllowed(method);
      const obj = decodeObject(req.body);
      checkBody(type, path, obj);
      const warnings = validateFields(type, obj, fieldValidationOf(req.query, 'CreateOptions'), false);
      dropStatusOnCreate(type, obj);
      const managed = recordUpdate(type, undefined, obj, writer(cluster, req, false));
      if (managed.length > 0) obj.metadata.managedFields = managed;
      else delete obj.metadata.managedFields;
      return reply(201, present(type, cluster.store.create(type, path.namespace, obj, isDryRun(req.query))), warnings);
    }
    case 'PUT':
      if (!hasName) throw methodNotAllowed(method);
      return write(cluster, type, req, false);
    case 'PATCH':
      if (!hasName) throw methodNotAllowed(method);
      return write(cluster, type, req, true);
    case 'DELETE':
      return hasName ? remove(cluster, type, req) : removeCollection(cluster, type, req);
    default:
      throw methodNotAllowed(method);
  }
}
