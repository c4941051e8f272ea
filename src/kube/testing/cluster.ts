// The fake cluster behind the HTTP server: storage, served types, and CRD registration. Tests and the
// simulated controllers use it directly, addressing objects by apiVersion and kind like a client would.

import { randomUUID } from 'node:crypto';
import { assertValidCrd, crdResourceTypes, establishedStatus } from './crds.js';
import { createAdmit } from './defaults.js';
import { ResourceRegistry } from './registry.js';
import { ApiError, invalid } from './status.js';
import { type DeleteOptions, ObjectStore, type StoreEvent, kubeTime } from './store.js';
import { type KubeObject, type ResourceType, groupResource, splitApiVersion } from './types.js';

export interface ClusterOptions {
  /** Epoch milliseconds; defaults to Date.now. */
  clock?: () => number;
  /** Changes kept for watch resume (default 10,000). */
  historySize?: number;
  /** Random source for generated names and uids' stand-ins; defaults to Math.random. */
  random?: () => number;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const CRD_GR = 'customresourcedefinitions.apiextensions.k8s.io';

/** Storage, registry and typed helpers of one fake cluster. */
export class FakeCluster {
  readonly store: ObjectStore;
  readonly registry = new ResourceRegistry();
  readonly clock: () => number;

  constructor(opts: ClusterOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    const random = opts.random ?? Math.random;
    const nameSuffix = (): string => Array.from({ length: 5 }, () => SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)] ?? 'x').join('');
    this.store = new ObjectStore({ clock: this.clock, newUid: randomUUID, nameSuffix, historySize: opts.historySize ?? 10_000, admit: this.admitWithCrds(createAdmit()) });
    this.store.subscribe((e) => { this.onCrdEvent(e); });
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  /** The served type of an apiVersion + kind, or 404 like a RESTMapper miss. */
  type(apiVersion: string, kind: string): ResourceType {
    const { group, version } = splitApiVersion(apiVersion);
    const t = this.registry.byKind(group, kind, version);
    if (t === undefined || t.version !== version) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (kind ${kind} in ${apiVersion})`);
    return t;
  }

  /** One object, or undefined. */
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(this.type(apiVersion, kind), namespace, name);
  }

  /** Objects of a kind, in one namespace or all. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.store.list(this.type(apiVersion, kind), namespace);
  }

  /** Creates an object from its own apiVersion, kind and metadata.namespace. */
  create(obj: KubeObject): KubeObject {
    const t = this.type(obj.apiVersion ?? '', obj.kind ?? '');
    return this.store.create(t, obj.metadata.namespace ?? '', obj);
  }

  /** Replaces an object (its status only with `status`). */
  update(obj: KubeObject, opts: { status?: boolean } = {}): KubeObject {
    const t = this.type(obj.apiVersion ?? '', obj.kind ?? '');
    return this.store.update(t, obj.metadata.namespace ?? '', obj.metadata.name ?? '', obj, opts);
  }

  /** Deletes an object. */
  delete(apiVersion: string, kind: string, namespace: string, name: string, opts: DeleteOptions = {}): { deleted: boolean; object: KubeObject } {
    return this.store.delete(this.type(apiVersion, kind), namespace, name, opts);
  }

  /** CRDs are validated before storage; custom resources are checked against their CRD's scope. */
  private admitWithCrds(base: ReturnType<typeof createAdmit>): ReturnType<typeof createAdmit> {
    return (type, obj, old) => {
      base(type, obj, old);
      if (groupResource(type) === CRD_GR) assertValidCrd(obj);
      if (type.crd !== undefined && obj.metadata.name === undefined) throw invalid(type, '', [{ field: 'metadata.name', message: 'Required value' }]);
    };
  }

  /** Serves a CRD's versions as soon as it is stored, marks it Established, and drops its objects when it goes. */
  private onCrdEvent(e: StoreEvent): void {
    if (e.gr !== CRD_GR) return;
    const name = e.object.metadata.name ?? '';
    const crdType = this.type('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    // Events may be delivered after later writes; act on the stored state, not the event's copy.
    const current = this.store.get(crdType, '', name);
    if (current === undefined) {
      for (const t of this.registry.byGroupResource(name).slice(0, 1)) this.store.dropAll(t);
      this.registry.setCrdTypes(name, []);
      return;
    }
    this.registry.setCrdTypes(name, crdResourceTypes(current));
    const status = current.status as { conditions?: unknown } | undefined;
    if (status?.conditions === undefined) {
      current.status = establishedStatus(current, kubeTime(this.clock()));
      this.store.update(crdType, '', name, current, { status: true });
    }
  }
}
