// The ScaledJob controller (keda.md §3, KEDA's scaledjob_controller.go): finalizer, initial
// conditions, validation, pause, rollout of a new generation, the triggers' authentication and
// scalers, one polling loop per ScaledJob. A failing check gives Ready=False `ScaledJobCheckFailed`
// with a message naming the cause, Active=Unknown, a Warning event, and a retry with back-off.
import { KEDA_FINALIZER } from '../api/annotations.js';
import { ConditionType, findCondition } from '../api/conditions.js';
import { scaledJobSettings, type ScaledJobSettings } from '../api/defaults.js';
import { authenticationsTypes, triggersTypes } from '../api/scale-trigger.js';
import type { ScaledJob, ScaledJobStatus } from '../api/scaled-job.js';
import type { AuthSources } from '../auth/sources.js';
import { scalerInstanceFactory, type ScalerFactory } from '../engine/loop-scalers.js';
import type { KubeApi, KubeObject } from '../kube/api.js';
import type { Informer } from '../kube/informer.js';
import type { ReconcileResult } from '../kube/work-queue.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventRecorder } from './event-recorder.js';
import { ownedJobs, previousGenerationJobs } from './scaled-job-jobs.js';
import type { ConcurrencyLimit } from '../engine/concurrency-limit.js';
import type { OperatorMetrics } from './operator-metrics.js';
import { buildJobTriggers, ScaledJobLoop } from './scaled-job-loop.js';
import type { StatusWriter } from './status-writer.js';
import { withCondition, withInitialConditions } from './status.js';
import { CheckFailed, isReady, removeKedaFinalizer, reportFailedCheck, reportReady, validated } from './keda-object.js';
import { apiTriggerAuthentications, podTemplateSpec, resolveTriggerInputs } from './trigger-inputs.js';

const MSG = {
  ready: 'ScaledJob is defined correctly and is ready to scaling', // sic, KEDA's words
  paused: 'ScaledJob is paused, skipping reconcile loop',
  invalid: "ScaledJob doesn't have correct specification",
  scalers: 'Failed to ensure ScaledJob is correctly created',
  rollout: 'Cannot delete Jobs of the previous version of the ScaledJob',
} as const;

export interface ScaledJobControllerDeps {
  readonly api: KubeApi;
  readonly scaledJobs: Informer;
  readonly jobs: Informer;
  readonly pods: Informer;
  readonly status: StatusWriter<ScaledJobStatus>;
  readonly events: EventRecorder;
  readonly sources: AuthSources;
  readonly clusterObjectNamespace: string;
  /** app.kubernetes.io/version of created Jobs. */
  readonly version: string;
  readonly log: Logger;
  readonly now?: () => number;
  readonly scalerFactory?: (inputs: Parameters<typeof scalerInstanceFactory>[0]) => ScalerFactory;
  /** The state of the authentications the triggers use; a change rebuilds the loop (new credentials). */
  readonly authFingerprint?: (namespace: string, triggers: ScaledJobSettings['triggers']) => string;
  /** KEDA's Prometheus metrics; none when absent. */
  readonly metrics?: OperatorMetrics;
  /** The operator's bound on scaler reads at once, shared by every loop. */
  readonly scalerCalls?: ConcurrencyLimit;
}

export class ScaledJobController {
  private readonly loops = new Map<string, ScaledJobLoop>();

  constructor(private readonly deps: ScaledJobControllerDeps) {}

  /** The running loop of `namespace/name` (for tests). */
  loop(key: string): ScaledJobLoop | undefined {
    return this.loops.get(key);
  }

  /** Reconciles `namespace/name`. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const [namespace = '', name = ''] = key.split('/');
    const raw = this.deps.scaledJobs.get(namespace, name);
    if (raw === undefined) {
      await this.stopLoop(key);
      this.deps.status.forget(namespace, name);
      return undefined;
    }
    this.deps.status.observe(raw);
    if (raw.metadata.deletionTimestamp !== undefined) {
      await this.finalize(key, raw);
      return undefined;
    }
    if (!(raw.metadata.finalizers ?? []).includes(KEDA_FINALIZER)) {
      await this.deps.api.mergePatch('keda.sh/v1alpha1', 'ScaledJob', namespace, name, {
        metadata: { resourceVersion: raw.metadata.resourceVersion, finalizers: [...(raw.metadata.finalizers ?? []), KEDA_FINALIZER] },
      });
    }
    await this.deps.status.update(namespace, name, (s) => ({ ...s, conditions: withInitialConditions(s.conditions) }));
    const wasReady = isReady(this.deps, raw);
    let message: string;
    try {
      message = await this.reconcileSpec(key, raw);
    } catch (error) {
      await this.stopLoop(key);
      throw await reportFailedCheck('ScaledJob', this.deps, raw, error);
    }
    await reportReady('ScaledJob', this.deps, raw, wasReady, message);
    return undefined;
  }

  /** Stops every loop (the operator is shutting down). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.loops.keys()].map((key) => this.stopLoop(key)));
  }

  /** Validation, pause, rollout, loop; resolves to the Ready message. */
  private async reconcileSpec(key: string, raw: KubeObject): Promise<string> {
    const sj = validated('ScaledJob', raw, MSG.invalid);
    const settings = scaledJobSettings(sj);
    const { namespace, name } = settings;
    if (settings.paused) {
      await this.stopLoop(key);
      const paused = findCondition(this.deps.status.current(namespace, name).conditions, ConditionType.Paused)?.status === 'True';
      if (!paused) await this.deps.status.update(namespace, name, (s) => ({ ...s, conditions: withCondition(s.conditions, ConditionType.Paused, 'True', 'ScaledJobPaused', 'ScaledJob is paused') }));
      return MSG.paused;
    }
    // A new generation, or a changed authentication: a new loop (only a new generation rolls Jobs out).
    const auth = this.deps.authFingerprint?.(namespace, settings.triggers) ?? '';
    const fingerprint = auth === '' ? String(settings.generation) : `${String(settings.generation)}|${auth}`;
    const running = this.loops.get(key);
    if (running?.fingerprint !== fingerprint) {
      // The old loop stops before the old generation's Jobs go, so it cannot add one behind our back.
      await this.stopLoop(key);
      if (settings.rolloutStrategy === 'immediate' && running?.settings.generation !== settings.generation) await this.deletePreviousGeneration(settings, raw, running?.recentlyCreated() ?? []);
      const loop = await this.buildLoop(sj, settings, fingerprint);
      const first = running === undefined;
      this.loops.set(key, loop);
      loop.start();
      if (first) {
        for (const t of settings.triggers) await this.deps.events.record(raw, { type: 'Normal', reason: 'KEDAScalersStarted', message: `Scaler ${t.type} is built.` });
        await this.deps.events.record(raw, { type: 'Normal', reason: 'KEDAScalersStarted', message: 'Started scalers watch' });
      }
    }
    await this.deps.status.update(namespace, name, (s) => unpaused(s, sj));
    return MSG.ready;
  }

  /** Rollout `immediate` (the default): Jobs of another generation are deleted with the rollout's propagation policy. */
  private async deletePreviousGeneration(settings: ScaledJobSettings, raw: KubeObject, recent: readonly KubeObject[]): Promise<void> {
    const cached = ownedJobs(this.deps.jobs.list(), settings.namespace, settings.name, raw.metadata.uid ?? '');
    // The old loop's last Jobs may not be in the cache yet; they are of the old generation too.
    const mine = [...cached, ...recent.filter((r) => !cached.some((c) => c.metadata.name === r.metadata.name))];
    const policy = settings.propagationPolicy === 'foreground' ? 'Foreground' : 'Background';
    for (const job of previousGenerationJobs(mine, settings.generation)) {
      const jobName = job.metadata.name ?? '';
      try {
        const path = await this.deps.api.path('batch/v1', 'Job', settings.namespace, jobName);
        await this.deps.api.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy });
      } catch (error) {
        if ((error as { status?: unknown }).status === 404) continue;
        throw new CheckFailed(MSG.rollout, `Job ${jobName}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Resolves the triggers' authentication (env from the Job template) and builds their scalers. */
  private async buildLoop(sj: ScaledJob, settings: ScaledJobSettings, fingerprint: string): Promise<ScaledJobLoop> {
    const resolved = await resolveTriggerInputs({
      namespace: settings.namespace,
      triggers: settings.triggers,
      podSpec: podTemplateSpec({ spec: sj.spec.jobTargetRef }),
      envSourceContainerName: settings.envSourceContainerName,
      sources: this.deps.sources,
      getTriggerAuthentication: apiTriggerAuthentications(this.deps.api),
      clusterObjectNamespace: this.deps.clusterObjectNamespace,
    });
    if (resolved.errors.length > 0) {
      const detail = resolved.errors.join('; ');
      throw new CheckFailed(MSG.scalers, detail, { reason: 'KEDAScalerFailed', message: detail });
    }
    const factory = (this.deps.scalerFactory ?? scalerInstanceFactory)({ inputs: (t) => resolved.inputs.get(t.index) ?? {} });
    const { triggers, problems } = buildJobTriggers(settings, factory);
    const loop = new ScaledJobLoop({
      api: this.deps.api,
      jobs: this.deps.jobs,
      pods: this.deps.pods,
      status: this.deps.status,
      events: this.deps.events,
      log: this.deps.log,
      version: this.deps.version,
      now: this.deps.now ?? Date.now,
      current: (ns, n) => this.deps.scaledJobs.get(ns, n),
      ...(this.deps.scalerCalls !== undefined ? { scalerCalls: this.deps.scalerCalls } : {}),
      onPoll: (records, lateMs, failed) => { this.deps.metrics?.recordScaledJobPoll(settings.namespace, settings.name, records, lateMs, failed); },
    }, sj, settings, triggers, fingerprint);
    if (problems.length > 0) {
      await loop.stop();
      const detail = problems.join('; ');
      throw new CheckFailed(MSG.scalers, detail, { reason: 'KEDAScalerFailed', message: detail });
    }
    return loop;
  }

  private async stopLoop(key: string): Promise<void> {
    const loop = this.loops.get(key);
    if (loop === undefined) return;
    this.loops.delete(key);
    await loop.stop();
    this.deps.metrics?.forget(loop.settings.namespace, loop.settings.name, 'scaledjob');
  }

  /** Finalizer: stop the loop and let the object go; its Jobs follow by owner garbage collection. */
  private async finalize(key: string, raw: KubeObject): Promise<void> {
    const namespace = raw.metadata.namespace ?? '';
    const name = raw.metadata.name ?? '';
    await this.stopLoop(key);
    if (!(raw.metadata.finalizers ?? []).includes(KEDA_FINALIZER)) return;
    await removeKedaFinalizer(this.deps.api, 'ScaledJob', raw);
    await this.deps.events.record(raw, { type: 'Normal', reason: 'ScaledJobDeleted', message: 'ScaledJob was deleted' });
    this.deps.status.forget(namespace, name);
  }
}

/** Status of a running ScaledJob: types of its triggers and authentications, Paused=False once the annotation went. */
function unpaused(s: ScaledJobStatus, sj: ScaledJob): ScaledJobStatus {
  const next: ScaledJobStatus = { ...s, triggersTypes: triggersTypes(sj.spec.triggers), authenticationsTypes: authenticationsTypes(sj.spec.triggers) };
  if (findCondition(s.conditions, ConditionType.Paused)?.status === 'True') {
    next.conditions = withCondition(s.conditions, ConditionType.Paused, 'False', 'ScaledJobUnpaused', 'ScaledJob is unpaused');
  }
  return next;
}
