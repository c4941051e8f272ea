// The pure half of one scale-loop step: given an observation (evaluate's output) and the target's
// size, what the executor and the HPA decide. It follows simulate.ts step for step (executor first,
// then in direct mode the HPA with no scale-up limit; keda mode syncs the HPA on its own period), so
// a live run and its replay through `tide simulate` agree.

import type { Observation } from '../scaling/evaluate.js';
import { decideScaledObject, type ExecutorSpec, type ExecutorState, type ScaleDecision } from '../scaling/executor.js';
import { DEFAULT_TOLERANCE, externalMetricProposal, syncHpa, type ExternalMetricObservation, type HpaSpec, type HpaState, type HpaSyncResult } from '../scaling/hpa.js';
import { isPaused, type MetricTarget } from './scaled-object-specs.js';

export type LoopMode = 'keda' | 'direct';

/** What a step needs of the object, resolved once. */
export interface StepModel {
  readonly executor: ExecutorSpec;
  readonly hpa: HpaSpec;
  /** HPA target of every served metric, by metric name (composite-metric included). */
  readonly targets: ReadonlyMap<string, MetricTarget>;
}

/** What the controllers remember between steps. */
export interface StepMemory {
  readonly executor: ExecutorState;
  readonly hpa: HpaState | undefined;
}

/** The target's size as read before the step. */
export interface TargetSize {
  readonly replicas: number;
  readonly readyReplicas: number;
}

/** What one step decided. */
export interface StepOutcome {
  /** spec.replicas after the step. */
  readonly replicas: number;
  /** The unclamped HPA proposal (max over valid metrics); 0 when none is valid. */
  readonly desired: number;
  /** In KEDA's and the HPA's vocabulary: the executor's reason unless the HPA's says more (as simulate reports it). */
  readonly reason: string;
  /** The executor's own reason (polls only). */
  readonly executorReason?: string;
  /** The HPA's own reason (HPA syncs, and polls in direct mode). */
  readonly hpaReason?: string;
  /** The executor's whole decision (polls only): conditions, events and lastActiveTime for the operator's status. */
  readonly executorDecision?: ScaleDecision;
  readonly memory: StepMemory;
}

/** A KEDA poll: the executor (0 ↔ 1, cooldown, pause, min) and, in direct mode, the HPA at once. */
export function pollStep(
  model: StepModel,
  memory: StepMemory,
  observation: Observation,
  size: TargetSize,
  now: number,
  mode: LoopMode,
  resourceMetrics: readonly ExternalMetricObservation[] = [],
): StepOutcome {
  const decision = decideScaledObject(model.executor, memory.executor, observation, size.replicas, now);
  const executor: ExecutorState = {
    ...memory.executor,
    lastActiveTime: decision.lastActiveTime,
    conditions: { ...memory.executor.conditions, ...decision.conditions },
  };
  const afterExecutor = decision.replicas ?? size.replicas;
  // New replicas are not ready yet, and scale-in removes not-ready ones first (as simulate models pods).
  const after = { replicas: afterExecutor, readyReplicas: Math.min(size.readyReplicas, afterExecutor) };
  const desired = proposal(model, observation, after, resourceMetrics);
  if (mode === 'keda' || isPaused(model.executor)) {
    return { replicas: afterExecutor, desired, reason: decision.reason, executorReason: decision.reason, executorDecision: decision, memory: { executor, hpa: memory.hpa } };
  }
  const hpa = runHpa(model, memory.hpa, observation, after, now, 'none', resourceMetrics);
  const executorChanged = afterExecutor !== size.replicas;
  const hpaTells = hpa.desiredReplicas !== afterExecutor || isTelling(hpa.reason);
  const reason = executorChanged ? decision.reason : hpaTells ? hpa.reason : decision.reason;
  return { replicas: hpa.desiredReplicas, desired, reason, executorReason: decision.reason, hpaReason: hpa.reason, executorDecision: decision, memory: { executor, hpa: hpa.state } };
}

/** A sync of the HPA KEDA generated (keda mode), on the metrics the adapter serves right now. */
export function hpaStep(
  model: StepModel,
  memory: StepMemory,
  observation: Observation,
  size: TargetSize,
  now: number,
  resourceMetrics: readonly ExternalMetricObservation[] = [],
): StepOutcome {
  if (isPaused(model.executor)) return { replicas: size.replicas, desired: 0, reason: 'ScalingDisabled', hpaReason: 'ScalingDisabled', memory };
  const desired = proposal(model, observation, size, resourceMetrics);
  const hpa = runHpa(model, memory.hpa, observation, size, now, 'kubernetes', resourceMetrics);
  return { replicas: hpa.desiredReplicas, desired, reason: hpa.reason, hpaReason: hpa.reason, memory: { executor: memory.executor, hpa: hpa.state } };
}

/** HPA reasons worth showing even when the replica count did not move. */
function isTelling(reason: string): boolean {
  return reason !== 'DesiredWithinRange' && reason !== 'ScalingDisabled';
}

function runHpa(
  model: StepModel,
  state: HpaState | undefined,
  observation: Observation,
  size: TargetSize,
  now: number,
  scaleUpLimit: 'kubernetes' | 'none',
  resourceMetrics: readonly ExternalMetricObservation[],
): HpaSyncResult {
  return syncHpa({
    spec: model.hpa,
    currentReplicas: size.replicas,
    statusReplicas: size.replicas,
    readyPods: size.readyReplicas,
    metrics: [...hpaMetrics(model, observation), ...resourceMetrics],
    now,
    state,
    options: { scaleUpLimit },
  });
}

/** The external metrics as the adapter serves them (fallback applied), with their HPA targets. */
export function hpaMetrics(model: StepModel, observation: Observation): ExternalMetricObservation[] {
  return observation.metrics.map((served) => {
    const target = model.targets.get(served.metricName);
    return {
      name: served.metricName,
      targetType: target?.targetType ?? 'AverageValue',
      targetMilli: target?.targetMilli ?? 0,
      valueMilli: served.valueMilli,
      error: served.error,
    };
  });
}

/** The HPA's unclamped proposal: max over the valid metrics (cpu/memory ones included when given), 0 when none is. */
export function proposal(model: StepModel, observation: Observation, size: TargetSize, resourceMetrics: readonly ExternalMetricObservation[] = []): number {
  let best = 0;
  for (const metric of [...hpaMetrics(model, observation), ...resourceMetrics]) {
    const value = externalMetricProposal(metric, size.replicas, size.replicas, size.readyReplicas, DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);
    if (typeof value === 'number' && value > best) best = value;
  }
  return best;
}
