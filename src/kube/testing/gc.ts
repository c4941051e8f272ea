// Owner-reference garbage collection, as kube-controller-manager's garbage collector behaves:
// a dependent whose owners are all gone is deleted (background); dangling references next to a live
// owner are removed; an owner deleted with `orphan` loses its references from dependents first, and
// one deleted with `foregroundDeletion` waits until its dependents are gone.

import type { FakeCluster } from './cluster.js';
import type { Controller, ControllerContext } from './controllers/context.js';
import { WorkQueue } from './controllers/queue.js';
import type { StoreEvent } from './store.js';
import { type KubeObject, type OwnerReference, type ResourceType, splitApiVersion } from './types.js';

/** Where an object lives: its group-resource, namespace and name. */
interface Ref {
  gr: string;
  namespace: string;
  name: string;
}

const encode = (r: Ref): string => JSON.stringify([r.gr, r.namespace, r.name]);
const decode = (k: string): Ref => {
  const [gr, namespace, name] = JSON.parse(k) as [string, string, string];
  return { gr, namespace, name };
};

/** The stored type of a group-resource (any served version shares storage). */
function typeOfGr(cluster: FakeCluster, gr: string): ResourceType | undefined {
  return cluster.registry.byGroupResource(gr)[0];
}

/** Whether an owner reference points at an object that still exists with that uid. */
function ownerState(cluster: FakeCluster, dependent: KubeObject, ref: OwnerReference): 'absent' | 'present' | 'unknown' | KubeObject {
  const { group } = splitApiVersion(ref.apiVersion);
  const t = cluster.registry.byKind(group, ref.kind);
  if (t === undefined) return 'unknown';
  const owner = cluster.store.get(t, t.namespaced ? dependent.metadata.namespace ?? '' : '', ref.name);
  if (owner === undefined || owner.metadata.uid !== ref.uid) return 'absent';
  return owner;
}

/** Starts the garbage collector on a cluster. */
export function garbageCollector(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  // owner uid → dependents; kept from the event stream so a deletion finds dependents without a scan.
  const dependents = new Map<string, Set<string>>();
  const index = (e: StoreEvent): void => {
    const key = encode({ gr: e.gr, namespace: e.object.metadata.namespace ?? '', name: e.object.metadata.name ?? '' });
    for (const r of e.previous?.metadata.ownerReferences ?? []) dependents.get(r.uid)?.delete(key);
    if (e.type === 'DELETED') return;
    for (const r of e.object.metadata.ownerReferences ?? []) {
      let set = dependents.get(r.uid);
      if (!set) dependents.set(r.uid, (set = new Set()));
      set.add(key);
    }
  };

  const attemptToDelete = (ref: Ref): void => {
    const t = typeOfGr(cluster, ref.gr);
    const obj = t && cluster.store.get(t, ref.namespace, ref.name);
    if (!t || !obj || obj.metadata.deletionTimestamp !== undefined) return;
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = refs.map((r) => ({ r, s: ownerState(cluster, obj, r) }));
    const waiting = (s: (typeof states)[number]): boolean => typeof s.s === 'object' && s.s.metadata.deletionTimestamp !== undefined && (s.s.metadata.finalizers ?? []).includes('foregroundDeletion') && s.r.blockOwnerDeletion === true;
    const dangling = states.filter((x) => x.s === 'absent');
    const solid = states.filter((x) => x.s === 'present' || x.s === 'unknown' || (typeof x.s === 'object' && !waiting(x)));
    if (solid.length > 0) {
      const drop = new Set([...dangling, ...states.filter(waiting)].map((x) => x.r.uid));
      if (drop.size > 0) cluster.store.update(t, ref.namespace, ref.name, { ...obj, metadata: { ...obj.metadata, ownerReferences: refs.filter((r) => !drop.has(r.uid)) } });
      return;
    }
    cluster.store.delete(t, ref.namespace, ref.name, { propagationPolicy: states.some(waiting) ? 'Foreground' : 'Background' });
  };

  const processOwner = (ref: Ref): void => {
    const t = typeOfGr(cluster, ref.gr);
    const owner = t && cluster.store.get(t, ref.namespace, ref.name);
    if (!t || !owner || owner.metadata.deletionTimestamp === undefined) return;
    const fins = owner.metadata.finalizers ?? [];
    const deps = [...(dependents.get(owner.metadata.uid ?? '') ?? [])].map(decode);
    if (fins.includes('orphan')) {
      for (const d of deps) {
        const dt = typeOfGr(cluster, d.gr);
        const dep = dt && cluster.store.get(dt, d.namespace, d.name);
        if (!dt || !dep) continue;
        cluster.store.update(dt, d.namespace, d.name, { ...dep, metadata: { ...dep.metadata, ownerReferences: (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid) } });
      }
      cluster.store.update(t, ref.namespace, ref.name, { ...owner, metadata: { ...owner.metadata, finalizers: fins.filter((f) => f !== 'orphan') } });
    } else if (fins.includes('foregroundDeletion')) {
      const remaining = deps.filter((d) => { const dt = typeOfGr(cluster, d.gr); return dt !== undefined && cluster.store.get(dt, d.namespace, d.name) !== undefined; });
      for (const d of remaining) queue.add(JSON.stringify(['dep', encode(d)]));
      if (remaining.length === 0) cluster.store.update(t, ref.namespace, ref.name, { ...owner, metadata: { ...owner.metadata, finalizers: fins.filter((f) => f !== 'foregroundDeletion') } });
    }
  };

  const queue = new WorkQueue((k) => {
    const [kind, ref] = JSON.parse(k) as ['dep' | 'owner', string];
    if (kind === 'dep') attemptToDelete(decode(ref));
    else processOwner(decode(ref));
  }, 20, (key, err) => { ctx.onError('garbage-collector', key, err); });

  const unsubscribe = cluster.store.subscribe((e) => {
    index(e);
    const self = encode({ gr: e.gr, namespace: e.object.metadata.namespace ?? '', name: e.object.metadata.name ?? '' });
    if (e.type !== 'DELETED' && (e.object.metadata.ownerReferences ?? []).length > 0) queue.add(JSON.stringify(['dep', self]));
    if (e.type !== 'DELETED' && e.object.metadata.deletionTimestamp !== undefined) queue.add(JSON.stringify(['owner', self]));
    // An owner's change (gone, or foreground-deleting) can decide its dependents' fate.
    for (const d of dependents.get(e.object.metadata.uid ?? '') ?? []) queue.add(JSON.stringify(['dep', d]));
    if (e.type === 'DELETED') {
      for (const r of e.object.metadata.ownerReferences ?? []) {
        // A dependent going away may release a foreground-deleting owner.
        const { group } = splitApiVersion(r.apiVersion);
        const ot = cluster.registry.byKind(group, r.kind);
        if (ot) queue.add(JSON.stringify(['owner', encode({ gr: ot.group === '' ? ot.resource : `${ot.resource}.${ot.group}`, namespace: ot.namespaced ? e.object.metadata.namespace ?? '' : '', name: r.name })]));
      }
    }
  });
  return { name: 'garbage-collector', stop() { unsubscribe(); queue.stop(); } };
}
