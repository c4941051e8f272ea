// The fake cluster's etcd: objects per group-resource, one global resourceVersion counter, a bounded
// history of changes for watch resume, and the write rules a real apiserver applies on every write
// (optimistic concurrency, generation, finalizers and deletionTimestamp, no-op updates).

import { stableStringify } from './patch.js';
import { ApiError, MODIFIED_MESSAGE, alreadyExists, conflict, forbidden, invalid, notFound } from './status.js';
import { type KubeObject, type ResourceType, groupResource, isRecord } from './types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change; `previous` is the state before a MODIFIED or DELETED. */
export interface StoreEvent {
  rv: number;
  type: EventType;
  gr: string;
  object: KubeObject;
  previous?: KubeObject;
}

/** Defaulting and validation run on every create and update (the admission chain of the fake). */
export type Admit = (type: ResourceType, obj: KubeObject, old: KubeObject | undefined) => void;

export interface StoreOptions {
  /** Epoch milliseconds. */
  clock: () => number;
  newUid: () => string;
  /** Five characters for generateName. */
  nameSuffix: () => string;
  /** How many changes are kept for watch resume; older resourceVersions get 410 Expired. */
  historySize: number;
  admit?: Admit;
  /** A controller or watch listener threw; defaults to a process warning. */
  onListenerError?: (err: unknown) => void;
}

export interface UpdateOptions {
  /** Only status is taken from the input. */
  status?: boolean;
  dryRun?: boolean;
  /** metadata.managedFields to store, computed by the HTTP layer for this write. */
  managedFields?: unknown[];
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What generation tracks: everything but metadata, and status when it has its own endpoint. */
function specPart(type: ResourceType, obj: KubeObject): string {
  const copy: Record<string, unknown> = { ...obj };
  delete copy.metadata;
  delete copy.apiVersion;
  delete copy.kind;
  if (type.subresources.status) delete copy.status;
  return stableStringify(copy);
}

/** The object without its resourceVersion, for no-op detection. */
function withoutRv(obj: KubeObject): string {
  return stableStringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
}

/** In-memory object storage with watchable history. */
export class ObjectStore {
  private rv = 1;
  private compactedRv = 0;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly pending: StoreEvent[] = [];
  private emitting = false;

  constructor(private readonly opts: StoreOptions) {}

  /** The newest resourceVersion (what a list reports). */
  currentRv(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may resume from. */
  oldestRv(): number {
    return this.compactedRv;
  }

  /** Events after `rv`, or undefined when they left the kept history. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  /** Registers a listener for every committed change; returns the unsubscribe function. */
  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A copy of one object. */
  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const o = this.bucket(type).get(this.key(type, namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Copies of the objects of a type, in one namespace or all, in etcd key order. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const b = this.bucket(type);
    const keys = [...b.keys()].sort();
    const prefix = type.namespaced && namespace !== undefined && namespace !== '' ? `${namespace}/` : '';
    return keys.filter((k) => k.startsWith(prefix)).map((k) => structuredClone(b.get(k) as KubeObject));
  }

  /** Creates an object; the namespace comes from the request path. */
  create(type: ResourceType, namespace: string, input: KubeObject, dryRun = false): KubeObject {
    const obj = structuredClone(input);
    const meta = obj.metadata;
    if ((meta.name === undefined || meta.name === '') && meta.generateName) meta.name = `${meta.generateName}${this.opts.nameSuffix()}`;
    const name = meta.name ?? '';
    this.checkName(type, name);
    if (type.namespaced) {
      this.checkNamespaceOpen(type, namespace, name);
      meta.namespace = namespace;
    } else delete meta.namespace;
    if (this.bucket(type).has(this.key(type, namespace, name))) throw alreadyExists(type, name);
    obj.apiVersion ??= type.group === '' ? type.version : `${type.group}/${type.version}`;
    obj.kind ??= type.kind;
    meta.uid = this.opts.newUid();
    meta.creationTimestamp = kubeTime(this.opts.clock());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    if (type.generation) meta.generation = 1;
    else delete meta.generation;
    this.opts.admit?.(type, obj, undefined);
    if (dryRun) return obj;
    return this.commit(type, 'ADDED', obj, undefined);
  }

  /**
   * Replaces an object (PUT). With `status`, only status is taken from the input; otherwise status is
   * kept from storage when the type has a status subresource.
   */
  update(type: ResourceType, namespace: string, name: string, input: KubeObject, opts: UpdateOptions = {}): KubeObject {
    const existing = this.bucket(type).get(this.key(type, namespace, name));
    if (existing === undefined) throw notFound(type, name);
    this.checkPreconditions(type, name, existing, input);
    const next = this.merged(type, existing, input, opts.status === true);
    if (opts.managedFields !== undefined) next.metadata.managedFields = opts.managedFields;
    if (next.metadata.managedFields?.length === 0) delete next.metadata.managedFields;
    this.checkFinalizers(type, name, existing, next);
    this.opts.admit?.(type, next, existing);
    if (type.generation && specPart(type, next) !== specPart(type, existing)) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    if (withoutRv(next) === withoutRv(existing)) return structuredClone(existing);
    if (opts.dryRun === true) return next;
    if (next.metadata.deletionTimestamp !== undefined && this.finalizersOf(type, next).length === 0) return this.remove(type, next, existing);
    return this.commit(type, 'MODIFIED', next, existing);
  }

  /** Deletes at once, or marks for deletion while finalizers remain. */
  delete(type: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): { deleted: boolean; object: KubeObject } {
    const existing = this.bucket(type).get(this.key(type, namespace, name));
    if (existing === undefined) throw notFound(type, name);
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== existing.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`);
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`);
    }
    const next = structuredClone(existing);
    const policy = opts.propagationPolicy ?? type.defaultPropagation;
    const gcFinalizer = policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;
    if (gcFinalizer !== undefined && !(next.metadata.finalizers ?? []).includes(gcFinalizer)) next.metadata.finalizers = [...(next.metadata.finalizers ?? []), gcFinalizer];
    if (this.finalizersOf(type, next).length === 0) {
      if (opts.dryRun === true) return { deleted: true, object: next };
      return { deleted: true, object: this.remove(type, next, existing) };
    }
    if (next.metadata.deletionTimestamp === undefined) {
      next.metadata.deletionTimestamp = kubeTime(this.opts.clock());
      next.metadata.deletionGracePeriodSeconds = 0;
      // The apiserver bumps generation when it starts a graceful deletion, so controllers notice.
      if (type.generation) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
      if (groupResource(type) === 'namespaces') next.status = { ...(isRecord(next.status) ? next.status : {}), phase: 'Terminating' };
    }
    if (withoutRv(next) === withoutRv(existing) || opts.dryRun === true) return { deleted: false, object: next };
    return { deleted: false, object: this.commit(type, 'MODIFIED', next, existing) };
  }

  /** Finalizers that hold deletion back; namespaces also wait for spec.finalizers. */
  private finalizersOf(type: ResourceType, obj: KubeObject): string[] {
    const meta = obj.metadata.finalizers ?? [];
    if (groupResource(type) !== 'namespaces' || !isRecord(obj.spec) || !Array.isArray(obj.spec.finalizers)) return meta;
    return [...meta, ...obj.spec.finalizers.map(String)];
  }

  /** resourceVersion and uid preconditions of an update. */
  private checkPreconditions(type: ResourceType, name: string, existing: KubeObject, input: KubeObject): void {
    const rv = input.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!type.allowUnconditionalUpdate) {
        throw invalid(type, name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
      }
    } else if (rv !== existing.metadata.resourceVersion) throw conflict(type, name, MODIFIED_MESSAGE);
    const uid = input.metadata.uid;
    if (uid !== undefined && uid !== '' && uid !== existing.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid ?? ''}`);
    }
  }

  /** The object an update would store, before defaulting and generation. */
  private merged(type: ResourceType, existing: KubeObject, input: KubeObject, statusOnly: boolean): KubeObject {
    let next: KubeObject;
    if (statusOnly) {
      next = structuredClone(existing);
      if (input.status === undefined) delete next.status;
      else next.status = structuredClone(input.status);
    } else {
      next = structuredClone(input);
      if (type.subresources.status) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
    }
    const keep = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace'] as const;
    const meta: Record<string, unknown> = next.metadata;
    for (const k of keep) {
      const v = existing.metadata[k];
      if (v === undefined) Reflect.deleteProperty(meta, k);
      else meta[k] = v;
    }
    if (existing.apiVersion !== undefined) next.apiVersion = existing.apiVersion;
    if (existing.kind !== undefined) next.kind = existing.kind;
    return next;
  }

  /** No finalizer may be added once deletion started. */
  private checkFinalizers(type: ResourceType, name: string, existing: KubeObject, next: KubeObject): void {
    if (existing.metadata.deletionTimestamp === undefined) return;
    const before = existing.metadata.finalizers ?? [];
    const added = (next.metadata.finalizers ?? []).filter((f) => !before.includes(f));
    if (added.length > 0) {
      throw invalid(type, name, [{ field: 'metadata.finalizers', reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(', ')}}` }]);
    }
  }

  /** Name rules: required, DNS subdomain (DNS label for namespaces). */
  private checkName(type: ResourceType, name: string): void {
    if (name === '') throw invalid(type, name, [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
    const label = groupResource(type) === 'namespaces';
    if (name.length > (label ? 63 : 253) || !(label ? DNS_LABEL : DNS_SUBDOMAIN).test(name)) {
      throw invalid(type, name, [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": a lowercase RFC 1123 ${label ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
    }
  }

  /** The NamespaceLifecycle admission rules: the namespace exists and is not terminating. */
  private checkNamespaceOpen(type: ResourceType, namespace: string, name: string): void {
    const ns = this.data.get('namespaces')?.get(namespace);
    if (ns === undefined) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    if (ns.metadata.deletionTimestamp !== undefined) {
      const kindGroup = type.group === '' ? type.resource : `${type.resource}.${type.group}`;
      throw forbidden(`${kindGroup} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { name, group: type.group, kind: type.resource });
    }
  }

  /** Removes an object; the DELETED event carries a fresh resourceVersion like etcd's delete revision. */
  private remove(type: ResourceType, last: KubeObject, existing: KubeObject): KubeObject {
    const key = this.key(type, last.metadata.namespace ?? '', last.metadata.name ?? '');
    this.bucket(type).delete(key);
    return this.record(type, 'DELETED', last, existing);
  }

  /** Stores an object under a new resourceVersion and announces it. */
  private commit(type: ResourceType, kind: 'ADDED' | 'MODIFIED', obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    // Stored before listeners hear of it, so a listener reading the store sees this write.
    this.bucket(type).set(this.key(type, obj.metadata.namespace ?? '', obj.metadata.name ?? ''), obj);
    return structuredClone(this.record(type, kind, obj, previous));
  }

  /** Assigns the next resourceVersion, appends to history and notifies listeners. */
  private record(type: ResourceType, kind: EventType, obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const event: StoreEvent = { rv: this.rv, type: kind, gr: groupResource(type), object: obj };
    if (previous !== undefined) event.previous = previous;
    this.history.push(event);
    while (this.history.length > this.opts.historySize) this.compactedRv = this.history.shift()?.rv ?? this.compactedRv;
    this.emit(event);
    return obj;
  }

  /**
   * Delivers events in resourceVersion order even when a listener writes (a controller reacting
   * synchronously): nested writes queue behind the event being delivered.
   */
  private emit(event: StoreEvent): void {
    this.pending.push(event);
    if (this.emitting) return;
    this.emitting = true;
    try {
      for (let e = this.pending.shift(); e !== undefined; e = this.pending.shift()) {
        for (const l of this.listeners) {
          try {
            l(e);
          } catch (err) {
            (this.opts.onListenerError ?? ((x: unknown) => { process.emitWarning(`fake apiserver listener failed: ${String(x)}`); }))(err);
          }
        }
      }
    } finally {
      this.emitting = false;
    }
  }

  /** The map of one group-resource (all served versions share it). */
  private bucket(type: ResourceType): Map<string, KubeObject> {
    const gr = groupResource(type);
    let b = this.data.get(gr);
    if (!b) this.data.set(gr, (b = new Map<string, KubeObject>()));
    return b;
  }

  /** Removes all objects of a group-resource (a deleted CRD takes its objects along). */
  dropAll(type: ResourceType): void {
    for (const o of this.list(type)) {
      const existing = this.bucket(type).get(this.key(type, o.metadata.namespace ?? '', o.metadata.name ?? ''));
      if (existing) this.remove(type, structuredClone(existing), existing);
    }
  }

  private key(type: ResourceType, namespace: string, name: string): string {
    return type.namespaced ? `${namespace}/${name}` : name;
  }
}
