// `tide simulate`: the scaling engine driven by a virtual clock over a metric trace. The decisions are
// the real ones (evaluate → executor → hpa from src/scaling); only time and the cluster are simulated:
// KEDA polls at pollingInterval, the HPA syncs on its own period (keda mode), pods become ready after
// a delay, and every replica change is applied at once.

import { milliFromFloat } from '../api/quantity.js';
import { evaluate, type EvaluateInput, type Observation, type TriggerObservation, type TriggerResult } from '../scaling/evaluate.js';
import { decideScaledObject, type ExecutorSpec, type ExecutorState } from '../scaling/executor.js';
import type { HealthMap } from '../scaling/fallback.js';
import { externalMetricProposal, syncHpa, type ExternalMetricObservation, type HpaSpec, type HpaState } from '../scaling/hpa.js';
import type { SimulationModel, SimulatedTrigger } from './simulation-model.js';
import { TraceCursor, type Trace } from './trace.js';

export type SimulationMode = 'keda' | 'direct';

export interface SimulationOptions {
  readonly mode: SimulationMode;
  /** Epoch milliseconds of t = 0 (anchors cron triggers and the object's creation time). */
  readonly start: number;
  /** The HPA controller's sync period in seconds (keda mode). */
  readonly hpaSyncPeriodSeconds: number;
  /** Seconds from a replica being added to its pod counting as ready. */
  readonly readyDelaySeconds: number;
}

/** One evaluation: a KEDA poll or (keda mode) an HPA sync. */
export interface SimulationStep {
  readonly t: number;
  readonly step: 'poll' | 'hpa';
  /** spec.replicas after this step. */
  readonly replicas: number;
  /** The unclamped HPA proposal from this step's metrics (max over metrics); 0 when none is valid. */
  readonly desired: number;
  readonly active: boolean;
  /** In KEDA's and the HPA's vocabulary. */
  readonly reason: string;
}

/** Mutable state of the simulated cluster and controllers. */
interface World {
  replicas: number;
  /** Ready time (seconds) of each existing pod, oldest first. */
  pods: number[];
  executor: ExecutorState;
  health: HealthMap;
  hpa: HpaState | undefined;
}

/** Runs the whole trace and returns every step in time order. */
export function simulate(model: SimulationModel, trace: Trace, options: SimulationOptions): SimulationStep[] {
  const cursor = new TraceCursor(trace);
  const world: World = {
    replicas: model.initialReplicas,
    pods: Array.from({ length: model.initialReplicas }, () => 0),
    executor: { creationTime: options.start, conditions: {} },
    health: {},
    hpa: undefined,
  };
  const steps: SimulationStep[] = [];
  const pollEvery = model.pollingInterval;
  const syncEvery = options.hpaSyncPeriodSeconds;
  let nextPoll = 0;
  let nextSync = options.mode === 'keda' ? 0 : Infinity;
  while (Math.min(nextPoll, nextSync) <= cursor.end) {
    // A poll and a sync at the same instant: KEDA's poll first, as it wakes a target the HPA then sizes.
    if (nextPoll <= nextSync) {
      steps.push(poll(model, world, cursor, nextPoll, options));
      nextPoll += pollEvery;
    } else {
      steps.push(hpaSync(model, world, cursor, nextSync, options));
      nextSync += syncEvery;
    }
  }
  return steps;
}

function poll(model: SimulationModel, world: World, cursor: TraceCursor, t: number, options: SimulationOptions): SimulationStep {
  const now = options.start + t * 1000;
  const observation = observe(model, world, cursor, t, now);
  const decision = decideScaledObject(model.executor, world.executor, observation, world.replicas, now);
  world.executor = {
    ...world.executor,
    lastActiveTime: decision.lastActiveTime,
    conditions: { ...world.executor.conditions, ...decision.conditions },
  };
  const before = world.replicas;
  if (decision.replicas !== undefined) setReplicas(world, decision.replicas, t, options);
  const desired = proposal(model, world, observation, cursor, t);
  if (options.mode === 'keda' || isPaused(model.executor)) {
    return { t, step: 'poll', replicas: world.replicas, desired, active: observation.active, reason: decision.reason };
  }
  // Direct mode: the HPA step runs at every poll with no scale-up rate limit.
  const hpa = runHpa(model, world, observation, cursor, t, now, 'none');
  const executorChanged = world.replicas !== before;
  setReplicas(world, hpa.desiredReplicas, t, options);
  const reason = executorChanged ? decision.reason : hpa.desiredReplicas !== hpa.current || isTelling(hpa.reason) ? hpa.reason : decision.reason;
  return { t, step: 'poll', replicas: world.replicas, desired, active: observation.active, reason };
}

function hpaSync(model: SimulationModel, world: World, cursor: TraceCursor, t: number, options: SimulationOptions): SimulationStep {
  const now = options.start + t * 1000;
  // The HPA asks the metrics adapter, which fetches live values (and tracks fallback health) too.
  const observation = observe(model, world, cursor, t, now);
  if (isPaused(model.executor)) {
    return { t, step: 'hpa', replicas: world.replicas, desired: 0, active: observation.active, reason: 'ScalingDisabled' };
  }
  const desired = proposal(model, world, observation, cursor, t);
  const hpa = runHpa(model, world, observation, cursor, t, now, 'kubernetes');
  setReplicas(world, hpa.desiredReplicas, t, options);
  return { t, step: 'hpa', replicas: world.replicas, desired, active: observation.active, reason: hpa.reason };
}

/** KEDA deletes the HPA while paused (paused or paused-replicas), so nothing but the pin acts. */
function isPaused(spec: ExecutorSpec): boolean {
  return spec.pause.paused || spec.pause.pausedReplicas !== undefined;
}

/** HPA reasons worth showing even when the replica count did not move. */
function isTelling(reason: string): boolean {
  return reason !== 'DesiredWithinRange' && reason !== 'ScalingDisabled';
}

function observe(model: SimulationModel, world: World, cursor: TraceCursor, t: number, now: number): Observation {
  const values = cursor.at(t);
  const triggers: TriggerObservation[] = model.triggers.map((trigger) => ({ ...trigger.observation, result: resultOf(trigger, values, now) }));
  const input: EvaluateInput = {
    triggers,
    fallback: model.fallback,
    scalingModifiers: model.scalingModifiers,
    health: world.health,
    currentReplicas: world.replicas,
    readyPods: readyPods(world, t),
  };
  const observation = evaluate(input);
  world.health = observation.health;
  return observation;
}

function resultOf(trigger: SimulatedTrigger, values: readonly (number | null)[], now: number): TriggerResult {
  if (trigger.compute) return trigger.compute(now);
  const value = trigger.column === undefined ? undefined : values[trigger.column];
  if (value === null || value === undefined) return { error: `no value in the trace for ${trigger.label}` };
  return { valueMilli: milliFromFloat(value) };
}

interface HpaRun {
  readonly desiredReplicas: number;
  readonly current: number;
  readonly reason: string;
}

function runHpa(
  model: SimulationModel,
  world: World,
  observation: Observation,
  cursor: TraceCursor,
  t: number,
  now: number,
  scaleUpLimit: 'kubernetes' | 'none',
): HpaRun {
  const spec: HpaSpec = model.hpa;
  const result = syncHpa({
    spec,
    currentReplicas: world.replicas,
    statusReplicas: world.pods.length,
    readyPods: readyPods(world, t),
    metrics: hpaMetrics(model, observation, cursor, t),
    now,
    state: world.hpa,
    options: { scaleUpLimit },
  });
  world.hpa = result.state;
  return { desiredReplicas: result.desiredReplicas, current: world.replicas, reason: result.reason };
}

/** What the HPA reads: the external metrics as served (fallback applied) plus cpu/memory from the trace. */
function hpaMetrics(model: SimulationModel, observation: Observation, cursor: TraceCursor, t: number): ExternalMetricObservation[] {
  const metrics: ExternalMetricObservation[] = observation.metrics.map((served) => {
    const target = model.targets.get(served.metricName);
    return {
      name: served.metricName,
      targetType: target?.targetType ?? 'AverageValue',
      targetMilli: target?.targetMilli ?? 0,
      valueMilli: served.valueMilli,
      error: served.error,
    };
  });
  const values = cursor.at(t);
  for (const trigger of model.triggers) {
    if (trigger.observation.kind !== 'resource') continue;
    const value = trigger.column === undefined ? undefined : values[trigger.column];
    // Utilization and per-pod averages follow the same rule as a Value target: ceil(ratio × ready pods).
    metrics.push({
      name: trigger.observation.metricName,
      targetType: 'Value',
      targetMilli: trigger.observation.targetMilli,
      ...(value === null || value === undefined ? { error: `no value in the trace for ${trigger.label}` } : { valueMilli: milliFromFloat(value) }),
    });
  }
  return metrics;
}

/** The HPA's unclamped proposal for the current metrics: max over the valid ones, 0 when none is. */
function proposal(model: SimulationModel, world: World, observation: Observation, cursor: TraceCursor, t: number): number {
  let best = 0;
  for (const metric of hpaMetrics(model, observation, cursor, t)) {
    const value = externalMetricProposal(metric, world.replicas, world.pods.length, readyPods(world, t), 0.1, 0.1);
    if (typeof value === 'number' && value > best) best = value;
  }
  return best;
}

function setReplicas(world: World, replicas: number, t: number, options: SimulationOptions): void {
  world.replicas = replicas;
  while (world.pods.length < replicas) world.pods.push(t + options.readyDelaySeconds);
  // Scale-in removes the newest pods first, as a ReplicaSet prefers not-yet-ready pods.
  world.pods.length = replicas;
}

function readyPods(world: World, t: number): number {
  let ready = 0;
  for (const readyAt of world.pods) if (readyAt <= t) ready++;
  return ready;
}
