// The replica calculator of the HPA for External metrics. Values arrive as integer milli-units; the
// ratios are float64 divisions exactly as the controller does them, so tolerance edges (1.1 vs 1.1)
// fall the same way as on a real cluster.

import type { ExternalMetricObservation } from './hpa-types.js';

/** Largest replica count the controller can express (int32). */
export const MAX_REPLICAS = 2_147_483_647;

/** True when the usage ratio is close enough to 1 that the HPA keeps the current count. */
export function withinTolerance(ratio: number, toleranceDown: number, toleranceUp: number): boolean {
  return 1 - toleranceDown <= ratio && ratio <= 1 + toleranceUp;
}

function toReplicas(value: number): number {
  return value > MAX_REPLICAS ? MAX_REPLICAS : Math.ceil(value);
}

/** Why a metric cannot produce a proposal, or undefined when it can. */
export function externalMetricError(metric: ExternalMetricObservation): string | undefined {
  if (metric.error !== undefined) return `unable to get external metric ${metric.name}: ${metric.error}`;
  if (metric.valueMilli === undefined) {
    return `unable to get external metric ${metric.name}: no metrics returned from external metrics API`;
  }
  if (!(metric.targetMilli > 0)) return `invalid target for external metric ${metric.name}: must be positive`;
  return undefined;
}

/**
 * Replica proposal of one External metric, or the error text when it has none.
 * AverageValue: ratio = sum / (target × statusReplicas); within tolerance keeps statusReplicas, else ceil(sum / target).
 * Value: ratio = sum / target; currentReplicas 0 → ceil(ratio); within tolerance keeps currentReplicas, else ceil(ratio × readyPods).
 */
export function externalMetricProposal(
  metric: ExternalMetricObservation,
  currentReplicas: number,
  statusReplicas: number,
  readyPods: number,
  toleranceDown: number,
  toleranceUp: number,
): number | string {
  const error = externalMetricError(metric);
  if (error !== undefined) return error;
  const sum = metric.valueMilli ?? 0;
  const target = metric.targetMilli;
  if (metric.targetType === 'AverageValue') {
    const ratio = sum / (target * statusReplicas);
    return withinTolerance(ratio, toleranceDown, toleranceUp) ? statusReplicas : toReplicas(sum / target);
  }
  const ratio = sum / target;
  if (currentReplicas === 0) return toReplicas(ratio);
  if (withinTolerance(ratio, toleranceDown, toleranceUp)) return currentReplicas;
  return toReplicas(ratio * readyPods);
}

/** The metric's current value as HPA status reports it: per-pod average (rounded up) for AverageValue, the sum for Value. */
export function externalMetricCurrentMilli(metric: ExternalMetricObservation, statusReplicas: number): number | undefined {
  if (metric.valueMilli === undefined || metric.error !== undefined) return undefined;
  if (metric.targetType === 'Value') return metric.valueMilli;
  return statusReplicas > 0 ? Math.ceil(metric.valueMilli / statusReplicas) : metric.valueMilli;
}
