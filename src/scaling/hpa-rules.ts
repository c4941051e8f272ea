// The behavior path of the HPA (spec.behavior set): API defaults for missing rules, stabilization
// with separate up and down windows, and the per-period rate policies that read past scale events.

import type { HorizontalPodAutoscalerBehavior, HPAScalingPolicy, HPAScalingRules, ScalingPolicySelect } from '../api/hpa-behavior.js';
import { parseQuantity } from '../api/quantity.js';
import type { HpaLimitReason, TimedRecommendation, TimedScaleEvent } from './hpa-types.js';

/** One direction's rules with every API default filled in. */
export interface ResolvedScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: ScalingPolicySelect;
  readonly policies: readonly HPAScalingPolicy[];
  /** Per-direction tolerance as a fraction, or undefined to use the controller's. */
  readonly tolerance: number | undefined;
  /** Longest policy period in milliseconds (how long this direction's limits look back). */
  readonly longestPeriodMs: number;
}

/** A behavior with the API defaults applied, as the controller sees it after defaulting. */
export interface ResolvedBehavior {
  readonly scaleUp: ResolvedScalingRules;
  readonly scaleDown: ResolvedScalingRules;
  /** How long recommendations must be kept: the longer stabilization window, in ms. */
  readonly recommendationWindowMs: number;
  /** How long scale events must be kept: the longest policy period of either direction, in ms. */
  readonly eventWindowMs: number;
}

const DEFAULT_UP_POLICIES: readonly HPAScalingPolicy[] = [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];
const DEFAULT_DOWN_POLICIES: readonly HPAScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

// A Quantity arrives as a string, or as a bare YAML number (which Quantity's JSON decoding also accepts).
function toleranceFraction(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  // String(0.07) is "0.07", so the number goes through the same exact decimal parsing as text.
  const parsed = parseQuantity(typeof value === 'number' ? String(value) : value);
  // Admission rejects bad tolerances; a bad one that slips through falls back to the controller's.
  return 'milli' in parsed && parsed.milli >= 0 ? parsed.milli / 1000 : undefined;
}

function resolveRules(rules: HPAScalingRules | undefined, defaultWindow: number, defaultPolicies: readonly HPAScalingPolicy[]): ResolvedScalingRules {
  // Validation requires at least one policy, so an empty list is treated like an absent one.
  const policies = rules?.policies !== undefined && rules.policies.length > 0 ? rules.policies : defaultPolicies;
  let longest = 0;
  for (const policy of policies) longest = Math.max(longest, policy.periodSeconds);
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? defaultWindow,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies,
    tolerance: toleranceFraction(rules?.tolerance),
    longestPeriodMs: longest * 1000,
  };
}

// Specs are long-lived objects re-read every sync; resolving once per object keeps the hot path allocation-free.
const resolvedCache = new WeakMap<HorizontalPodAutoscalerBehavior, { seconds: number; resolved: ResolvedBehavior }>();

/** The behavior with API defaults: scaleUp {0 s, Max, Pods 4/15 s + Percent 100/15 s}, scaleDown {downscale flag, Max, Percent 100/15 s}. */
export function resolveBehavior(behavior: HorizontalPodAutoscalerBehavior, downscaleStabilizationSeconds: number): ResolvedBehavior {
  const cached = resolvedCache.get(behavior);
  if (cached !== undefined && cached.seconds === downscaleStabilizationSeconds) return cached.resolved;
  const scaleUp = resolveRules(behavior.scaleUp, 0, DEFAULT_UP_POLICIES);
  const scaleDown = resolveRules(behavior.scaleDown, downscaleStabilizationSeconds, DEFAULT_DOWN_POLICIES);
  const resolved: ResolvedBehavior = {
    scaleUp,
    scaleDown,
    recommendationWindowMs: Math.max(scaleUp.stabilizationWindowSeconds, scaleDown.stabilizationWindowSeconds) * 1000,
    eventWindowMs: Math.max(scaleUp.longestPeriodMs, scaleDown.longestPeriodMs),
  };
  resolvedCache.set(behavior, { seconds: downscaleStabilizationSeconds, resolved });
  return resolved;
}

/**
 * Stabilized count: upRec = min(desired, recommendations newer than the up window), downRec = max(desired,
 * those newer than the down window); current is raised to upRec, then lowered to downRec.
 */
export function stabilizeWithBehavior(
  recommendations: readonly TimedRecommendation[],
  now: number,
  current: number,
  desired: number,
  upWindowSeconds: number,
  downWindowSeconds: number,
): number {
  const upCutoff = now - upWindowSeconds * 1000;
  const downCutoff = now - downWindowSeconds * 1000;
  let up = desired;
  let down = desired;
  for (const rec of recommendations) {
    if (rec.at > upCutoff && rec.replicas < up) up = rec.replicas;
    if (rec.at > downCutoff && rec.replicas > down) down = rec.replicas;
  }
  let result = current;
  if (result < up) result = up;
  if (result > down) result = down;
  return result;
}

/** Replicas changed by the events strictly newer than now − period (the controller's After(cutoff)). */
export function replicasChangedInPeriod(events: readonly TimedScaleEvent[], now: number, periodSeconds: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const event of events) if (event.at > cutoff) sum += event.replicas;
  return sum;
}

/** Highest count the scale-up policies allow now; Max picks the largest limit, Min the smallest, Disabled keeps current. */
export function scaleUpLimitWithRules(
  current: number,
  upEvents: readonly TimedScaleEvent[],
  downEvents: readonly TimedScaleEvent[],
  rules: ResolvedScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Infinity : -Infinity;
  for (const policy of rules.policies) {
    const start = current - replicasChangedInPeriod(upEvents, now, policy.periodSeconds) + replicasChangedInPeriod(downEvents, now, policy.periodSeconds);
    // Percent rounds up so that a small percentage can still add a pod.
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** Lowest count the scale-down policies allow now; Max picks the lowest limit (biggest change), Min the highest, Disabled keeps current. */
export function scaleDownLimitWithRules(
  current: number,
  upEvents: readonly TimedScaleEvent[],
  downEvents: readonly TimedScaleEvent[],
  rules: ResolvedScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? -Infinity : Infinity;
  for (const policy of rules.policies) {
    const start = current - replicasChangedInPeriod(upEvents, now, policy.periodSeconds) + replicasChangedInPeriod(downEvents, now, policy.periodSeconds);
    // Percent truncates toward zero, as the controller's int32 conversion does.
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** The outcome of a limit step: the count and the ScalingLimited reason (DesiredWithinRange when nothing limited it). */
export interface LimitOutcome {
  readonly replicas: number;
  readonly reason: HpaLimitReason;
}

/** Applies the rate policies and [min, max] to a stabilized count; current is assumed to lie within [min, max]. */
export function limitWithBehavior(
  current: number,
  stabilized: number,
  minReplicas: number,
  maxReplicas: number,
  behavior: ResolvedBehavior,
  upEvents: readonly TimedScaleEvent[],
  downEvents: readonly TimedScaleEvent[],
  now: number,
): LimitOutcome {
  if (stabilized > current) {
    // A limit below current means recent events used the budget up: hold, never shrink on a scale-up.
    const rate = Math.max(current, scaleUpLimitWithRules(current, upEvents, downEvents, behavior.scaleUp, now));
    const ceiling = Math.min(maxReplicas, rate);
    if (stabilized > ceiling) return { replicas: ceiling, reason: maxReplicas > rate ? 'ScaleUpLimit' : 'TooManyReplicas' };
  } else if (stabilized < current) {
    const rate = Math.min(current, scaleDownLimitWithRules(current, upEvents, downEvents, behavior.scaleDown, now));
    const floor = Math.max(minReplicas, rate);
    if (stabilized < floor) return { replicas: floor, reason: minReplicas < rate ? 'ScaleDownLimit' : 'TooFewReplicas' };
  }
  return { replicas: stabilized, reason: 'DesiredWithinRange' };
}
