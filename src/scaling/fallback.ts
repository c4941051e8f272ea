// KEDA's fallback (keda.md 2.5): per-metric health tracking and the replica count / metric value the
// HPA is fed once a metric has failed more than `failureThreshold` times in a row. Pure: the caller
// supplies the previous health map, the current replica count and the ready-pod count.

/** Fallback behaviors of `spec.fallback.behavior`. */
export type FallbackBehavior =
  | 'static'
  | 'currentReplicas'
  | 'currentReplicasIfHigher'
  | 'currentReplicasIfLower'
  | 'scalingModifiers';

/** The `spec.fallback` block after defaulting (behavior defaults to `static`). */
export interface FallbackSpec {
  failureThreshold: number;
  replicas: number;
  behavior: FallbackBehavior;
}

/** Health of one metric as stored in `status.health[metricName]`. */
export interface MetricHealth {
  readonly numberOfFailures: number;
  readonly status: 'Happy' | 'Failing';
}

/** `status.health`: metric name → health. Treated as immutable; updates return a new map. */
export type HealthMap = Readonly<Record<string, MetricHealth>>;

/** The one Happy entry every success maps to, shared so that unchanged health allocates nothing. */
export const HAPPY: MetricHealth = Object.freeze({ numberOfFailures: 0, status: 'Happy' });

const GO_INT = /^[+-]?\d+$/;

/**
 * Whether a fallback block takes effect: thresholds non-negative and, with scalingModifiers, the
 * modifiers target an integer > 0 (KEDA parses it with ParseInt, so "5.0" is rejected).
 */
export function isFallbackValid(fallback: FallbackSpec | undefined, modifiersTarget?: string): fallback is FallbackSpec {
  if (fallback === undefined) return false;
  if (modifiersTarget !== undefined && !(GO_INT.test(modifiersTarget) && Number(modifiersTarget) > 0)) return false;
  return fallback.failureThreshold >= 0 && fallback.replicas >= 0;
}

/** Replica count R the fallback asks for, by behavior (scalingModifiers and unknown behave as static). */
export function fallbackReplicas(fallback: FallbackSpec, currentReplicas: number): number {
  switch (fallback.behavior) {
    case 'currentReplicas':
      return currentReplicas;
    case 'currentReplicasIfHigher':
      return Math.max(currentReplicas, fallback.replicas);
    case 'currentReplicasIfLower':
      return Math.min(currentReplicas, fallback.replicas);
    default:
      return fallback.replicas;
  }
}

/**
 * Metric value (milli) that makes the HPA land on `replicas`: target × R, with a Value target
 * spread over the ready pods (R / readyPods), truncated like KEDA's int64 conversion.
 */
export function fallbackValueMilli(
  targetMilli: number,
  targetType: string,
  replicas: number,
  readyPods: number | undefined,
): { valueMilli: number } | { error: string } {
  let r = replicas;
  if (targetType === 'Value') {
    if (readyPods === undefined) return { error: 'fallback for a Value target needs the ready pod count' };
    if (readyPods <= 0) return { error: 'cannot do fallback for a Value target: the scale target has no ready pods' };
    r = replicas / readyPods;
  }
  return { valueMilli: Math.trunc(targetMilli * r) };
}

/** Health entry after one fetch: success resets to Happy, failure counts up and marks Failing. */
export function nextHealth(previous: MetricHealth | undefined, ok: boolean): MetricHealth {
  if (ok) return HAPPY;
  return { numberOfFailures: (previous?.numberOfFailures ?? 0) + 1, status: 'Failing' };
}

/** Whether a health entry is beyond the threshold, i.e. its metric is served by the fallback. */
export function isBeyondThreshold(health: MetricHealth | undefined, failureThreshold: number): boolean {
  return health !== undefined && health.status === 'Failing' && health.numberOfFailures > failureThreshold;
}

/** Fallback condition: True while any entry (including stale metric names) is beyond the threshold. */
export function anyBeyondThreshold(health: HealthMap, failureThreshold: number): boolean {
  for (const name in health) {
    if (isBeyondThreshold(health[name], failureThreshold)) return true;
  }
  return false;
}

/**
 * Copy-on-write writer for a health map: the map is copied on the first real change only, so an
 * all-Happy object that stays all-Happy returns the very same map (and the caller can skip a PATCH).
 */
export class HealthWriter {
  private current: Record<string, MetricHealth> | undefined;

  constructor(private readonly previous: HealthMap) {}

  /** Record one fetch of `metricName`; returns the new entry. */
  record(metricName: string, ok: boolean): MetricHealth {
    const before = (this.current ?? this.previous)[metricName];
    if (ok && before !== undefined && before.status === 'Happy' && before.numberOfFailures === 0) return before;
    const after = nextHealth(before, ok);
    this.current ??= { ...this.previous };
    this.current[metricName] = after;
    return after;
  }

  /** The resulting map (the previous one when nothing changed). */
  result(): HealthMap {
    return this.current ?? this.previous;
  }
}
