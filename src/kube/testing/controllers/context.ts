// What a simulated controller gets from the fake server, and the small helpers they share.

import type { FakeCluster } from '../cluster.js';
import type { StoreEvent } from '../store.js';
import { WorkQueue } from './queue.js';
import { type KubeObject, type OwnerReference, isRecord } from '../types.js';

/** Timing knobs of the simulated controllers (real clusters are slow where these are large). */
export interface ControllerTiming {
  /** From pod creation to Running and Ready. */
  podStartDelayMs: number;
  /** From a Job pod running to Succeeded, unless the Job's `fake.tide.dev/duration-ms` annotation says otherwise. */
  jobDurationMs: number;
  /** Period of the HPA controller's sync loop (kube-controller-manager's --horizontal-pod-autoscaler-sync-period, 15s). */
  hpaSyncPeriodMs: number;
}

/** Handed to every controller factory. */
export interface ControllerContext {
  cluster: FakeCluster;
  timing: ControllerTiming;
  /** Reports a reconcile failure (retried automatically). */
  onError: (controller: string, key: string, err: unknown) => void;
}

/** A running controller. */
export interface Controller {
  name: string;
  stop(): void;
}

/**
 * Builds a controller on a fake cluster. This is also the hook for controllers defined elsewhere: the
 * HPA controller (driving src/scaling/hpa.ts) is passed in `startFakeApiServer({ controllers: [...] })`.
 */
export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** "namespace/name". */
export function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Splits "namespace/name". */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The controller owner reference pointing at `owner`. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The uid of the controlling owner, if any. */
export function controllerUid(o: KubeObject): string | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true)?.uid;
}

/** The controlling owner reference, if any. */
export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Whether a pod's Ready condition is True. */
export function podReady(pod: KubeObject): boolean {
  const conds = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  return conds.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

/** The pod phase. */
export function podPhase(pod: KubeObject): string {
  return isRecord(pod.status) && typeof pod.status.phase === 'string' ? pod.status.phase : 'Pending';
}

/** A number field of a record, 0 when absent. */
export function num(obj: unknown, key: string): number {
  return isRecord(obj) && typeof obj[key] === 'number' ? obj[key] : 0;
}

/** Sets a count, leaving it out when zero (the `omitempty` workload status fields). */
export function setCount(status: Record<string, unknown>, key: string, value: number, omitZero: boolean): void {
  if (value === 0 && omitZero) Reflect.deleteProperty(status, key);
  else status[key] = value;
}

/**
 * Wires a reconcile function to store events: `route` names the keys an event concerns, each key
 * reconciles once per burst of events, and reconcile may requeue itself for later.
 */
export function runController(ctx: ControllerContext, name: string, route: (e: StoreEvent) => string[], reconcile: (key: string, queue: WorkQueue) => void): Controller {
  const queue: WorkQueue = new WorkQueue((key) => { reconcile(key, queue); }, 20, (key, err) => { ctx.onError(name, key, err); });
  const unsubscribe = ctx.cluster.store.subscribe((e) => { for (const k of route(e)) queue.add(k); });
  return { name, stop() { unsubscribe(); queue.stop(); } };
}

/** Keys of the controlling owner of an event's object when it is of `kind`. */
export function ownerKeys(e: StoreEvent, kind: string): string[] {
  const ref = controllerOf(e.object);
  return ref?.kind === kind ? [`${e.object.metadata.namespace ?? ''}/${ref.name}`] : [];
}
