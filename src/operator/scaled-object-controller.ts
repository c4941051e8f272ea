// The ScaledObject controller (keda.md §2.1): finalizer and label, validation, the scale target and
// its /scale, the HPA (keda mode) or none (`autoscaling.tide.dev/mode: direct`), one scale loop per
// object, status and events as KEDA writes them. A failing check sets Ready=False with KEDA's reason
// and a message naming the cause, records a Warning event and throws, so the work queue retries with
// back-off; nothing here touches another object.
import { KEDA_FINALIZER, SCALED_OBJECT_NAME_LABEL } from '../api/annotations.js';
import { ConditionType, findCondition } from '../api/conditions.js';
import { scaledObjectSettings, type ScaledObjectSettings } from '../api/defaults.js';
import { authenticationsTypes, triggersTypes } from '../api/scale-trigger.js';
import type { ScaledObject, ScaledObjectStatus } from '../api/scaled-object.js';
import type { AuthSources } from '../auth/sources.js';
import type { ConcurrencyLimit } from '../engine/concurrency-limit.js';
import { ScaleLoop } from '../engine/loop.js';
import { scalerInstanceFactory, type ScalerFactory } from '../engine/loop-scalers.js';
import { RESOURCE_TYPES } from '../engine/scaled-object-specs.js';
import { isNotFound, type KubeApi, type KubeObject, type ResourceInfo } from '../kube/api.js';
import type { Informer } from '../kube/informer.js';
import type { ReconcileResult } from '../kube/work-queue.js';
import type { MetricSpec } from '../scalers/define.js';
import { scalerFor } from '../scalers/index.js';
import type { Logger } from '../telemetry/logger.js';
import { KubernetesScaleTarget, type TargetCache } from '../targets/kubernetes-scale.js';
import type { EventRecorder } from './event-recorder.js';
import { buildHpa, trimLabel } from './hpa-builder.js';
import { deleteOwnedHpa, ensureHpa } from './hpa-sync.js';
import type { OperatorMetrics } from './operator-metrics.js';
import { ScaledObjectLoops } from './scaled-object-loops.js';
import { sharedTargetProblem } from './shared-target.js';
import { executorConditions, withCondition, withInitialConditions, withoutHpaActive } from './status.js';
import type { StatusWriter } from './status-writer.js';
import { CheckFailed, isReady, removeKedaFinalizer, reportFailedCheck, reportReady, validated } from './keda-object.js';
import { apiTriggerAuthentications, podTemplateSpec, resolveTriggerInputs } from './trigger-inputs.js';

/**
 * Decisions each loop keeps in memory (local mode keeps 2,000): with thousands of ScaledObjects the
 * default ring would grow to gigabytes over a day; ten is five minutes at KEDA's 30 s polling.
 */
export const OPERATOR_DECISION_CAPACITY = 10;

/** tide's own annotation: `direct` scales through /scale from the loop, with no HPA. */
export const MODE_ANNOTATION = 'autoscaling.tide.dev/mode';

const MSG = {
  ready: 'ScaledObject is defined correctly and is ready for scaling',
  invalid: "ScaledObject doesn't have correct specification",
  target: "ScaledObject doesn't have correct scaleTargetRef specification",
  hpa: 'Failed to ensure HPA is correctly created for ScaledObject',
  scalers: 'Failed to start a new scale loop with scaling logic',
} as const;

export interface ControllerDeps {
  readonly api: KubeApi;
  readonly scaledObjects: Informer;
  readonly hpas: Informer;
  readonly status: StatusWriter;
  readonly events: EventRecorder;
  readonly sources: AuthSources;
  readonly clusterObjectNamespace: string;
  /** app.kubernetes.io/version of generated HPAs. */
  readonly version: string;
  readonly log: Logger;
  /** KEDA's Prometheus metrics; none when absent. */
  readonly metrics?: OperatorMetrics;
  /** Builds scalers from resolved inputs (tests may wrap it); default scalerInstanceFactory. */
  readonly scalerFactory?: (inputs: Parameters<typeof scalerInstanceFactory>[0]) => ScalerFactory;
  /** The state of the authentications the triggers use; a change rebuilds the loop (new credentials). */
  readonly authFingerprint?: (namespace: string, triggers: ScaledObjectSettings['triggers']) => string;
  /** Deployments and StatefulSets in memory: polls read their targets' sizes from here. */
  readonly targets?: TargetCache;
  /** The operator's bound on scaler reads at once, shared by every loop. */
  readonly scalerCalls?: ConcurrencyLimit;
}

type Mode = 'keda' | 'direct';

export class ScaledObjectController {
  readonly loops: ScaledObjectLoops;

  constructor(private readonly deps: ControllerDeps) {
    this.loops = new ScaledObjectLoops(deps.status, deps.events, (ns, name) => deps.scaledObjects.get(ns, name), deps.log, (ns, name) => {
      deps.metrics?.forget(ns, name);
    }, (ns, name) => deps.hpas.get(ns, name));
  }

  /** Reconciles `namespace/name`. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const [namespace = '', name = ''] = key.split('/');
    const raw = this.deps.scaledObjects.get(namespace, name);
    if (raw === undefined) {
      await this.loops.stop(key);
      this.deps.status.forget(namespace, name);
      this.deps.metrics?.setPaused(namespace, name, undefined);
      return undefined;
    }
    this.deps.status.observe(raw);
    if (raw.metadata.deletionTimestamp !== undefined) {
      await this.finalize(key, raw);
      return undefined;
    }
    if (!(raw.metadata.finalizers ?? []).includes(KEDA_FINALIZER) || raw.metadata.labels?.[SCALED_OBJECT_NAME_LABEL] !== trimLabel(name)) {
      await this.deps.api.mergePatch('keda.sh/v1alpha1', 'ScaledObject', namespace, name, {
        metadata: { resourceVersion: raw.metadata.resourceVersion, finalizers: [...new Set([...(raw.metadata.finalizers ?? []), KEDA_FINALIZER])], labels: { [SCALED_OBJECT_NAME_LABEL]: trimLabel(name) } },
      });
    }
    await this.deps.status.update(namespace, name, (s) => ({ ...s, conditions: withInitialConditions(s.conditions) }));
    const wasReady = isReady(this.deps, raw);
    try {
      await this.reconcileSpec(key, raw);
    } catch (error) {
      await this.loops.stop(key);
      throw await reportFailedCheck('ScaledObject', this.deps, raw, error);
    }
    await reportReady('ScaledObject', this.deps, raw, wasReady, MSG.ready);
    return undefined;
  }

  private targetOf(settings: ScaledObjectSettings): KubernetesScaleTarget {
    const { apiVersion, kind, name } = settings.scaleTarget;
    return new KubernetesScaleTarget(this.deps.api, { apiVersion, kind, namespace: settings.namespace, name }, this.deps.targets);
  }

  /** Stops every loop (the operator is shutting down). */
  stop(): Promise<void> {
    return this.loops.stopAll();
  }

  private async reconcileSpec(key: string, raw: KubeObject): Promise<void> {
    const so = validated('ScaledObject', raw, MSG.invalid);
    const settings = scaledObjectSettings(so);
    const { namespace, name } = settings;
    const mode: Mode = so.metadata.annotations?.[MODE_ANNOTATION] === 'direct' ? 'direct' : 'keda';
    const info = await this.deps.api.resourceFor(settings.scaleTarget.apiVersion, settings.scaleTarget.kind);
    if (info === undefined) throw new CheckFailed(MSG.target, `the API server does not serve ${settings.scaleTarget.kind} in ${settings.scaleTarget.apiVersion}`);
    const scale = await this.readScale(settings, info);
    await this.recordTarget(settings, info, scale);
    const shared = await sharedTargetProblem(so, raw, this.deps.api, this.deps.scaledObjects);
    if (shared !== undefined) throw new CheckFailed(MSG.target, shared);
    this.deps.metrics?.setPaused(namespace, name, settings.pause.paused);
    if (settings.pause.paused) {
      await this.pause(key, settings);
      return;
    }
    const target = this.targetOf(settings);
    const fingerprint = JSON.stringify([settings.generation, mode, settings.pause, this.deps.authFingerprint?.(namespace, settings.triggers) ?? '']);
    let running = this.loops.get(key);
    const fresh = running?.fingerprint !== fingerprint;
    if (running === undefined || fresh) running = await this.buildLoop(so, settings, target, mode, fingerprint);
    if (mode === 'keda') await this.syncHpa(so, settings, info, running.metricSpecs, raw);
    else await deleteOwnedHpa(this.deps.api, namespace, settings.hpaName, name, this.deps.hpas.get(namespace, settings.hpaName));
    const previous = this.deps.status.current(namespace, name).hpaName;
    if (previous !== undefined && previous !== settings.hpaName) await deleteOwnedHpa(this.deps.api, namespace, previous, name);
    if (fresh) {
      const first = this.loops.get(key) === undefined;
      await this.loops.replace(key, running);
      if (first) {
        for (const type of running.triggerTypes) await this.deps.events.record(raw, { type: 'Normal', reason: 'KEDAScalersStarted', message: `Scaler ${type} is built.` });
        await this.deps.events.record(raw, { type: 'Normal', reason: 'KEDAScalersStarted', message: 'Started scalers watch' });
      }
    }
    await this.deps.status.update(namespace, name, (s) => unpaused(s, so, settings, mode, running.metricSpecs));
  }

  /** GET /scale; a target that is missing, or has no /scale, fails the check with KEDA's words. */
  private async readScale(settings: ScaledObjectSettings, info: ResourceInfo): Promise<KubeObject> {
    const { apiVersion, kind, name } = settings.scaleTarget;
    const scale = await this.deps.api.get(apiVersion, kind, settings.namespace, name, 'scale').catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (scale !== undefined) return scale;
    const exists = await this.deps.api.get(apiVersion, kind, settings.namespace, name);
    const what = `${info.resource}${info.group === '' ? '' : `.${info.group}`} "${name}"`;
    if (exists === undefined) throw new CheckFailed(MSG.target, `Target resource doesn't exist (${what} not found in namespace ${settings.namespace})`);
    throw new CheckFailed(MSG.target, `Target resource doesn't expose /scale subresource (${what})`);
  }

  /** First sight of the target: kind, GVKR and the replicas to restore on delete. */
  private async recordTarget(settings: ScaledObjectSettings, info: ResourceInfo, scale: KubeObject): Promise<void> {
    const gv = info.group === '' ? info.version : `${info.group}/${info.version}`;
    const kind = `${gv}.${info.kind}`;
    const replicas = (scale['spec'] as { replicas?: number } | undefined)?.replicas ?? 0;
    await this.deps.status.update(settings.namespace, settings.name, (s) => ({
      ...s,
      scaleTargetKind: kind,
      scaleTargetGVKR: { group: info.group, version: info.version, kind: info.kind, resource: info.resource },
      originalReplicaCount: s.originalReplicaCount ?? replicas,
    }));
  }

  /** paused / paused-replicas: no loop, no HPA, replicas pinned when asked. */
  private async pause(key: string, settings: ScaledObjectSettings): Promise<void> {
    const { namespace, name } = settings;
    await this.loops.stop(key);
    await deleteOwnedHpa(this.deps.api, namespace, settings.hpaName, name, this.deps.hpas.get(namespace, settings.hpaName));
    const pinned = settings.pause.pausedReplicas;
    if (pinned !== undefined) {
      const target = this.targetOf(settings);
      if ((await target.getReplicas()).replicas !== pinned) await target.setReplicas(pinned, 'PausedReplicas');
    }
    await this.deps.status.update(namespace, name, (s) => {
      const next: ScaledObjectStatus = { ...s, conditions: withCondition(s.conditions, ConditionType.Paused, 'True', 'ScaledObjectPaused', 'ScaledObject is paused') };
      if (pinned !== undefined) next.pausedReplicaCount = pinned;
      else delete next.pausedReplicaCount;
      return next;
    });
  }

  /** Resolves the triggers' authentication and builds the loop; auth or scaler problems fail the check. */
  private async buildLoop(so: ScaledObject, settings: ScaledObjectSettings, target: KubernetesScaleTarget, mode: Mode, fingerprint: string): Promise<NonNullable<ReturnType<ScaledObjectLoops['get']>>> {
    const { namespace, name } = settings;
    const targetObject = await this.deps.api.get(settings.scaleTarget.apiVersion, settings.scaleTarget.kind, namespace, settings.scaleTarget.name);
    const resolved = await resolveTriggerInputs({
      namespace,
      triggers: settings.triggers,
      podSpec: podTemplateSpec(targetObject),
      envSourceContainerName: settings.scaleTarget.envSourceContainerName,
      sources: this.deps.sources,
      getTriggerAuthentication: apiTriggerAuthentications(this.deps.api),
      clusterObjectNamespace: this.deps.clusterObjectNamespace,
    });
    if (resolved.errors.length > 0) {
      const detail = resolved.errors.join('; ');
      throw new CheckFailed(MSG.hpa, detail, { reason: 'KEDAScalerFailed', message: detail });
    }
    const specs = new Map<number, readonly MetricSpec[]>();
    const options = { inputs: (t: { index: number }) => resolved.inputs.get(t.index) ?? {} };
    const inner = (this.deps.scalerFactory ?? scalerInstanceFactory)(options);
    const recording: ScalerFactory = (trigger, context) => {
      const built = inner(trigger, context);
      if (!('error' in built)) specs.set(trigger.index, built.metricSpecs);
      return built;
    };
    const status = this.deps.status.current(namespace, name);
    const creation = Date.parse(so.metadata.creationTimestamp ?? '');
    const lastActive = status.lastActiveTime !== undefined ? Date.parse(status.lastActiveTime) : NaN;
    const loop = new ScaleLoop(so, target, {
      mode,
      externalHpa: mode === 'keda',
      decisionCapacity: OPERATOR_DECISION_CAPACITY,
      scalers: recording,
      ...(this.deps.scalerCalls !== undefined ? { scalerCalls: this.deps.scalerCalls } : {}),
      log: this.deps.log,
      initialState: {
        conditions: executorConditions(status.conditions),
        target: { kind: status.scaleTargetKind ?? `${settings.scaleTarget.apiVersion}.${settings.scaleTarget.kind}`, namespace, name: settings.scaleTarget.name },
        ...(Number.isFinite(creation) ? { creationTime: creation } : {}),
        ...(Number.isFinite(lastActive) ? { lastActiveTime: lastActive } : {}),
      },
      onExecutor: this.loops.onExecutor(namespace, name),
      onDecision: (decision) => {
        this.deps.metrics?.recordDecision(namespace, name, decision);
      },
    });
    if (loop.problems.length > 0) {
      await loop.stop();
      const detail = loop.problems.join('; ');
      throw new CheckFailed(MSG.hpa, detail, { reason: 'KEDAScalerFailed', message: detail });
    }
    const metricSpecs = settings.triggers.flatMap((t) => (RESOURCE_TYPES.has(t.type) ? resourceSpecs(t) : [...(specs.get(t.index) ?? [])]));
    return { loop, fingerprint, metricSpecs, triggerTypes: settings.triggers.map((t) => t.type) };
  }

  private async syncHpa(so: ScaledObject, settings: ScaledObjectSettings, info: ResourceInfo, metricSpecs: readonly MetricSpec[], raw: KubeObject): Promise<void> {
    const built = buildHpa({
      settings,
      metadata: { uid: raw.metadata.uid, labels: so.metadata.labels, annotations: so.metadata.annotations },
      metricSpecs,
      target: { apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`, kind: info.kind, name: settings.scaleTarget.name },
      version: this.deps.version,
    });
    if ('error' in built) throw new CheckFailed(MSG.hpa, built.error);
    try {
      await ensureHpa(this.deps.api, built.hpa, this.deps.hpas.get(settings.namespace, settings.hpaName), settings.name, settings.transferHpaOwnership);
    } catch (error) {
      throw new CheckFailed(MSG.hpa, error instanceof Error ? error.message : String(error));
    }
  }

  /** Finalizer: stop the loop, restore the original replicas when asked, let the object go. */
  private async finalize(key: string, raw: KubeObject): Promise<void> {
    const namespace = raw.metadata.namespace ?? '';
    const name = raw.metadata.name ?? '';
    await this.loops.stop(key);
    this.deps.metrics?.setPaused(namespace, name, undefined);
    if (!(raw.metadata.finalizers ?? []).includes(KEDA_FINALIZER)) return;
    const spec = (raw['spec'] ?? {}) as { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string }; advanced?: { restoreToOriginalReplicaCount?: boolean } };
    const original = this.deps.status.current(namespace, name).originalReplicaCount;
    const ref = spec.scaleTargetRef;
    if (spec.advanced?.restoreToOriginalReplicaCount === true && original !== undefined && ref?.name !== undefined) {
      const target = new KubernetesScaleTarget(this.deps.api, { apiVersion: ref.apiVersion || 'apps/v1', kind: ref.kind || 'Deployment', namespace, name: ref.name });
      try {
        await target.setReplicas(original, 'restoreToOriginalReplicaCount');
      } catch (error) {
        if (!isNotFound(error)) throw error; // a deleted target has nothing to restore
      }
    }
    await removeKedaFinalizer(this.deps.api, 'ScaledObject', raw);
    await this.deps.events.record(raw, { type: 'Normal', reason: 'ScaledObjectDeleted', message: 'ScaledObject was deleted' });
    this.deps.status.forget(namespace, name);
  }
}

/** cpu/memory triggers' metric specs, parsed by their scaler declaration (no scaler runs for them). */
function resourceSpecs(trigger: ScaledObjectSettings['triggers'][number]): MetricSpec[] {
  const parsed = scalerFor(trigger.type)?.parse({ metadata: trigger.metadata, triggerIndex: trigger.index, ...(trigger.metricType !== undefined ? { metricType: trigger.metricType } : {}) });
  return parsed?.ok === true ? [...parsed.metricSpecs] : [];
}

/** Status after a successful reconcile of a running object. */
function unpaused(s: ScaledObjectStatus, so: ScaledObject, settings: ScaledObjectSettings, mode: Mode, specs: readonly MetricSpec[]): ScaledObjectStatus {
  const next: ScaledObjectStatus = {
    ...s,
    externalMetricNames: specs.filter((m) => m.kind === 'External').map((m) => m.metricName),
    triggersTypes: triggersTypes(so.spec.triggers),
    authenticationsTypes: authenticationsTypes(so.spec.triggers),
  };
  const resources = specs.filter((m) => m.kind === 'Resource').map((m) => m.metricName);
  if (resources.length > 0) next.resourceMetricNames = resources;
  else delete next.resourceMetricNames;
  if (settings.scalingModifiers !== undefined) next.externalMetricNames = ['composite-metric'];
  if (mode === 'keda') next.hpaName = settings.hpaName;
  else delete next.hpaName;
  delete next.pausedReplicaCount;
  const paused = settings.pause.pausedScaleIn || settings.pause.pausedScaleOut;
  if (!paused && findCondition(s.conditions, ConditionType.Paused)?.status === 'True') {
    next.conditions = withCondition(s.conditions, ConditionType.Paused, 'False', 'ScaledObjectUnpaused', 'pause annotation removed for ScaledObject');
  }
  const withoutHpa = mode === 'direct' ? withoutHpaActive(next.conditions) : undefined; // no HPA to mirror
  if (withoutHpa !== undefined) next.conditions = withoutHpa;
  return next;
}
