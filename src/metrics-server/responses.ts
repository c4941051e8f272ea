// The JSON bodies of the external metrics API as the custom-metrics-apiserver library serves them
// (reference keda.md §5): discovery documents, ExternalMetricValueList, and Kubernetes Status errors.
import { formatQuantity } from '../api/quantity.js';
import type { MetricValue } from '../engine/metrics-service.js';

export const GROUP = 'external.metrics.k8s.io';
export const VERSION = 'v1beta1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

/** GET /apis/external.metrics.k8s.io/v1beta1: one placeholder resource (the library's default name). */
export const API_RESOURCE_LIST = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: [{ name: 'externalmetric', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }],
};

const GROUP_VERSION_FOR_DISCOVERY = { groupVersion: GROUP_VERSION, version: VERSION };

/** GET /apis/external.metrics.k8s.io. */
export const API_GROUP = { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [GROUP_VERSION_FOR_DISCOVERY], preferredVersion: GROUP_VERSION_FOR_DISCOVERY };

/** GET /apis. */
export const API_GROUP_LIST = { kind: 'APIGroupList', apiVersion: 'v1', groups: [API_GROUP] };

/** RFC 3339 in whole seconds, as metav1.Time marshals. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An ExternalMetricValueList with Quantity strings ("5", "1500m"). */
export function externalMetricValueList(values: readonly MetricValue[]): unknown {
  return {
    kind: 'ExternalMetricValueList',
    apiVersion: GROUP_VERSION,
    metadata: {},
    items: values.map((v) => ({ metricName: v.metricName, metricLabels: null, timestamp: rfc3339(v.timestamp), value: formatQuantity(v.valueMilli) })),
  };
}

export type StatusReason = 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'MethodNotAllowed' | 'InternalError' | 'ServiceUnavailable';

const CODES: Record<StatusReason, number> = { BadRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, MethodNotAllowed: 405, InternalError: 500, ServiceUnavailable: 503 };

/** A Kubernetes Status error body and its HTTP code. */
export function statusError(reason: StatusReason, message: string, details?: Record<string, unknown>): { code: number; body: unknown } {
  const code = CODES[reason];
  return { code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}
