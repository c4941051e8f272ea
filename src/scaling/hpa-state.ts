// The HPA's memory between syncs. The controller keeps these lists in memory and overwrites stale
// entries; tide returns new, pruned lists instead, so a sync never mutates its input and the state of
// 10,000 objects stays as small as the windows allow.

import type { HpaState, TimedRecommendation, TimedScaleEvent } from './hpa-types.js';

const NO_EVENTS: readonly TimedScaleEvent[] = [];

/** State of the first sync: the current count counts as a recommendation made now (the controller's initial recommendation). */
export function initialHpaState(currentReplicas: number, now: number): HpaState {
  return { recommendations: [{ at: now, replicas: currentReplicas }], scaleUpEvents: NO_EVENTS, scaleDownEvents: NO_EVENTS };
}

/** The recommendations not older than keepMs, plus this sync's raw recommendation. */
export function withRecommendation(state: HpaState, now: number, replicas: number, keepMs: number): HpaState {
  const cutoff = now - keepMs;
  const kept: TimedRecommendation[] = [];
  for (const rec of state.recommendations) if (rec.at >= cutoff) kept.push(rec);
  kept.push({ at: now, replicas });
  return { recommendations: kept, scaleUpEvents: state.scaleUpEvents, scaleDownEvents: state.scaleDownEvents };
}

function pruneEvents(events: readonly TimedScaleEvent[], cutoff: number): TimedScaleEvent[] {
  const kept: TimedScaleEvent[] = [];
  for (const event of events) if (event.at > cutoff) kept.push(event);
  return kept;
}

/** Records a rescale from → to for the rate policies, dropping events no policy period can see any more. */
export function withScaleEvent(state: HpaState, now: number, from: number, to: number, keepMs: number): HpaState {
  if (from === to) return state;
  const cutoff = now - keepMs;
  const up = pruneEvents(state.scaleUpEvents, cutoff);
  const down = pruneEvents(state.scaleDownEvents, cutoff);
  if (to > from) up.push({ at: now, replicas: to - from });
  else down.push({ at: now, replicas: from - to });
  return { recommendations: state.recommendations, scaleUpEvents: up, scaleDownEvents: down };
}
