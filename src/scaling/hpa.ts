// One sync of the Kubernetes HPA (autoscaling/v2) for External metrics, as a pure function of
// (spec, observations, remembered state, now). The operator's fake HPA, the metrics adapter's
// "what would the HPA do" view and local mode all decide with this one implementation.

import {
  ABLE_TO_GET_SCALE,
  READY_FOR_NEW_SCALE,
  SCALE_DOWN_STABILIZED,
  SCALE_UP_STABILIZED,
  SCALING_DISABLED,
  failedGetExternalMetric,
  scalingLimited,
  succeededRescale,
  validMetricFound,
} from './hpa-conditions.js';
import { limitLegacy, stabilizeLegacy } from './hpa-legacy.js';
import { externalMetricProposal } from './hpa-metrics.js';
import { limitWithBehavior, resolveBehavior, stabilizeWithBehavior, type LimitOutcome, type ResolvedBehavior } from './hpa-rules.js';
import { initialHpaState, withRecommendation, withScaleEvent } from './hpa-state.js';
import type { HpaCondition, HpaReason, HpaState, HpaSyncInput, HpaSyncResult } from './hpa-types.js';

export * from './hpa-types.js';
export { externalMetricProposal, externalMetricError, externalMetricCurrentMilli, withinTolerance, MAX_REPLICAS } from './hpa-metrics.js';
export {
  resolveBehavior,
  stabilizeWithBehavior,
  replicasChangedInPeriod,
  scaleUpLimitWithRules,
  scaleDownLimitWithRules,
  limitWithBehavior,
  type LimitOutcome,
  type ResolvedBehavior,
  type ResolvedScalingRules,
} from './hpa-rules.js';
export { legacyScaleUpLimit, stabilizeLegacy, limitLegacy } from './hpa-legacy.js';
export { initialHpaState, withRecommendation, withScaleEvent } from './hpa-state.js';

export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_DOWNSCALE_STABILIZATION_SECONDS = 300;

interface MetricsOutcome {
  readonly proposal: number;
  readonly metricName: string;
  readonly invalid: number;
  readonly firstError: string | undefined;
}

function evaluateMetrics(input: HpaSyncInput, toleranceDown: number, toleranceUp: number): MetricsOutcome {
  let proposal = 0;
  let metricName = '';
  let valid = 0;
  let invalid = 0;
  let firstError: string | undefined;
  for (const metric of input.metrics) {
    const result = externalMetricProposal(metric, input.currentReplicas, input.statusReplicas, input.readyPods, toleranceDown, toleranceUp);
    if (typeof result === 'string') {
      invalid++;
      firstError ??= result;
    } else if (valid++ === 0 || result > proposal) {
      proposal = result;
      metricName = metric.name;
    }
  }
  return { proposal, metricName, invalid, firstError };
}

function result(
  desiredReplicas: number,
  proposal: number | undefined,
  reason: HpaReason,
  rescaleReason: string,
  conditions: readonly HpaCondition[],
  state: HpaState,
): HpaSyncResult {
  return { desiredReplicas, proposal, reason, rescaleReason, conditions, state };
}

/** Outcome when /scale is outside [min, max]: go to the bound at once, without reading metrics. */
function outOfRange(input: HpaSyncInput, target: number, state: HpaState, behavior: ResolvedBehavior | undefined): HpaSyncResult {
  const tooMany = input.currentReplicas > target;
  const next = behavior === undefined ? state : withScaleEvent(state, input.now, input.currentReplicas, target, behavior.eventWindowMs);
  const reason = tooMany ? 'TooManyReplicas' : 'TooFewReplicas';
  const text = tooMany ? 'Current number of replicas above Spec.MaxReplicas' : 'Current number of replicas below Spec.MinReplicas';
  return result(target, undefined, reason, text, [succeededRescale(target), scalingLimited(reason)], next);
}

interface Normalized {
  readonly stabilized: number;
  readonly limit: LimitOutcome;
}

/** Stabilization then limits, on whichever path the spec selects; direct mode skips both for scale-up. */
function normalize(input: HpaSyncInput, proposal: number, min: number, max: number, behavior: ResolvedBehavior | undefined, state: HpaState): Normalized {
  const current = input.currentReplicas;
  if (input.options?.scaleUpLimit === 'none' && proposal > current) {
    return { stabilized: proposal, limit: proposal > max ? { replicas: max, reason: 'TooManyReplicas' } : { replicas: proposal, reason: 'DesiredWithinRange' } };
  }
  if (behavior === undefined) {
    const window = input.options?.downscaleStabilizationSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS;
    const stabilized = stabilizeLegacy(state.recommendations, input.now, proposal, window);
    return { stabilized, limit: limitLegacy(current, stabilized, min, max) };
  }
  const stabilized = stabilizeWithBehavior(
    state.recommendations,
    input.now,
    current,
    proposal,
    behavior.scaleUp.stabilizationWindowSeconds,
    behavior.scaleDown.stabilizationWindowSeconds,
  );
  const limit = limitWithBehavior(current, stabilized, min, max, behavior, state.scaleUpEvents, state.scaleDownEvents, input.now);
  return { stabilized, limit };
}

/** One HPA sync: the replica count to set, why, the status conditions, and the state for the next sync. */
export function syncHpa(input: HpaSyncInput): HpaSyncResult {
  const { spec, currentReplicas: current, now } = input;
  const min = spec.minReplicas ?? 1;
  const max = spec.maxReplicas;
  const downscaleSeconds = input.options?.downscaleStabilizationSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS;
  const behavior = spec.behavior === undefined ? undefined : resolveBehavior(spec.behavior, downscaleSeconds);
  const state = input.state ?? initialHpaState(current, now);

  if (current === 0 && min !== 0) return result(current, undefined, 'ScalingDisabled', '', [ABLE_TO_GET_SCALE, SCALING_DISABLED], state);
  if (current > max) return outOfRange(input, max, state, behavior);
  if (current < min) return outOfRange(input, min, state, behavior);

  const tolerance = input.options?.tolerance ?? DEFAULT_TOLERANCE;
  const metrics = evaluateMetrics(input, behavior?.scaleDown.tolerance ?? tolerance, behavior?.scaleUp.tolerance ?? tolerance);
  const { proposal, invalid, firstError } = metrics;
  // All metrics failing, or some failing while the rest would scale down: the HPA changes nothing.
  if (invalid >= input.metrics.length || (invalid > 0 && proposal < current)) {
    const error = firstError ?? 'no metrics to compute a replica count from';
    const shown = invalid >= input.metrics.length ? undefined : proposal;
    return result(current, shown, 'FailedGetExternalMetric', '', [ABLE_TO_GET_SCALE, failedGetExternalMetric(error)], state);
  }

  const { stabilized, limit } = normalize(input, proposal, min, max, behavior, state);
  const desired = limit.replicas;
  let next = withRecommendation(state, now, proposal, behavior === undefined ? downscaleSeconds * 1000 : behavior.recommendationWindowMs);
  if (behavior !== undefined) next = withScaleEvent(next, now, current, desired, behavior.eventWindowMs);

  const stabilizedCondition = stabilized === proposal ? READY_FOR_NEW_SCALE : proposal >= current && behavior !== undefined ? SCALE_UP_STABILIZED : SCALE_DOWN_STABILIZED;
  const changed = desired !== current;
  let reason: HpaReason;
  if (limit.reason !== 'DesiredWithinRange') reason = limit.reason;
  else if (stabilized !== proposal) reason = stabilizedCondition === SCALE_UP_STABILIZED ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
  else reason = changed ? 'SucceededRescale' : 'DesiredWithinRange';
  const rescaleReason = !changed ? '' : proposal > current ? `external metric ${metrics.metricName} above target` : 'All metrics below target';
  const conditions = [changed ? succeededRescale(desired) : stabilizedCondition, validMetricFound(metrics.metricName), scalingLimited(limit.reason)];
  return result(desired, proposal, reason, rescaleReason, conditions, next);
}
