// HPA status the way kube-controller-manager writes it: conditions merged by type (transition time
// kept while the status stays), currentMetrics aligned with spec.metrics (a metric that could not be
// read is an empty `{type: ""}` entry), and the controller's events on the HPA.

import { randomBytes } from 'node:crypto';
import type { HpaCondition } from '../../../scaling/hpa.js';
import type { FakeCluster } from '../cluster.js';
import { kubeTime } from '../store.js';
import { type KubeObject, isRecord } from '../types.js';

/** A condition as stored: the controller's fields in its order. */
export interface StoredCondition {
  type: string;
  status: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** setCondition of the HPA controller: replace by type, keep lastTransitionTime while status is unchanged, append new types. */
export function mergeConditions(old: unknown, updates: readonly Pick<HpaCondition, 'type' | 'status' | 'reason' | 'message'>[], now: string): StoredCondition[] {
  const text = (v: unknown, dflt: string): string => (typeof v === 'string' ? v : dflt);
  const out: StoredCondition[] = Array.isArray(old) ? old.filter(isRecord).map((c) => ({
    type: text(c.type, ''), status: text(c.status, ''), lastTransitionTime: text(c.lastTransitionTime, now), reason: text(c.reason, ''), message: text(c.message, ''),
  })) : [];
  for (const u of updates) {
    const i = out.findIndex((c) => c.type === u.type);
    const prev = out[i];
    const next = { type: u.type, status: u.status, lastTransitionTime: prev !== undefined && prev.status === u.status ? prev.lastTransitionTime : now, reason: u.reason, message: u.message };
    if (prev === undefined) out.push(next);
    else out[i] = next;
  }
  return out;
}

/** The HPA status after one sync (setStatus: lastScaleTime only moves on a rescale; absent metrics are left out). */
export function hpaStatus(old: unknown, fields: { current: number; desired: number; metrics: unknown[] | undefined; conditions: StoredCondition[]; rescaled: boolean; now: number }): Record<string, unknown> {
  const prev = isRecord(old) ? old : {};
  const status: Record<string, unknown> = {};
  if (fields.rescaled) status.lastScaleTime = kubeTime(fields.now);
  else if (prev.lastScaleTime !== undefined) status.lastScaleTime = prev.lastScaleTime;
  if (fields.current !== 0) status.currentReplicas = fields.current;
  status.desiredReplicas = fields.desired;
  if (fields.metrics !== undefined && fields.metrics.length > 0) status.currentMetrics = fields.metrics;
  if (fields.conditions.length > 0) status.conditions = fields.conditions;
  return status;
}

/** client-go's EventSourceObjectSpamFilter: a burst of 25 events per object, then one per 5 minutes. */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

/**
 * Records events on HPAs as the controller's event recorder does: a repeat of the same reason and
 * message for an HPA bumps count and lastTimestamp instead of adding an event, and the spam filter
 * drops what exceeds its budget. Remembers the event names per HPA, so thousands of HPAs failing
 * every sync do not scan the Event list.
 */
export class HpaEvents {
  private readonly names = new Map<string, Map<string, string>>();
  private readonly budget = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly cluster: FakeCluster) {}

  record(hpa: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const { cluster } = this;
    const ns = hpa.metadata.namespace ?? '';
    const name = hpa.metadata.name ?? '';
    const now = kubeTime(cluster.clock());
    const key = `${ns}/${name}`;
    if (!this.allowed(key)) return;
    const seen = this.names.get(key) ?? new Map<string, string>();
    this.names.set(key, seen);
    const known = seen.get(`${reason}\n${message}`);
    const same = known === undefined ? undefined : cluster.get('v1', 'Event', ns, known);
    if (same !== undefined && isRecord(same.involvedObject) && same.involvedObject.uid === hpa.metadata.uid) {
      cluster.update({ ...same, count: (typeof same.count === 'number' ? same.count : 1) + 1, lastTimestamp: now });
      return;
    }
    const eventName = `${name}.${randomBytes(8).toString('hex')}`;
    seen.set(`${reason}\n${message}`, eventName);
    cluster.create({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: eventName, namespace: ns },
      involvedObject: { kind: 'HorizontalPodAutoscaler', namespace: ns, name, uid: hpa.metadata.uid ?? '', apiVersion: 'autoscaling/v2', resourceVersion: hpa.metadata.resourceVersion ?? '' },
      reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component: 'horizontal-pod-autoscaler' }, reportingComponent: 'horizontal-pod-autoscaler', reportingInstance: '',
    });
  }

  /** Takes a token of the object's spam-filter bucket, refilled at one per 5 minutes of the cluster clock. */
  private allowed(key: string): boolean {
    const now = this.cluster.clock();
    const b = this.budget.get(key) ?? { tokens: SPAM_BURST, at: now };
    const refill = Math.floor((now - b.at) / SPAM_REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(SPAM_BURST, b.tokens + refill);
      b.at += refill * SPAM_REFILL_MS;
    }
    this.budget.set(key, b);
    if (b.tokens === 0) return false;
    b.tokens -= 1;
    return true;
  }

  /** Drops what is remembered of a deleted HPA. */
  forget(key: string): void {
    this.names.delete(key);
    this.budget.delete(key);
  }
}
