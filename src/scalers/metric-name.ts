// KEDA's external metric names and target arithmetic. HPAs created by KEDA refer to metrics by these
// exact names, so an object moved to tide must produce the same `s<index>-<name>` strings.

const REPLACED = /[/.:%()]/g;

/** KEDA's NormalizeString: `/ . : % ( )` become `-`; case is kept. */
export function normalizeMetricName(name: string): string {
  return name.replace(REPLACED, '-');
}

/** KEDA's GenerateMetricNameWithIndex over a normalised scaler metric name: `s<index>-<name>`. */
export function metricNameWithIndex(triggerIndex: number, scalerMetricName: string): string {
  return `s${triggerIndex}-${normalizeMetricName(scalerMetricName)}`;
}

/** Milli-units of an integer target (KEDA's GetMetricTarget: an integer Quantity). */
export function milliFromInt(value: number): number {
  return value * 1000;
}

/** Milli-units of a float target as KEDA's GetMetricTargetMili computes them: `int64(value * 1000)`, truncated. */
export function milliFromFloatTarget(value: number): number {
  return Math.trunc(value * 1000);
}
