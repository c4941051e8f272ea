// The HorizontalPodAutoscaler controller of the fake (kube-controller-manager's, for autoscaling/v2):
// every sync period each HPA reads its target's /scale, reads its metrics (External ones from the
// external metrics API, see external-metrics.ts), decides with tide's one HPA implementation
// (src/scaling/hpa.ts), writes /scale when the count changes, and keeps status, conditions and events
// as the real controller does. A new HPA is first synced one period after it appears, as on a cluster.

import { type HorizontalPodAutoscalerBehavior, type HPAScalingRules, hpaBehaviorSchema } from '../../../api/hpa-behavior.js';
import { ABLE_TO_GET_SCALE } from '../../../scaling/hpa-conditions.js';
import { type HpaCondition, type HpaState, externalMetricError, syncHpa } from '../../../scaling/hpa.js';
import type { FakeCluster } from '../cluster.js';
import type { ExternalMetricsOptions } from '../external-metrics.js';
import { recordUpdate } from '../managed-fields.js';
import { stableStringify } from '../patch.js';
import { applyScale, toScale } from '../scale.js';
import { matchesLabels, parseLabelSelector } from '../selectors.js';
import { kubeTime } from '../store.js';
import { type KubeObject, type ResourceType, type ScaleSpec, isRecord, splitApiVersion } from '../types.js';
import { type Controller, type ControllerContext, type ControllerFactory, keyOf, num, podPhase, podReady, splitKey } from './context.js';
import { HpaEvents, type StoredCondition, hpaStatus, mergeConditions } from './hpa-status.js';
import { type ReadMetric, metricStatuses, readMetrics } from './hpa-metrics.js';

/** Options of the simulated HPA controller (the external metrics source plus kube-controller-manager's HPA flags). */
export interface HpaControllerOptions extends ExternalMetricsOptions {
  /** --horizontal-pod-autoscaler-tolerance; default 0.1. */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization in seconds; default 300. */
  downscaleStabilizationSeconds?: number;
}

const MANAGER = 'kube-controller-manager';
const HPA_GR = 'horizontalpodautoscalers.autoscaling';

/** A target's scale as the controller reads it. */
interface TargetScale {
  type: ResourceType;
  scaleSpec: ScaleSpec;
  replicas: number;
  statusReplicas: number;
  selector: string;
}

/** Resolves scaleTargetRef like the RESTMapper (group + kind, any version) and reads /scale; errors in the apiserver's words. */
function readScale(cluster: FakeCluster, namespace: string, ref: Record<string, unknown>): TargetScale | { error: string } {
  const { group } = splitApiVersion(typeof ref.apiVersion === 'string' ? ref.apiVersion : '');
  const kind = typeof ref.kind === 'string' ? ref.kind : '';
  const name = typeof ref.name === 'string' ? ref.name : '';
  const type = cluster.registry.byKind(group, kind);
  if (type === undefined) return { error: `no matches for kind "${kind}" in group "${group}"` };
  const scaleSpec = type.subresources.scale;
  if (scaleSpec === undefined) return { error: 'the server could not find the requested resource' };
  const parent = cluster.store.get(type, namespace, name);
  if (parent === undefined) return { error: `${type.group === '' ? type.resource : `${type.resource}.${type.group}`} "${name}" not found` };
  const scale = toScale(type, scaleSpec, parent);
  const status = isRecord(scale.status) ? scale.status : {};
  return { type, scaleSpec, replicas: num(scale.spec, 'replicas'), statusReplicas: num(status, 'replicas'), selector: typeof status.selector === 'string' ? status.selector : '' };
}

/** Writes spec.replicas through /scale as kube-controller-manager (managedFields on the scale subresource). */
function writeScale(cluster: FakeCluster, target: TargetScale, namespace: string, name: string, replicas: number): void {
  const parent = cluster.store.get(target.type, namespace, name);
  if (parent === undefined) throw new Error(`${target.type.resource} "${name}" not found`);
  const next = applyScale(target.scaleSpec, parent, { metadata: {}, spec: { replicas } });
  const managedFields = recordUpdate(target.type, parent, next, { manager: MANAGER, subresource: 'scale', now: cluster.clock() });
  cluster.store.update(target.type, namespace, name, next, { managedFields });
}

/** Running and Ready pods selected by the scale's selector (the multiplier of Value targets). */
function readyPods(cluster: FakeCluster, namespace: string, selector: string): number {
  const reqs = parseLabelSelector(selector);
  return cluster.list('v1', 'Pod', namespace).filter((p) => matchesLabels(reqs, p.metadata.labels) && podPhase(p) === 'Running' && podReady(p)).length;
}

/** spec.behavior as src/scaling/hpa.ts takes it (tolerance as Quantity text); undefined when absent or malformed. */
function behaviorOf(raw: unknown): HorizontalPodAutoscalerBehavior | undefined {
  const parsed = hpaBehaviorSchema.safeParse(raw);
  if (raw === undefined || !parsed.success) return undefined;
  const rules = (r: (typeof parsed.data)['scaleUp']): HPAScalingRules | undefined => (r === undefined ? undefined : { ...r, ...(r.tolerance === undefined ? {} : { tolerance: String(r.tolerance) }) } as HPAScalingRules);
  const up = rules(parsed.data.scaleUp);
  const down = rules(parsed.data.scaleDown);
  return { ...(up === undefined ? {} : { scaleUp: up }), ...(down === undefined ? {} : { scaleDown: down }) };
}

/** Starts the HPA controller with its metric source. */
export function hpaController(opts: HpaControllerOptions = {}): ControllerFactory {
  return (ctx) => new HpaSync(ctx, opts).start();
}

/** Per-HPA timers and the remembered windows of each HPA. */
class HpaSync {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly states = new Map<string, HpaState>();
  private readonly hpaType: ResourceType;
  private readonly events: HpaEvents;
  private stopped = false;

  constructor(private readonly ctx: ControllerContext, private readonly opts: HpaControllerOptions) {
    this.hpaType = ctx.cluster.type('autoscaling/v2', 'HorizontalPodAutoscaler');
    this.events = new HpaEvents(ctx.cluster);
  }

  start(): Controller {
    const unsubscribe = this.ctx.cluster.store.subscribe((e) => {
      if (e.gr !== HPA_GR) return;
      const key = keyOf(e.object);
      if (e.type !== 'DELETED') this.schedule(key);
      else this.forget(key);
    });
    for (const hpa of this.ctx.cluster.store.list(this.hpaType)) this.schedule(keyOf(hpa));
    return {
      name: 'horizontal-pod-autoscaler',
      stop: () => {
        this.stopped = true;
        unsubscribe();
        for (const t of this.timers.values()) clearTimeout(t);
        this.timers.clear();
      },
    };
  }

  /** Queues a sync one period from now unless one is queued or running (the controller's rate-limited queue). */
  private schedule(key: string): void {
    if (this.stopped || this.timers.has(key)) return;
    const t: NodeJS.Timeout = setTimeout(() => { void this.run(key, t); }, Math.max(1, this.ctx.timing.hpaSyncPeriodMs));
    this.timers.set(key, t);
  }

  private forget(key: string): void {
    const t = this.timers.get(key);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(key);
    this.states.delete(key);
    this.events.forget(key);
  }

  private async run(key: string, timer: NodeJS.Timeout): Promise<void> {
    try {
      await this.sync(key);
    } catch (err) {
      this.ctx.onError('horizontal-pod-autoscaler', key, err);
    }
    // Deleted and created again while this sync ran: the new HPA has its own timer.
    if (this.timers.get(key) !== timer) return;
    this.timers.delete(key);
    const [ns, name] = splitKey(key);
    if (this.ctx.cluster.store.get(this.hpaType, ns, name) !== undefined) this.schedule(key);
    else this.forget(key);
  }

  /** One reconcile of one HPA. */
  private async sync(key: string): Promise<void> {
    const { cluster } = this.ctx;
    const [ns, name] = splitKey(key);
    const hpa = cluster.store.get(this.hpaType, ns, name);
    if (hpa === undefined || hpa.metadata.deletionTimestamp !== undefined) return;
    const spec = isRecord(hpa.spec) ? hpa.spec : {};
    const old = isRecord(hpa.status) ? hpa.status : {};
    const target = readScale(cluster, ns, isRecord(spec.scaleTargetRef) ? spec.scaleTargetRef : {});
    if ('error' in target) {
      this.events.record(hpa, 'Warning', 'FailedGetScale', target.error);
      const conditions = this.conditions(old, [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${target.error}` }]);
      this.writeStatus(ns, name, { ...old, conditions });
      return;
    }
    const current = target.replicas;
    const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
    const max = num(spec, 'maxReplicas');
    // Only a count inside [min, max] (and not 0) makes the controller read metrics; elsewhere syncHpa decides alone.
    const readsMetrics = !(current === 0 && min !== 0) && current <= max && current >= min;
    if (readsMetrics && target.selector === '') {
      this.events.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      const conditions = this.conditions(old, [ABLE_TO_GET_SCALE, { type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: "the HPA target's scale is missing a selector" }]);
      this.writeStatus(ns, name, hpaStatus(old, { current, desired: num(old, 'desiredReplicas'), metrics: undefined, conditions, rescaled: false, now: cluster.clock() }));
      return;
    }
    const read = readsMetrics ? await readMetrics(cluster, this.opts, ns, spec.metrics) : [];
    // Stopped, or the HPA went away (or was replaced) while its metrics were read.
    if (this.stopped || cluster.store.get(this.hpaType, ns, name)?.metadata.uid !== hpa.metadata.uid) return;
    this.decide(key, hpa, target, read);
  }

  /** Runs src/scaling/hpa.ts on what was read, then writes /scale, status and events. */
  private decide(key: string, hpa: KubeObject, target: TargetScale, read: readonly ReadMetric[]): void {
    const { cluster } = this.ctx;
    const [ns, name] = splitKey(key);
    const spec = isRecord(hpa.spec) ? hpa.spec : {};
    const old = isRecord(hpa.status) ? hpa.status : {};
    const now = cluster.clock();
    const current = target.replicas;
    const result = syncHpa({
      spec: { minReplicas: typeof spec.minReplicas === 'number' ? spec.minReplicas : 1, maxReplicas: num(spec, 'maxReplicas'), behavior: behaviorOf(spec.behavior) },
      currentReplicas: current,
      statusReplicas: target.statusReplicas,
      readyPods: read.some((r) => r.observation.targetType === 'Value') ? readyPods(cluster, ns, target.selector) : 0,
      metrics: read.map((r) => r.observation),
      now,
      state: this.states.get(key),
      options: { ...(this.opts.tolerance === undefined ? {} : { tolerance: this.opts.tolerance }), ...(this.opts.downscaleStabilizationSeconds === undefined ? {} : { downscaleStabilizationSeconds: this.opts.downscaleStabilizationSeconds }) },
    });
    this.states.set(key, result.state);
    const metrics = read.length === 0 ? undefined : metricStatuses(read, target.statusReplicas);
    if (result.reason === 'FailedGetExternalMetric') {
      this.failedMetrics(hpa, read, result.conditions);
      this.writeStatus(ns, name, hpaStatus(old, { current, desired: num(old, 'desiredReplicas'), metrics, conditions: this.conditions(old, this.metricConditions(read, result.conditions)), rescaled: false, now }));
      return;
    }
    const desired = result.desiredReplicas;
    let conditions = this.conditions(old, result.conditions);
    let rescaled = false;
    if (desired !== current) {
      try {
        writeScale(cluster, target, ns, String(isRecord(spec.scaleTargetRef) ? spec.scaleTargetRef.name : ''), desired);
        rescaled = true;
        this.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${result.rescaleReason}`);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        this.events.record(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${result.rescaleReason}; error: ${text}`);
        conditions = this.conditions(old, [...result.conditions, { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${text}` }]);
        this.writeStatus(ns, name, hpaStatus(old, { current, desired: num(old, 'desiredReplicas'), metrics, conditions, rescaled: false, now }));
        return;
      }
    }
    this.writeStatus(ns, name, hpaStatus(old, { current, desired, metrics, conditions, rescaled, now }));
  }

  /** The sync's conditions with ScalingActive naming the first unreadable metric's own source (Resource, Pods, …). */
  private metricConditions(read: readonly ReadMetric[], conditions: readonly HpaCondition[]): Pick<HpaCondition, 'type' | 'status' | 'reason' | 'message'>[] {
    const first = read.find((r) => externalMetricError(r.observation) !== undefined);
    if (first?.unavailable === undefined) return [...conditions];
    const own = { type: 'ScalingActive' as const, status: 'False' as const, ...first.unavailable };
    return conditions.map((c) => (c.type === 'ScalingActive' ? own : c));
  }

  /** Events of a sync whose metrics could not all be read. */
  private failedMetrics(hpa: KubeObject, read: readonly ReadMetric[], conditions: readonly HpaCondition[]): void {
    const errors = read.map((r) => ({ r, error: externalMetricError(r.observation) })).filter((x) => x.error !== undefined);
    for (const { r, error } of errors) this.events.record(hpa, 'Warning', r.unavailable?.reason ?? 'FailedGetExternalMetric', r.unavailable?.message ?? error ?? '');
    const first = this.metricConditions(read, conditions).find((c) => c.type === 'ScalingActive')?.message ?? '';
    this.events.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${errors.length} invalid out of ${read.length}), first error is: ${first.replace(/^the HPA was unable to compute the replica count: /, '')}`);
  }

  private conditions(old: Record<string, unknown>, updates: readonly Pick<HpaCondition, 'type' | 'status' | 'reason' | 'message'>[]): StoredCondition[] {
    return mergeConditions(old.conditions, updates, kubeTime(this.ctx.cluster.clock()));
  }

  /** Writes status through the status subresource when it changed, on the newest copy of the HPA. */
  private writeStatus(ns: string, name: string, status: Record<string, unknown>): void {
    const { cluster } = this.ctx;
    const live = cluster.store.get(this.hpaType, ns, name);
    if (live === undefined || stableStringify(live.status ?? {}) === stableStringify(status)) return;
    const next = { ...live, status };
    const managedFields = recordUpdate(this.hpaType, live, next, { manager: MANAGER, subresource: 'status', now: cluster.clock() });
    cluster.store.update(this.hpaType, ns, name, next, { status: true, managedFields });
  }
}
