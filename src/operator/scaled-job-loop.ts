// One ScaledJob's polling loop (keda.md §3): every pollingInterval read the triggers, count the
// running and pending Jobs from the informer caches, let the pure executor (scaling/jobs-executor.ts)
// decide, create that many Jobs, write conditions and lastActiveTime when they change, record KEDA's
// events and delete finished Jobs beyond the history limits. A failing poll is logged and the next
// one runs; nothing here throws into the operator.
import { ConditionType, type Condition } from '../api/conditions.js';
import type { ScaledJobSettings, TriggerSettings } from '../api/defaults.js';
import type { ScaledJob, ScaledJobStatus } from '../api/scaled-job.js';
import type { ConcurrencyLimit } from '../engine/concurrency-limit.js';
import type { TriggerRecord } from '../engine/loop-decisions.js';
import { readAll, type LoopScaler, type ScalerFactory } from '../engine/loop-scalers.js';
import { triggerRecord } from '../engine/loop-triggers.js';
import type { KubeApi, KubeObject } from '../kube/api.js';
import type { Informer } from '../kube/informer.js';
import { decideScaledJob, jobsToDelete, type ScaledJobDecision, type ScaledJobSpec, type ScaledJobState } from '../scaling/jobs-executor.js';
import type { JobTriggerObservation } from '../scaling/jobs.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventRecorder } from './event-recorder.js';
import { buildJob, finishedJobs, jobSummaries, ownedJobs } from './scaled-job-jobs.js';
import type { StatusWriter } from './status-writer.js';
import { kubeTime, withCondition } from './status.js';

/** A trigger of the loop: its metric (first External spec) and its scaler, or why it has none. */
export interface JobLoopTrigger {
  readonly settings: TriggerSettings;
  readonly metricName: string;
  readonly targetMilli: number;
  readonly activationMilli: number;
  readonly scaler: LoopScaler | { readonly error: string };
}

/** Builds every trigger's scaler; what cannot be built is returned as problems. */
export function buildJobTriggers(settings: ScaledJobSettings, factory: ScalerFactory): { triggers: JobLoopTrigger[]; problems: string[] } {
  const context = { scaledObject: { name: settings.name, namespace: settings.namespace }, metricSource: false };
  const problems: string[] = [];
  const triggers = settings.triggers.map((trigger): JobLoopTrigger => {
    const built = factory(trigger, context);
    const spec = 'error' in built ? undefined : built.metricSpecs.find((m) => m.kind === 'External');
    if ('error' in built || spec === undefined) {
      const error = 'error' in built ? built.error : `trigger ${trigger.index} (${trigger.type}): the scaler declares no external metric (cpu and memory do not apply to ScaledJobs)`;
      problems.push(error);
      return { settings: trigger, metricName: `s${trigger.index}-${trigger.type}`, targetMilli: 0, activationMilli: 0, scaler: { error } };
    }
    return { settings: trigger, metricName: spec.metricName, targetMilli: spec.targetMilli, activationMilli: spec.activationMilli, scaler: built };
  });
  return { triggers, problems };
}

export interface JobLoopDeps {
  readonly api: KubeApi;
  readonly jobs: Informer;
  readonly pods: Informer;
  readonly status: StatusWriter<ScaledJobStatus>;
  readonly events: EventRecorder;
  readonly log: Logger;
  /** app.kubernetes.io/version of created Jobs. */
  readonly version: string;
  readonly now: () => number;
  /** The ScaledJob as the informer has it now. */
  readonly current: (namespace: string, name: string) => KubeObject | undefined;
  /** The operator's bound on scaler reads at once, shared by every loop. */
  readonly scalerCalls?: ConcurrencyLimit;
  /** Told of every poll (KEDA's metrics): what each trigger read, how late the poll ran, and whether it failed. */
  readonly onPoll?: (triggers: TriggerRecord[], lateMs: number, failed: boolean) => void;
}

/** Jobs we created that the informer has not shown yet are counted anyway (client-go's expectations). */
const UNSEEN_TTL_MS = 60_000;

const EXECUTOR_TYPES = { ready: ConditionType.Ready, active: ConditionType.Active, paused: ConditionType.Paused } as const;

export class ScaledJobLoop {
  /** Polls finished (for tests). */
  polls = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the next poll is due (after the first). */
  private due: number | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly unseen = new Map<string, { job: KubeObject; at: number }>();

  constructor(
    private readonly deps: JobLoopDeps,
    readonly scaledJob: ScaledJob,
    readonly settings: ScaledJobSettings,
    readonly triggers: readonly JobLoopTrigger[],
    /** generation: a different value means a new loop. */
    readonly fingerprint: string,
  ) {}

  /** Jobs this loop created that the informer has not shown yet. */
  recentlyCreated(): KubeObject[] {
    return [...this.unseen.values()].map((u) => u.job);
  }

  /** Polls now, then every pollingInterval. */
  start(): void {
    this.tick();
  }

  /** Stops the timer, waits for a poll in flight and closes the scalers. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled(this.triggers.map((t) => ('error' in t.scaler ? Promise.resolve() : t.scaler.close())));
  }

  private tick(): void {
    if (this.stopped) return;
    const lateMs = this.due === undefined ? 0 : this.deps.now() - this.due;
    this.running = this.poll(lateMs).catch((error: unknown) => {
      this.deps.onPoll?.([], lateMs, true);
      this.deps.log.warn('ScaledJob poll failed', { scaledJob: `${this.settings.namespace}/${this.settings.name}`, error: error instanceof Error ? error.message : String(error) });
    }).finally(() => {
      this.polls++;
      if (this.stopped) return;
      this.due = this.deps.now() + this.settings.pollingIntervalMs;
      this.timer = setTimeout(() => { this.tick(); }, this.settings.pollingIntervalMs);
      this.timer.unref();
    });
  }

  private async poll(lateMs: number): Promise<void> {
    const { namespace, name } = this.settings;
    const object = this.deps.current(namespace, name);
    if (object === undefined) return;
    const now = this.deps.now();
    const latenciesMs: number[] = [];
    const results = await readAll(this.triggers.map((t) => t.scaler), now, latenciesMs, this.deps.scalerCalls);
    // What the executor decides from, and the same reads as the operator's metrics record them.
    const reads = this.triggers.map((t, i) => {
      const r = results[i];
      const result = r === undefined ? { error: 'no result' } : 'error' in r ? { error: r.error } : { valueMilli: r.valueMilli, active: r.active ?? r.valueMilli > t.activationMilli };
      const observation: JobTriggerObservation = { metricName: t.metricName, ...(t.settings.name !== undefined ? { triggerName: t.settings.name } : {}), targetType: 'AverageValue', targetMilli: t.targetMilli, result };
      const record = triggerRecord({ name: t.settings.name ?? String(t.settings.index), type: t.settings.type, metricName: t.metricName, targetMilli: t.targetMilli, targetType: 'AverageValue' }, result, latenciesMs[i]);
      return { observation, record };
    });
    this.deps.onPoll?.(reads.map((x) => x.record), lateMs, false);
    const observations = reads.map((x) => x.observation);
    const jobs = this.jobs(object, now);
    const pods = this.deps.pods.list().filter((p) => p.metadata.namespace === namespace);
    const status = this.deps.status.current(namespace, name);
    const decision = decideScaledJob(this.spec(), jobState(status), observations, jobSummaries(jobs, pods, this.settings.pendingPodConditions), now);
    await this.createJobs(object, decision.jobsToCreate, now);
    await this.deps.status.update(namespace, name, (s) => withDecision(s, decision));
    for (const event of decision.events) await this.deps.events.record(object, event);
    await this.cleanUp(jobs);
  }

  /** The ScaledJob's Jobs: the informer's, plus those we created that it has not shown yet. */
  private jobs(object: KubeObject, now: number): KubeObject[] {
    const cached = ownedJobs(this.deps.jobs.list(), this.settings.namespace, this.settings.name, object.metadata.uid ?? '');
    const seen = new Set(cached.map((j) => j.metadata.name));
    for (const [jobName, { at }] of this.unseen) if (seen.has(jobName) || now - at > UNSEEN_TTL_MS) this.unseen.delete(jobName);
    return [...cached, ...[...this.unseen.values()].map((u) => u.job)];
  }

  private spec(): ScaledJobSpec {
    const spec = this.scaledJob.spec;
    const strategy = spec.scalingStrategy;
    return {
      minReplicaCount: spec.minReplicaCount,
      maxReplicaCount: spec.maxReplicaCount,
      strategy: strategy?.strategy,
      customScalingQueueLengthDeduction: strategy?.customScalingQueueLengthDeduction,
      customScalingRunningJobPercentage: strategy?.customScalingRunningJobPercentage,
      multipleScalersCalculation: strategy?.multipleScalersCalculation,
      paused: false,
    };
  }

  private async createJobs(object: KubeObject, count: number, now: number): Promise<void> {
    const meta = this.scaledJob.metadata;
    const job = buildJob({
      name: this.settings.name,
      namespace: this.settings.namespace,
      uid: object.metadata.uid ?? '',
      generation: this.settings.generation,
      labels: meta.labels,
      annotations: meta.annotations,
      jobTargetRef: this.scaledJob.spec.jobTargetRef,
      excludedLabels: this.settings.jobExcludedLabels,
    }, this.deps.version);
    for (let i = 0; i < count && !this.stopped; i++) {
      try {
        const created = await this.deps.api.create(job);
        this.unseen.set(created.metadata.name ?? '', { job: { ...created, apiVersion: 'batch/v1', kind: 'Job' }, at: now });
      } catch (error) {
        this.deps.log.warn('could not create a Job', { scaledJob: `${this.settings.namespace}/${this.settings.name}`, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first, go (background propagation). */
  private async cleanUp(jobs: readonly KubeObject[]): Promise<void> {
    const names = new Set(jobsToDelete(finishedJobs(jobs), this.settings.successfulJobsHistoryLimit, this.settings.failedJobsHistoryLimit));
    for (const job of jobs) {
      if (!names.has(job.metadata.name ?? '') || job.metadata.deletionTimestamp !== undefined) continue;
      try {
        await this.deps.api.delete('batch/v1', 'Job', this.settings.namespace, job.metadata.name ?? '');
      } catch (error) {
        this.deps.log.warn('could not delete a finished Job', { job: `${this.settings.namespace}/${job.metadata.name ?? ''}`, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

/** The executor's view of the status. */
export function jobState(status: ScaledJobStatus): ScaledJobState {
  const pick = (type: string): ScaledJobState['conditions']['ready'] => {
    const c = status.conditions?.find((x) => x.type === type);
    return c === undefined ? undefined : { status: c.status, reason: c.reason ?? '', message: c.message ?? '' };
  };
  const last = status.lastActiveTime !== undefined ? Date.parse(status.lastActiveTime) : NaN;
  return {
    lastActiveTime: Number.isFinite(last) ? last : undefined,
    conditions: { ready: pick(ConditionType.Ready), active: pick(ConditionType.Active), paused: pick(ConditionType.Paused) },
  };
}

/** The status after a poll: the decision's changed conditions, lastActiveTime and each trigger's activity. */
export function withDecision(s: ScaledJobStatus, decision: ScaledJobDecision): ScaledJobStatus {
  let conditions: Condition[] | undefined = s.conditions;
  for (const [key, type] of Object.entries(EXECUTOR_TYPES) as [keyof typeof EXECUTOR_TYPES, string][]) {
    const c = decision.conditions[key];
    if (c !== undefined) conditions = withCondition(conditions, type, c.status, c.reason, c.message);
  }
  const next: ScaledJobStatus = { ...s };
  if (conditions !== undefined) next.conditions = conditions;
  if (decision.lastActiveTime !== undefined) next.lastActiveTime = kubeTime(decision.lastActiveTime);
  const activity = Object.entries(decision.triggersActivity);
  if (activity.length > 0) next.triggersActivity = Object.fromEntries(activity.map(([metric, isActive]) => [metric, { isActive }]));
  return next;
}
