// What the HPA is served for one metric of a running scale loop (KEDA's GetScaledObjectMetrics): the
// trigger's last polled result when it has `useCachedMetrics` and the loop has polled, else a fresh
// read of that trigger's scaler; then the same evaluator the loop runs, so fallback values and the
// scalingModifiers composite are computed in one place. Every fetch counts for fallback health, as
// in KEDA (the HPA's requests and the polls share the failure count).

import { COMPOSITE_METRIC_NAME, evaluate, type MetricOutcome, type ScalingModifiersInput, type TriggerResult } from '../scaling/evaluate.js';
import type { FallbackSpec, HealthMap } from '../scaling/fallback.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { readAll } from './loop-scalers.js';
import type { LoopTrigger } from './loop-triggers.js';

/** What a loop lends to answer one metric request. */
export interface MetricServingState {
  readonly triggers: readonly LoopTrigger[];
  /** Per trigger (by position) the result of the last poll; undefined before the first one. */
  readonly cached: readonly (TriggerResult | undefined)[];
  readonly fallback: FallbackSpec | undefined;
  readonly modifiers: ScalingModifiersInput | undefined;
  readonly health: HealthMap;
  /** The target's size, read only when a fallback value may be needed (a failed fetch with a fallback). */
  readonly size: () => Promise<{ replicas: number; readyReplicas: number }>;
  readonly now: number;
  /** The operator's bound on scaler reads at once, shared with the polls. */
  readonly limit?: ConcurrencyLimit | undefined;
}

/** The metric's outcome and the health after this fetch; undefined when the loop has no such metric (names compared case-insensitively, as the HPA lower-cases them). */
export async function serveMetric(state: MetricServingState, metricName: string): Promise<{ outcome: MetricOutcome; health: HealthMap } | undefined> {
  const wanted = metricName.toLowerCase();
  const composite = state.modifiers !== undefined && wanted === COMPOSITE_METRIC_NAME;
  const picked = state.triggers.flatMap((t, i) => (t.observation.kind === 'external' && (composite || t.observation.metricName.toLowerCase() === wanted) ? [{ t, i }] : []));
  if (picked.length === 0) return undefined;
  const results = await Promise.all(picked.map(async ({ t, i }): Promise<TriggerResult | undefined> => {
    const cached = t.settings.useCachedMetrics ? state.cached[i] : undefined;
    if (cached !== undefined) return cached;
    const [fresh] = await readAll([t.scaler], state.now, undefined, state.limit);
    return fresh;
  }));
  const failed = results.some((r) => r === undefined || 'error' in r);
  const size = failed && state.fallback !== undefined ? await state.size().catch(() => undefined) : undefined;
  const observation = evaluate({
    triggers: picked.map(({ t }, k) => {
      const result = results[k];
      return result === undefined ? t.observation : { ...t.observation, result };
    }),
    fallback: state.fallback,
    scalingModifiers: composite ? state.modifiers : undefined,
    health: state.health,
    currentReplicas: size?.replicas ?? 0,
    readyPods: size?.readyReplicas,
  });
  const outcome = composite
    ? observation.metrics.find((m) => m.metricName === COMPOSITE_METRIC_NAME)
    : observation.metrics.find((m) => m.metricName.toLowerCase() === wanted);
  return { outcome: outcome ?? { metricName, error: `no matching metrics found for ${metricName}` }, health: observation.health };
}
