// The ScaledJob side of `tide operator`: informers for ScaledJobs, their Jobs and the Jobs' pods (the
// last two by KEDA's `scaledjob.keda.sh/name` label, so nothing else is cached), a work queue of
// its own (KEDA_SCALEDJOB_CTRL_MAX_RECONCILES, 1) and the controller. operator.ts starts it beside
// the ScaledObject controller.
import { PAUSED_ANNOTATION, SCALED_JOB_NAME_LABEL } from '../api/annotations.js';
import type { AuthSources } from '../auth/sources.js';
import type { KubeApi, KubeObject } from '../kube/api.js';
import { Informer } from '../kube/informer.js';
import { WorkQueue } from '../kube/work-queue.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventRecorder } from './event-recorder.js';
import { ScaledJobController, type ScaledJobControllerDeps } from './scaled-job-controller.js';
import type { ScaledJobStatus } from '../api/scaled-job.js';
import { StatusWriter } from './status-writer.js';

export interface ScaledJobsOptions {
  readonly api: KubeApi;
  /** One namespace, or all when undefined. */
  readonly namespace: string | undefined;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly sources: AuthSources;
  readonly clusterObjectNamespace: string;
  readonly version: string;
  /** KEDA_SCALEDJOB_CTRL_MAX_RECONCILES (1). */
  readonly maxReconciles?: number | undefined;
  readonly retryBaseMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
  readonly scalerFactory?: ScaledJobControllerDeps['scalerFactory'] | undefined;
  readonly metrics?: ScaledJobControllerDeps['metrics'];
  readonly scalerCalls?: ScaledJobControllerDeps['scalerCalls'];
  /** The state of the triggers' authentications (the TriggerAuthentication controller's fingerprint). */
  readonly authFingerprint?: ScaledJobControllerDeps['authFingerprint'] | undefined;
}

export interface RunningScaledJobs {
  readonly controller: ScaledJobController;
  readonly queue: WorkQueue;
  readonly status: StatusWriter<ScaledJobStatus>;
  /** The cached ScaledJobs (keda_resource_registered_total counts them). */
  readonly scaledJobs: Informer;
  /** Resolves once the three informers have listed. */
  readonly synced: Promise<void>;
  /** Starts reconciling (after synced). */
  start(): void;
  stop(): Promise<void>;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** KEDA's predicates for ScaledJobs: a new generation or a change of the pause annotation; also deletion and finalizers. */
function worthReconciling(object: KubeObject, old: KubeObject | undefined): boolean {
  if (old === undefined) return true;
  const a = object.metadata;
  const b = old.metadata;
  return a.generation !== b.generation || a.deletionTimestamp !== b.deletionTimestamp || json(a.finalizers) !== json(b.finalizers)
    || a.annotations?.[PAUSED_ANNOTATION] !== b.annotations?.[PAUSED_ANNOTATION];
}

/** Creates the informers, queue and controller; call start() once synced. */
export function startScaledJobs(options: ScaledJobsOptions): RunningScaledJobs {
  const { api, namespace, log } = options;
  const onError = (what: string) => (error: unknown): void => { log.warn(`watch of ${what} failed; retrying`, { error: error instanceof Error ? error.message : String(error) }); };
  const scaledJobs = new Informer(api, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', namespace, onError: onError('ScaledJobs') });
  const jobs = new Informer(api, { apiVersion: 'batch/v1', kind: 'Job', namespace, labelSelector: SCALED_JOB_NAME_LABEL, onError: onError('Jobs') });
  const pods = new Informer(api, { apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: SCALED_JOB_NAME_LABEL, onError: onError('Job pods') });
  const status = new StatusWriter<ScaledJobStatus>(api, 'ScaledJob');
  const controller = new ScaledJobController({
    api, scaledJobs, jobs, pods, status, log,
    events: options.events,
    sources: options.sources,
    clusterObjectNamespace: options.clusterObjectNamespace,
    version: options.version,
    ...(options.scalerFactory !== undefined ? { scalerFactory: options.scalerFactory } : {}),
    ...(options.authFingerprint !== undefined ? { authFingerprint: options.authFingerprint } : {}),
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    ...(options.scalerCalls !== undefined ? { scalerCalls: options.scalerCalls } : {}),
  });
  const queue = new WorkQueue({
    concurrency: options.maxReconciles ?? 1,
    baseDelayMs: options.retryBaseMs ?? 5,
    maxDelayMs: options.retryMaxMs ?? 1_000_000,
    onError: (key, error) => { log.warn('reconcile failed; retrying with back-off', { scaledJob: key, error: error instanceof Error ? error.message : String(error) }); },
  });
  scaledJobs.onChange((type, object, old) => {
    if (type === 'deleted' || worthReconciling(object, old)) queue.add(`${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`);
  });
  scaledJobs.start();
  jobs.start();
  pods.start();
  return {
    controller, queue, status, scaledJobs,
    synced: Promise.all([scaledJobs.synced, jobs.synced, pods.synced]).then(() => undefined),
    start: () => { queue.start((key) => controller.reconcile(key)); },
    async stop() {
      scaledJobs.stop();
      jobs.stop();
      pods.stop();
      await queue.stop();
      await controller.stop();
    },
  };
}
