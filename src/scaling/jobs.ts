// KEDA's ScaledJob arithmetic (keda.md 3): per-trigger queue length, combining triggers, the
// scaling strategies that turn queue length and running/pending jobs into a number of jobs to
// create. Pure; the decision with conditions and events is in jobs-executor.ts.

/** `scalingStrategy.strategy`; anything else behaves as `default`. */
export type JobScalingStrategy = 'default' | 'custom' | 'accurate' | 'eager';

/** `scalingStrategy.multipleScalersCalculation`; anything else behaves as `max`. */
export type MultipleScalersCalculation = 'max' | 'min' | 'avg' | 'sum';

/** What the strategies need of a ScaledJob spec. */
export interface JobScalingSpec {
  /** Unset = 0. */
  minReplicaCount?: number | undefined;
  /** Unset = cap 100. */
  maxReplicaCount?: number | undefined;
  strategy?: string | undefined;
  customScalingQueueLengthDeduction?: number | undefined;
  /** Float as a string, parsed like Go's ParseFloat; unparsable → default strategy. */
  customScalingRunningJobPercentage?: string | undefined;
  multipleScalersCalculation?: string | undefined;
}

/** One trigger's contribution, in units (not milli): queue length and the jobs it alone would want. */
export interface ScalerMetrics {
  queueLength: number;
  maxValue: number;
  active: boolean;
}

/** A ScaledJob trigger's metric this poll. ScaledJob triggers are AverageValue. */
export interface JobTriggerObservation {
  metricName: string;
  triggerName?: string;
  targetType?: 'AverageValue' | 'Value';
  targetMilli: number;
  /** `valueMilli` is the sum of the values the scaler returned for the metric. */
  result: { valueMilli: number; active: boolean } | { error: string };
}

/** Effective minReplicaCount: clamped to max when min > max. */
export function jobMinReplicas(spec: JobScalingSpec): number {
  const min = spec.minReplicaCount ?? 0;
  return spec.maxReplicaCount !== undefined && min > spec.maxReplicaCount ? spec.maxReplicaCount : min;
}

/** The job cap KEDA calls MaxReplicaCount(): max − min when max is set (max when min > max), else 100. */
export function jobCap(spec: JobScalingSpec): number {
  const max = spec.maxReplicaCount;
  if (max === undefined) return 100;
  const min = spec.minReplicaCount ?? 0;
  return min > max ? max : max - min;
}

/** One trigger's queue length and max value: Σ values / target, capped (0 when the target is 0). */
export function scalerMetricsOf(valueMilli: number, targetMilli: number, cap: number, active: boolean): ScalerMetrics {
  const queueLength = valueMilli / 1000;
  const target = targetMilli / 1000;
  const maxValue = target !== 0 ? Math.min(queueLength / target, cap) : 0;
  return { queueLength, maxValue, active };
}

/** Combined activity and sizes of a ScaledJob's triggers. */
export interface CombinedJobMetrics {
  active: boolean;
  /** ceil(queueLength). */
  scaleTo: number;
  /** ceil(min(maxValue, cap)). */
  maxScale: number;
}

/**
 * Combine active triggers by multipleScalersCalculation, KEDA's quirks kept: `max` only takes a
 * trigger whose queue is larger than the best so far (an active trigger with an empty queue does
 * not make the job active), and `min` lets a later trigger replace one with an empty queue.
 */
export function combineScalerMetrics(metrics: readonly ScalerMetrics[], spec: JobScalingSpec): CombinedJobMetrics {
  let queueLength = 0;
  let maxValue = 0;
  let active = false;
  switch (spec.multipleScalersCalculation) {
    case 'min':
      for (const m of metrics) {
        if (m.active && (queueLength === 0 || m.queueLength < queueLength)) {
          queueLength = m.queueLength;
          maxValue = m.maxValue;
          active = true;
        }
      }
      break;
    case 'avg':
    case 'sum': {
      let count = 0;
      for (const m of metrics) {
        if (!m.active) continue;
        queueLength += m.queueLength;
        maxValue += m.maxValue;
        active = true;
        count++;
      }
      if (spec.multipleScalersCalculation === 'avg' && count > 0) {
        queueLength /= count;
        maxValue /= count;
      }
      break;
    }
    default:
      for (const m of metrics) {
        if (m.active && m.queueLength > queueLength) {
          queueLength = m.queueLength;
          maxValue = m.maxValue;
          active = true;
        }
      }
  }
  if (jobMinReplicas(spec) > 0) active = true;
  return { active, scaleTo: Math.ceil(queueLength), maxScale: Math.ceil(Math.min(maxValue, jobCap(spec))) };
}

/** Queue lengths and activity of all triggers; failed triggers are left out and flag an error. */
export function jobTriggersMetrics(
  triggers: readonly JobTriggerObservation[],
  spec: JobScalingSpec,
): { metrics: ScalerMetrics[]; error: boolean; activeTriggers: Record<string, boolean> } {
  const cap = jobCap(spec);
  const metrics: ScalerMetrics[] = [];
  const activeTriggers: Record<string, boolean> = {};
  let error = false;
  for (const t of triggers) {
    if ('error' in t.result) {
      error = true;
      activeTriggers[t.metricName] = false;
      continue;
    }
    // A Value target has no average value, which KEDA counts as 0.
    const target = t.targetType === 'Value' ? 0 : t.targetMilli;
    metrics.push(scalerMetricsOf(t.result.valueMilli, target, cap, t.result.active));
    activeTriggers[t.metricName] = t.result.active;
  }
  return { metrics, error, activeTriggers };
}

const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/** Go's strconv.ParseFloat for decimal input (no whitespace allowed); undefined when it fails. */
export function parseGoFloat(text: string | undefined): number | undefined {
  if (text === undefined || !GO_FLOAT.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'nan') return Number.NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** Strategy actually used: custom with an unparsable percentage, or an unknown name, is default. */
export function resolveStrategy(spec: JobScalingSpec): JobScalingStrategy {
  switch (spec.strategy) {
    case 'custom':
      return parseGoFloat(spec.customScalingRunningJobPercentage) === undefined ? 'default' : 'custom';
    case 'accurate':
    case 'eager':
      return spec.strategy;
    default:
      return 'default';
  }
}

/** The strategy's effective max and (for eager, replaced) scaleTo. */
export interface EffectiveScale {
  effectiveMaxScale: number;
  scaleTo: number;
}

/**
 * Strategy table of keda.md 3, with `running` already reduced by minReplicaCount (r = running − min):
 * default maxScale − r; custom min(maxScale − deduction − trunc(r × pct), cap); accurate
 * maxScale + r > cap ? cap − r : maxScale − p; eager min(cap − r − p, maxScale) with scaleTo = cap.
 */
export function strategyEffectiveMaxScale(
  spec: JobScalingSpec,
  maxScale: number,
  r: number,
  pending: number,
  scaleTo: number,
): EffectiveScale {
  const cap = jobCap(spec);
  switch (resolveStrategy(spec)) {
    case 'custom': {
      const pct = parseGoFloat(spec.customScalingRunningJobPercentage) ?? 0;
      const deduction = spec.customScalingQueueLengthDeduction ?? 0;
      return { effectiveMaxScale: Math.min(maxScale - deduction - Math.trunc(r * pct), cap), scaleTo };
    }
    case 'accurate':
      // KEDA's code (not its docs' table) leaves pending jobs out of the cap test: maxScale + r > cap.
      return { effectiveMaxScale: maxScale + r > cap ? cap - r : maxScale - pending, scaleTo };
    case 'eager':
      return { effectiveMaxScale: Math.min(cap - r - pending, maxScale), scaleTo: cap };
    default:
      return { effectiveMaxScale: maxScale - r, scaleTo };
  }
}

/** Jobs to create this poll (0 when inactive): top up to min first, else the strategy's min(scaleTo, effectiveMax). */
export function jobsToCreate(
  spec: JobScalingSpec,
  active: boolean,
  running: number,
  pending: number,
  scaleTo: number,
  maxScale: number,
): number {
  const min = jobMinReplicas(spec);
  let effective: EffectiveScale;
  if (running < min) effective = { effectiveMaxScale: min - running, scaleTo: min - running };
  else effective = strategyEffectiveMaxScale(spec, maxScale, running - min, pending, scaleTo);
  const effectiveMax = Math.max(effective.effectiveMaxScale, 0);
  if (!active || effectiveMax <= 0) return 0;
  return Math.min(effective.scaleTo, effectiveMax);
}
