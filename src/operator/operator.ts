// `tide operator` in-process: informers for ScaledObjects and the HPAs it made, a keyed work queue
// feeding the ScaledObject controller, and the pieces they share (API client with QPS/burst limits,
// status writer, event recorder). Tests run it against the fake API server the same way.
import type { KubeConfig } from '@kubernetes/client-node';
import { APP_MANAGED_BY_LABEL, MANAGED_BY_KEDA_OPERATOR, SCALING_ANNOTATIONS } from '../api/annotations.js';
import { kubernetesAuthSources } from '../auth/kubernetes-sources.js';
import type { AuthSources } from '../auth/sources.js';
import { ConcurrencyLimit } from '../engine/concurrency-limit.js';
import { KubeApi, type KubeObject } from '../kube/api.js';
import { Informer } from '../kube/informer.js';
import { WorkQueue } from '../kube/work-queue.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { CertificateController, type CertificateControllerOptions } from './certificate-controller.js';
import { EventRecorder } from './event-recorder.js';
import { runWhenLeading, type LeaderElectionSettings } from './leadership.js';
import { OperatorMetrics, type RegisteredSnapshot } from './operator-metrics.js';
import { startScaledJobs, type RunningScaledJobs } from './scaled-job-wiring.js';
import { MODE_ANNOTATION, ScaledObjectController, type ControllerDeps } from './scaled-object-controller.js';
import { StatusWriter } from './status-writer.js';
import { TriggerAuthenticationController } from './trigger-authentication-controller.js';
import { WorkloadCache } from './workload-cache.js';

export interface OperatorOptions {
  readonly config: KubeConfig;
  /** WATCH_NAMESPACE: one namespace, or all when empty. */
  readonly watchNamespace?: string | undefined;
  readonly qps?: number;
  readonly burst?: number;
  /** KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES (5). */
  readonly maxReconciles?: number;
  /** KEDA_SCALEDJOB_CTRL_MAX_RECONCILES (1). */
  readonly scaledJobMaxReconciles?: number;
  /** Where ClusterTriggerAuthentication secrets live (KEDA_CLUSTER_OBJECT_NAMESPACE, else POD_NAMESPACE, else keda). */
  readonly clusterObjectNamespace?: string;
  readonly version?: string;
  readonly log?: Logger;
  /** Retry back-off of failed reconciles: first delay and cap (client-go: 5 ms … 1000 s). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly sources?: AuthSources;
  readonly scalerFactory?: ControllerDeps['scalerFactory'];
  /** --leader-elect: run the controllers only while holding the Lease operator.keda.sh; absent = always. */
  readonly leaderElection?: LeaderElectionSettings;
  /** --enable-cert-rotation: the leader keeps kedaorg-certs and the caBundles (absent = off). */
  readonly certificateRotation?: Omit<CertificateControllerOptions, 'api' | 'log'>;
  /** Scaler reads at once over every ScaledObject and ScaledJob loop (tide's own bound; default 100). */
  readonly maxConcurrentScalerCalls?: number;
  /** Told when this replica starts running the controllers (at once without leader election). */
  readonly onStartedLeading?: () => void;
}

export interface RunningOperator {
  readonly api: KubeApi;
  readonly controller: ScaledObjectController;
  readonly status: StatusWriter;
  readonly queue: WorkQueue;
  /** The ScaledJob controller with its informers and queue. */
  readonly scaledJobs: RunningScaledJobs;
  /** KEDA's Prometheus metrics (`registry.metrics()` is what /metrics serves). */
  readonly metrics: OperatorMetrics;
  /** Status lists of (Cluster)TriggerAuthentications. */
  readonly triggerAuthentications: TriggerAuthenticationController;
  /** The certificate rotation, when enabled. */
  readonly certificates: CertificateController | undefined;
  /** True once the informers have listed (the /readyz answer). */
  ready(): boolean;
  /** True while this replica runs the controllers (always without leader election, until stopped or the lease is lost). */
  leading(): boolean;
  stop(): Promise<void>;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const json = (v: unknown): string => JSON.stringify(v ?? null);

/** KEDA's predicates: a new generation, a scaling or mode annotation, labels, finalizers, deletion. Status-only updates do not reconcile. */
function worthReconciling(object: KubeObject, old: KubeObject | undefined): boolean {
  if (old === undefined) return true;
  const a = object.metadata;
  const b = old.metadata;
  const annotations = [...SCALING_ANNOTATIONS, MODE_ANNOTATION];
  return a.generation !== b.generation || a.deletionTimestamp !== b.deletionTimestamp || json(a.finalizers) !== json(b.finalizers) || json(a.labels) !== json(b.labels)
    || annotations.some((k) => a.annotations?.[k] !== b.annotations?.[k]);
}

/** Scaler reads at once over all loops: enough for every loop of a large cluster within a poll, few enough not to flood brokers after a restart. */
export const DEFAULT_MAX_CONCURRENT_SCALER_CALLS = 100;

/** Cached objects per namespace ('' for cluster-scoped ones, as KEDA labels them). */
function countByNamespace(informer: Informer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of informer.list()) counts.set(o.metadata.namespace ?? '', (counts.get(o.metadata.namespace ?? '') ?? 0) + 1);
  return counts;
}

/** Starts the operator; resolves once the caches are synced and the workers run. */
export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const log = options.log ?? silentLogger;
  const api = new KubeApi(options.config, { qps: options.qps ?? 20, burst: options.burst ?? 30 });
  const namespace = options.watchNamespace !== undefined && options.watchNamespace !== '' ? options.watchNamespace : undefined;
  const onError = (what: string) => (error: unknown): void => { log.warn(`watch of ${what} failed; retrying`, { error: error instanceof Error ? error.message : String(error) }); };
  const scaledObjects = new Informer(api, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', namespace, onError: onError('ScaledObjects') });
  const hpas = new Informer(api, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace, labelSelector: `${APP_MANAGED_BY_LABEL}=${MANAGED_BY_KEDA_OPERATOR}`, onError: onError('HPAs') });
  const targets = new WorkloadCache(api, namespace, onError);
  const scalerCalls = new ConcurrencyLimit(options.maxConcurrentScalerCalls ?? DEFAULT_MAX_CONCURRENT_SCALER_CALLS);
  const status = new StatusWriter(api);
  const events = new EventRecorder(api, log);
  let registered: () => RegisteredSnapshot = () => ({ scaledObjects: new Map(), triggers: new Map() });
  const metrics = new OperatorMetrics(options.version ?? '0.0.0', () => registered());
  const controller = new ScaledObjectController({
    api, scaledObjects, hpas, status, events, log, metrics,
    sources: options.sources ?? kubernetesAuthSources(api),
    clusterObjectNamespace: options.clusterObjectNamespace ?? 'keda',
    version: options.version ?? '0.0.0',
    ...(options.scalerFactory !== undefined ? { scalerFactory: options.scalerFactory } : {}),
    authFingerprint: (ns, triggers) => authentications.fingerprint(ns, triggers),
    targets,
    scalerCalls,
  });
  registered = () => ({
    ...controller.loops.snapshot(),
    others: new Map([
      ['scaled_job', countByNamespace(scaledJobs.scaledJobs)],
      ['trigger_authentication', countByNamespace(triggerAuths)],
      ['cluster_trigger_authentication', countByNamespace(clusterTriggerAuths)],
    ]),
  });
  const queue = new WorkQueue({
    concurrency: options.maxReconciles ?? 5,
    baseDelayMs: options.retryBaseMs ?? 5,
    maxDelayMs: options.retryMaxMs ?? 1_000_000,
    onError: (key, error) => { log.warn('reconcile failed; retrying with back-off', { scaledObject: key, error: error instanceof Error ? error.message : String(error) }); },
  });
  scaledObjects.onChange((type, object, old) => {
    if (type === 'deleted' || worthReconciling(object, old)) queue.add(keyOf(object));
  });
  hpas.onChange((type, object, old) => {
    // A change of an HPA we own (not its status) sends its ScaledObject back to reconcile.
    if (type !== 'deleted' && old !== undefined && json(object['spec']) === json(old['spec']) && json(object.metadata.labels) === json(old.metadata.labels)) return;
    const owner = (object.metadata.ownerReferences ?? []).find((r) => r['kind'] === 'ScaledObject' && r['controller'] === true);
    if (typeof owner?.['name'] === 'string') queue.add(`${object.metadata.namespace ?? ''}/${owner['name']}`);
  });
  const triggerAuths = new Informer(api, { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', namespace, onError: onError('TriggerAuthentications') });
  const clusterTriggerAuths = new Informer(api, { apiVersion: 'keda.sh/v1alpha1', kind: 'ClusterTriggerAuthentication', onError: onError('ClusterTriggerAuthentications') });
  // Before the TriggerAuthentication controller, which lists ScaledJobs from its informer too.
  const scaledJobs = startScaledJobs({
    api, namespace, events, log, version: options.version ?? '0.0.0',
    sources: options.sources ?? kubernetesAuthSources(api),
    clusterObjectNamespace: options.clusterObjectNamespace ?? 'keda',
    maxReconciles: options.scaledJobMaxReconciles,
    retryBaseMs: options.retryBaseMs, retryMaxMs: options.retryMaxMs, scalerFactory: options.scalerFactory,
    authFingerprint: (ns, triggers) => authentications.fingerprint(ns, triggers),
    metrics,
    scalerCalls,
  });
  const authentications = new TriggerAuthenticationController({
    api, triggerAuthentications: triggerAuths, clusterTriggerAuthentications: clusterTriggerAuths, scaledObjects, events, log,
    scaledJobs: scaledJobs.scaledJobs,
    onAuthenticationChanged: (key) => { queue.add(key); },
    onScaledJobAuthenticationChanged: (key) => { scaledJobs.queue.add(key); },
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
  });
  const certificates = options.certificateRotation === undefined ? undefined : new CertificateController({ ...options.certificateRotation, api, log });
  let synced = false;
  scaledObjects.start();
  hpas.start();
  targets.start();
  triggerAuths.start();
  clusterTriggerAuths.start();
  await Promise.all([scaledObjects.synced, hpas.synced, targets.synced, scaledJobs.synced, triggerAuths.synced, clusterTriggerAuths.synced]);
  synced = true;
  const leadership = runWhenLeading(options.config, options.leaderElection, log, {
    start: () => {
      queue.start((key) => controller.reconcile(key));
      scaledJobs.start();
      authentications.start();
      certificates?.start();
      options.onStartedLeading?.();
    },
    stop: async () => {
      await queue.stop();
      await controller.stop();
      await scaledJobs.stop();
      await authentications.stop();
      await certificates?.stop();
    },
  });
  return {
    api, controller, status, queue, metrics, scaledJobs, triggerAuthentications: authentications, certificates,
    ready: () => synced,
    leading: () => leadership.leading(),
    async stop() {
      scaledObjects.stop();
      hpas.stop();
      targets.stop();
      triggerAuths.stop();
      clusterTriggerAuths.stop();
      await leadership.stop();
      await scaledJobs.stop(); // its informers too, on a replica that never led (idempotent)
    },
  };
}
