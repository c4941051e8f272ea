// The scale loop of one ScaledObject: owns timing and I/O around the pure decisions. One timer at
// pollingInterval runs KEDA's poll (evaluate → executor, and in direct mode the HPA at once); in keda
// mode a second timer syncs the HPA on its own period. Push scalers wake a poll at once. Steps run one
// at a time, every one is recorded, and nothing a scaler or the target does can crash the loop.
// The operator and local mode both run this; `tide simulate` replays the same steps on a virtual clock.

import { scaledObjectSettings, type ScaledObjectSettings } from '../api/defaults.js';
import { COMPOSITE_METRIC_NAME, type ScaledObject } from '../api/scaled-object.js';
import { evaluate, type MetricOutcome, type Observation, type TriggerResult } from '../scaling/evaluate.js';
import type { ExecutorState, ScaleDecision } from '../scaling/executor.js';
import type { HealthMap } from '../scaling/fallback.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import type { ScaleTarget } from '../targets/scale-target.js';
import { systemScheduler, type Scheduler, type TimerHandle } from './loop-clock.js';
import { DecisionLog, type LoopDecision } from './loop-decisions.js';
import { serveMetric } from './loop-metrics.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { readAll, scalerInstanceFactory, type ScalerFactory } from './loop-scalers.js';
import { hpaStep, pollStep, type LoopMode, type StepMemory, type StepModel } from './loop-step.js';
import { buildLoopTriggers, triggerRecords, type LoopTrigger } from './loop-triggers.js';
import { executorSpec, hpaSpec, metricTarget, modifiersInput, type MetricTarget } from './scaled-object-specs.js';

export type { LoopMode } from './loop-step.js';
export type { LoopDecision, TriggerRecord } from './loop-decisions.js';
export type { Scheduler } from './loop-clock.js';
export type { LoopScaler, ScalerFactory } from './loop-scalers.js';

/** The Kubernetes HPA controller's default --horizontal-pod-autoscaler-sync-period. */
export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;
/** Decisions kept for `explain` (about 8 hours at a 30 s poll with 15 s syncs). */
export const DEFAULT_DECISION_CAPACITY = 2000;

export interface ScaleLoopOptions {
  /** keda: the HPA syncs on its own period with Kubernetes' limits; direct: the HPA step runs at each poll with no scale-up limit. */
  readonly mode: LoopMode;
  readonly hpaSyncPeriodMs?: number;
  readonly scheduler?: Scheduler;
  /** Builds each trigger's scaler; by default the registry's scalers as ScalerInstances with no auth inputs. */
  readonly scalers?: ScalerFactory;
  readonly log?: Logger;
  readonly onDecision?: (decision: LoopDecision) => void;
  readonly decisionCapacity?: number;
  /**
   * keda mode with a real HPA controller acting on the target (the operator): the loop runs only
   * KEDA's polls (0 ↔ 1, idle, min through /scale) and never simulates the HPA's sync.
   */
  readonly externalHpa?: boolean;
  /** What the executor remembers from before this loop (the operator seeds it from the object's status). */
  readonly initialState?: Partial<ExecutorState>;
  /** Every poll's executor decision with the state after it; `error` when writing the target failed. */
  /** Shared by every loop of an operator: at most this many scaler reads at once (none when absent). */
  readonly scalerCalls?: ConcurrencyLimit;
  readonly onExecutor?: (step: ExecutorStep) => void;
}

/** One poll as the executor saw it: what the operator turns into status conditions and events. */
export interface ExecutorStep {
  readonly decision: ScaleDecision;
  readonly state: ExecutorState;
  readonly replicasBefore: number;
  /** Each metric's health after this poll (`status.health`; empty unless fallback is configured). */
  readonly health: HealthMap;
  readonly error?: string;
}

type StepKind = LoopDecision['step'];
type Cause = LoopDecision['cause'];

export class ScaleLoop {
  /** Triggers that could not be built (they read as errors every step); callers that must not start with them check this. */
  readonly problems: readonly string[];
  readonly settings: ScaledObjectSettings;
  private readonly model: StepModel;
  private readonly fallback: ScaledObjectSettings['fallback'];
  private readonly modifiers: ReturnType<typeof modifiersInput>;
  private readonly triggers: readonly LoopTrigger[];
  private readonly scheduler: Scheduler;
  private readonly log: Logger;
  private readonly history: DecisionLog;
  private readonly hpaSyncPeriodMs: number;
  private memory: StepMemory;
  private health: HealthMap = {};
  /** Each trigger's result at the last step: what `useCachedMetrics` serves. */
  private lastResults: readonly (TriggerResult | undefined)[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<StepKind, Promise<LoopDecision | undefined>>();
  private pollTimer: TimerHandle | undefined;
  private syncTimer: TimerHandle | undefined;
  private unsubscribes: (() => void)[] = [];
  private started = false;
  private stopped = false;

  constructor(
    scaledObject: ScaledObject,
    private readonly target: ScaleTarget,
    private readonly options: ScaleLoopOptions,
  ) {
    const settings = scaledObjectSettings(scaledObject);
    this.settings = settings;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.log = (options.log ?? silentLogger).child({ scaledObject: `${settings.namespace}/${settings.name}` });
    this.history = new DecisionLog(options.decisionCapacity ?? DEFAULT_DECISION_CAPACITY);
    this.hpaSyncPeriodMs = options.hpaSyncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
    const problems: string[] = [];
    this.modifiers = settings.scalingModifiers ? modifiersInput(settings.scalingModifiers, settings.triggers, problems) : undefined;
    this.triggers = buildLoopTriggers(settings, options.scalers ?? scalerInstanceFactory(), this.modifiers !== undefined, problems);
    const targets = new Map<string, MetricTarget>();
    for (const t of this.triggers) if (t.observation.kind === 'external') targets.set(t.observation.metricName, metricTarget(t.observation));
    if (this.modifiers) targets.set(COMPOSITE_METRIC_NAME, { targetType: this.modifiers.metricType, targetMilli: this.modifiers.targetMilli });
    this.model = { executor: executorSpec(settings), hpa: hpaSpec(settings), targets };
    this.fallback = settings.fallback;
    this.memory = { executor: { creationTime: this.scheduler.now(), conditions: {}, ...options.initialState }, hpa: undefined };
    this.problems = problems;
    for (const p of problems) this.log.warn(p);
  }

  /** Starts the timers (first poll, and first HPA sync in keda mode, at once) and the push subscriptions. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const now = this.scheduler.now();
    this.schedulePoll(now);
    if (this.options.mode === 'keda' && this.options.externalHpa !== true) this.scheduleSync(now);
    for (const t of this.triggers) {
      const scaler = t.scaler;
      if (scaler === undefined || 'error' in scaler || !scaler.subscribe) continue;
      this.unsubscribes.push(scaler.subscribe(() => void this.enqueue('poll', 'push')));
    }
  }

  /** Stops timers and subscriptions, waits for the step under way, then closes every scaler. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer !== undefined) this.scheduler.clearTimeout(this.pollTimer);
    if (this.syncTimer !== undefined) this.scheduler.clearTimeout(this.syncTimer);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    await this.chain;
    const closing: Promise<void>[] = [];
    for (const t of this.triggers) if (t.scaler !== undefined && !('error' in t.scaler)) closing.push(t.scaler.close());
    await Promise.allSettled(closing);
  }

  /** Runs a poll now (after the step under way); undefined once stopped or when the target could not be read. */
  pollNow(): Promise<LoopDecision | undefined> {
    return this.enqueue('poll', 'manual');
  }

  /** Runs an HPA sync now (keda mode's step; tests and `tide up` use it to settle). */
  hpaSyncNow(): Promise<LoopDecision | undefined> {
    return this.enqueue('hpa', 'manual');
  }

  /** The value the HPA is served for `metricName` (the metrics service); undefined when this object has no such metric. */
  async metricValue(metricName: string): Promise<MetricOutcome | undefined> {
    const served = await serveMetric({
      triggers: this.triggers, cached: this.lastResults, fallback: this.fallback, modifiers: this.modifiers, health: this.health,
      size: () => this.target.getReplicas(), now: this.scheduler.now(), limit: this.options.scalerCalls,
    }, metricName);
    if (served === undefined) return undefined;
    this.health = served.health;
    return served.outcome;
  }

  /** Recorded decisions in time order, those at or after `since` (epoch ms) when given. */
  decisions(since?: number): LoopDecision[] {
    return this.history.list(since);
  }

  /** Resolves when every queued step has run. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  private schedulePoll(due: number): void {
    if (this.stopped) return;
    this.pollTimer = this.scheduler.setTimeout(() => {
      void this.enqueue('poll', 'timer', due);
      this.schedulePoll(due + this.settings.pollingIntervalMs);
    }, Math.max(0, due - this.scheduler.now()));
  }

  private scheduleSync(due: number): void {
    if (this.stopped) return;
    this.syncTimer = this.scheduler.setTimeout(() => {
      void this.enqueue('hpa', 'timer', due);
      this.scheduleSync(due + this.hpaSyncPeriodMs);
    }, Math.max(0, due - this.scheduler.now()));
  }

  /** Queues a step; a step of the same kind already waiting to run absorbs this one (no pile-up behind a slow source). */
  private enqueue(step: StepKind, cause: Cause, due?: number): Promise<LoopDecision | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const waiting = this.pending.get(step);
    if (waiting) return waiting;
    const run = this.chain.then(() => {
      this.pending.delete(step);
      return this.stopped ? undefined : this.runStep(step, cause, due);
    });
    this.pending.set(step, run);
    this.chain = run.catch((error: unknown) => {
      this.log.error('scale loop step failed', { step, error: error instanceof Error ? error.message : String(error) });
    });
    return run.catch(() => undefined);
  }

  private async runStep(step: StepKind, cause: Cause, due: number | undefined): Promise<LoopDecision | undefined> {
    let size: { replicas: number; readyReplicas: number };
    try {
      size = await this.target.getReplicas();
    } catch (error) {
      this.log.warn('could not read the scale target', { step, error: message(error) });
      return undefined;
    }
    const now = this.scheduler.now();
    const latenciesMs: number[] = [];
    const results = await readAll(this.triggers.map((t) => t.scaler), now, latenciesMs, this.options.scalerCalls);
    this.lastResults = results;
    const observation = this.observe(results, size);
    const outcome = step === 'poll' ? pollStep(this.model, this.memory, observation, size, now, this.options.mode) : hpaStep(this.model, this.memory, observation, size, now);
    this.memory = outcome.memory;
    let error: string | undefined;
    if (outcome.replicas !== size.replicas) {
      try {
        await this.target.setReplicas(outcome.replicas, outcome.reason);
      } catch (e) {
        error = message(e);
        this.log.warn('could not scale the target', { step, replicas: outcome.replicas, error });
      }
    }
    const decision: LoopDecision = {
      at: now,
      ...(due !== undefined ? { due } : {}),
      step,
      cause,
      replicasBefore: size.replicas,
      replicasAfter: error === undefined ? outcome.replicas : size.replicas,
      desired: outcome.desired,
      active: observation.active,
      reason: outcome.reason,
      ...(outcome.executorReason !== undefined ? { executorReason: outcome.executorReason } : {}),
      ...(outcome.hpaReason !== undefined ? { hpaReason: outcome.hpaReason } : {}),
      ...(error !== undefined ? { error } : {}),
      triggers: triggerRecords(this.triggers, results, latenciesMs),
    };
    this.history.add(decision);
    this.options.onDecision?.(decision);
    if (outcome.executorDecision !== undefined) {
      this.options.onExecutor?.({ decision: outcome.executorDecision, state: this.memory.executor, replicasBefore: size.replicas, health: this.health, ...(error !== undefined ? { error } : {}) });
    }
    return decision;
  }

  private observe(results: readonly (TriggerResult | undefined)[], size: { replicas: number; readyReplicas: number }): Observation {
    const observation = evaluate({
      triggers: this.triggers.map((t, i) => {
        const result = results[i];
        return result === undefined ? t.observation : { ...t.observation, result };
      }),
      fallback: this.fallback,
      scalingModifiers: this.modifiers,
      health: this.health,
      currentReplicas: size.replicas,
      readyPods: size.readyReplicas,
    });
    this.health = observation.health;
    return observation;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
