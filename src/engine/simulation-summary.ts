// The few numbers people ask of a scaling run: how fast the first replica came, how fast the peak,
// how long until zero again, and how many replica-seconds it cost.
import type { SimulationStep } from './simulate.js';

export interface SimulationSummary {
  readonly steps: number;
  /** Seconds of the first step that saw an active trigger. */
  readonly firstActiveAt: number | null;
  /** First step with replicas > 0 after starting at zero; null when it never scaled out or did not start at zero. */
  readonly firstReplicaAt: number | null;
  readonly peakReplicas: number;
  readonly peakAt: number | null;
  readonly lastActiveAt: number | null;
  /** First step at zero after the last active step; null when it never went back to zero. */
  readonly backToZeroAt: number | null;
  readonly finalReplicas: number;
  /** ∫ replicas dt over the run: a cost proxy to compare modes and settings. */
  readonly replicaSeconds: number;
}

/** Summarises steps (in time order) that started from `initialReplicas` and ended at `end` seconds. */
export function summarize(steps: readonly SimulationStep[], initialReplicas: number, end: number): SimulationSummary {
  const firstActive = steps.find((s) => s.active);
  const firstReplica = initialReplicas === 0 ? steps.find((s) => s.replicas > 0) : undefined;
  const peakReplicas = Math.max(initialReplicas, ...steps.map((s) => s.replicas));
  const peak = steps.find((s) => s.replicas === peakReplicas);
  let lastActiveIndex = -1;
  steps.forEach((s, i) => {
    if (s.active) lastActiveIndex = i;
  });
  const lastActive = steps[lastActiveIndex];
  const backToZero = lastActive ? steps.slice(lastActiveIndex + 1).find((s) => s.replicas === 0) : undefined;
  let replicaSeconds = 0;
  let previous = { t: 0, replicas: initialReplicas };
  for (const step of [...steps, { t: end, replicas: steps.at(-1)?.replicas ?? initialReplicas }]) {
    replicaSeconds += previous.replicas * (step.t - previous.t);
    previous = step;
  }
  return {
    steps: steps.length,
    firstActiveAt: firstActive?.t ?? null,
    firstReplicaAt: firstReplica?.t ?? null,
    peakReplicas,
    peakAt: peakReplicas > initialReplicas ? (peak?.t ?? null) : null,
    lastActiveAt: lastActive?.t ?? null,
    backToZeroAt: backToZero?.t ?? null,
    finalReplicas: steps.at(-1)?.replicas ?? initialReplicas,
    replicaSeconds,
  };
}
