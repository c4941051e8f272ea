// `tide simulate`: the scaling engine driven by a virtual clock over a metric trace. The decisions are
// the scale loop's own (evaluate, then pollStep / hpaStep from loop-step.ts); only time and the cluster are simulated:
// KEDA polls at pollingInterval, the HPA syncs on its own period (keda mode), pods become ready after
// a delay, and every replica change is applied at once.

import { milliFromFloat } from '../api/quantity.js';
import { evaluate, type EvaluateInput, type Observation, type TriggerObservation, type TriggerResult } from '../scaling/evaluate.js';
import type { ExecutorState } from '../scaling/executor.js';
import type { HealthMap } from '../scaling/fallback.js';
import type { ExternalMetricObservation, HpaState } from '../scaling/hpa.js';
import { hpaStep, pollStep, type StepMemory, type StepOutcome, type TargetSize } from './loop-step.js';
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
  const outcome = pollStep(model, memoryOf(world), observation, sizeOf(world, t), now, options.mode, resourceMetrics(model, cursor, t));
  apply(world, outcome, t, options);
  return { t, step: 'poll', replicas: world.replicas, desired: outcome.desired, active: observation.active, reason: outcome.reason };
}

function hpaSync(model: SimulationModel, world: World, cursor: TraceCursor, t: number, options: SimulationOptions): SimulationStep {
  const now = options.start + t * 1000;
  // The HPA asks the metrics adapter, which fetches live values (and tracks fallback health) too.
  const observation = observe(model, world, cursor, t, now);
  const outcome = hpaStep(model, memoryOf(world), observation, sizeOf(world, t), now, resourceMetrics(model, cursor, t));
  apply(world, outcome, t, options);
  return { t, step: 'hpa', replicas: world.replicas, desired: outcome.desired, active: observation.active, reason: outcome.reason };
}

function memoryOf(world: World): StepMemory {
  return { executor: world.executor, hpa: world.hpa };
}

function sizeOf(world: World, t: number): TargetSize {
  return { replicas: world.replicas, readyReplicas: readyPods(world, t) };
}

function apply(world: World, outcome: StepOutcome, t: number, options: SimulationOptions): void {
  world.executor = outcome.memory.executor;
  world.hpa = outcome.memory.hpa;
  setReplicas(world, outcome.replicas, t, options);
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

/** cpu/memory triggers read from the trace: utilisation and per-pod averages follow the Value rule, ceil(ratio × ready pods). */
function resourceMetrics(model: SimulationModel, cursor: TraceCursor, t: number): ExternalMetricObservation[] {
  const values = cursor.at(t);
  return model.triggers
    .filter((trigger) => trigger.observation.kind === 'resource')
    .map((trigger) => {
      const value = trigger.column === undefined ? undefined : values[trigger.column];
      return {
        name: trigger.observation.metricName,
        targetType: 'Value' as const,
        targetMilli: trigger.observation.targetMilli,
        ...(value === null || value === undefined ? { error: `no value in the trace for ${trigger.label}` } : { valueMilli: milliFromFloat(value) }),
      };
    });
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
