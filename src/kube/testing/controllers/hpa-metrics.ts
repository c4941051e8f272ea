// The metrics side of one HPA sync: every entry of spec.metrics becomes an observation for
// src/scaling/hpa.ts. External metrics are read from the external metrics API; the fake runs no
// metrics-server and no custom metrics adapter, so Resource, ContainerResource, Pods and Object
// metrics fail the way they fail on a cluster without those APIs.

import { formatQuantity, parseQuantity } from '../../../api/quantity.js';
import { type ExternalMetricObservation, type ExternalMetricTargetType, externalMetricCurrentMilli } from '../../../scaling/hpa.js';
import type { FakeCluster } from '../cluster.js';
import { type ExternalMetricsOptions, fetchExternalMetric } from '../external-metrics.js';
import { formatLabelSelector } from '../selectors.js';
import { isRecord } from '../types.js';

/** One spec.metrics entry after reading it. */
export interface ReadMetric {
  observation: ExternalMetricObservation;
  /** For metrics other than External: the condition reason and message when it is the first invalid one. */
  unavailable?: { reason: string; message: string };
  /** The External entry's metric identifier (name and selector), for currentMetrics. */
  identifier?: Record<string, unknown>;
}

const UNABLE = 'the HPA was unable to compute the replica count';

/** The failure of a metric source the fake does not serve, worded as the controller words it. */
function unavailable(type: string, m: Record<string, unknown>): ReadMetric {
  const field = m[type.charAt(0).toLowerCase() + type.slice(1)];
  const src = isRecord(field) ? field : {};
  const target = isRecord(src.target) ? src.target : {};
  let name: string;
  let detail: string;
  if (type === 'Resource' || type === 'ContainerResource') {
    name = typeof src.name === 'string' ? src.name : '';
    const what = target.type === 'Utilization' ? 'utilization' : 'usage';
    detail = `failed to get ${name} ${what}: unable to get metrics for resource ${name}: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)`;
  } else {
    name = isRecord(src.metric) && typeof src.metric.name === 'string' ? src.metric.name : '';
    detail = `unable to get metric ${name}: unable to fetch metrics from custom metrics API: the server could not find the requested resource (get ${type === 'Pods' ? 'pods' : 'objects'}.custom.metrics.k8s.io)`;
  }
  const reason = `FailedGet${type}Metric`;
  return { observation: { name, targetType: 'Value', targetMilli: 1, error: detail }, unavailable: { reason, message: `${UNABLE}: ${detail}` } };
}

/** Target type and milli-value of an External metric, or why the target is unusable. */
function externalTarget(target: Record<string, unknown>): { type: ExternalMetricTargetType; milli: number } | { error: string } {
  const raw = target.type === 'AverageValue' ? target.averageValue : target.type === 'Value' ? target.value : undefined;
  if ((target.type !== 'AverageValue' && target.type !== 'Value') || raw === undefined) {
    return { error: 'invalid external metric source: neither a value target nor an average value target was set' };
  }
  const q = parseQuantity(typeof raw === 'number' || typeof raw === 'string' ? String(raw) : '');
  return 'error' in q ? { error: `invalid target quantity: ${q.error}` } : { type: target.type, milli: q.milli };
}

/** Reads one External entry through the external metrics API and sums its items (the replica calculator's usage). */
async function external(cluster: FakeCluster, opts: ExternalMetricsOptions, namespace: string, m: Record<string, unknown>): Promise<ReadMetric> {
  const src = isRecord(m.external) ? m.external : {};
  const metric = isRecord(src.metric) ? src.metric : {};
  const name = typeof metric.name === 'string' ? metric.name : '';
  const identifier: Record<string, unknown> = { name };
  if (metric.selector !== undefined) identifier.selector = metric.selector;
  const target = externalTarget(isRecord(src.target) ? src.target : {});
  if ('error' in target) return { observation: { name, targetType: 'Value', targetMilli: 1, error: target.error }, identifier };
  const got = await fetchExternalMetric(cluster, opts, namespace, name, formatLabelSelector(metric.selector));
  if ('error' in got) return { observation: { name, targetType: target.type, targetMilli: target.milli, error: got.error }, identifier };
  const observation: ExternalMetricObservation = got.itemsMilli.length === 0
    ? { name, targetType: target.type, targetMilli: target.milli }
    : { name, targetType: target.type, targetMilli: target.milli, valueMilli: got.itemsMilli.reduce((a, b) => a + b, 0) };
  return { observation, identifier };
}

/** Reads every spec.metrics entry, in order (External ones in parallel, as independent requests). */
export function readMetrics(cluster: FakeCluster, opts: ExternalMetricsOptions, namespace: string, metrics: unknown): Promise<ReadMetric[]> {
  const list = Array.isArray(metrics) ? metrics.filter(isRecord) : [];
  return Promise.all(list.map((m) => {
    const type = typeof m.type === 'string' ? m.type : '';
    if (type === 'External') return external(cluster, opts, namespace, m);
    return Promise.resolve(unavailable(['Resource', 'ContainerResource', 'Pods', 'Object'].includes(type) ? type : 'Resource', m));
  }));
}

/** status.currentMetrics: one entry per spec metric, `{type: ""}` for the ones that could not be read. */
export function metricStatuses(read: readonly ReadMetric[], statusReplicas: number): Record<string, unknown>[] {
  return read.map((r) => {
    const current = r.identifier === undefined ? undefined : externalMetricCurrentMilli(r.observation, statusReplicas);
    if (current === undefined || r.identifier === undefined) return { type: '' };
    const value = r.observation.targetType === 'AverageValue' ? { averageValue: formatQuantity(current) } : { value: formatQuantity(current) };
    return { type: 'External', external: { metric: r.identifier, current: value } };
  });
}
