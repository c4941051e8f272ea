// The legacy path of the HPA (spec.behavior unset, which is what KEDA generates by default): one
// downscale stabilization window and a fixed scale-up limit of max(2 × current, 4).

import type { LimitOutcome } from './hpa-rules.js';
import type { TimedRecommendation } from './hpa-types.js';

/** Highest count one legacy sync may scale up to: max(2 × current, 4). */
export function legacyScaleUpLimit(current: number): number {
  return Math.max(2 * current, 4);
}

/** Max of desired and every recommendation not older than the window (the controller keeps ones exactly at the cutoff). */
export function stabilizeLegacy(recommendations: readonly TimedRecommendation[], now: number, desired: number, windowSeconds: number): number {
  const cutoff = now - windowSeconds * 1000;
  let result = desired;
  for (const rec of recommendations) if (rec.at >= cutoff && rec.replicas > result) result = rec.replicas;
  return result;
}

/** Clamps a stabilized count to [min, min(max, max(2 × current, 4))], naming what limited it. */
export function limitLegacy(current: number, stabilized: number, minReplicas: number, maxReplicas: number): LimitOutcome {
  const upLimit = legacyScaleUpLimit(current);
  if (stabilized < minReplicas) return { replicas: minReplicas, reason: 'TooFewReplicas' };
  if (maxReplicas > upLimit) {
    if (stabilized > upLimit) return { replicas: upLimit, reason: 'ScaleUpLimit' };
  } else if (stabilized > maxReplicas) {
    return { replicas: maxReplicas, reason: 'TooManyReplicas' };
  }
  return { replicas: stabilized, reason: 'DesiredWithinRange' };
}
