// The operator's Prometheus metrics with KEDA's names and labels (keda.md §8), so dashboards and
// alerts made for KEDA keep working: each poll's trigger values, activity and errors; what is
// registered; the build. Kept in its own registry; served on --metrics-bind-address.
import { Counter, Gauge, Registry } from 'prom-client';
import type { LoopDecision, TriggerRecord } from '../engine/loop-decisions.js';

/** KEDA's label set of per-trigger metrics. */
const TRIGGER_LABELS = ['namespace', 'metric', 'scaledObject', 'scaler', 'triggerIndex', 'type'] as const;
type TriggerLabels = Record<(typeof TRIGGER_LABELS)[number], string>;
/** KEDA's `type` label: which kind of object a series belongs to. */
type SeriesType = 'scaledobject' | 'scaledjob';

/** KEDA labels an unnamed trigger with its Go scaler type: `kafka` → `kafkaScaler`, `azure-queue` → `azureQueueScaler`. */
export function scalerLabel(trigger: Pick<TriggerRecord, 'name' | 'type'>, index: number): string {
  if (trigger.name !== String(index)) return trigger.name;
  return `${trigger.type.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}Scaler`;
}

/** What is registered now, read at scrape time. */
export interface RegisteredSnapshot {
  /** ScaledObjects per namespace. */
  readonly scaledObjects: ReadonlyMap<string, number>;
  /** Other resources per KEDA type label (scaled_job, trigger_authentication, cluster_trigger_authentication), then namespace. */
  readonly others?: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Triggers per type over all ScaledObjects. */
  readonly triggers: ReadonlyMap<string, number>;
}

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly value: Gauge<(typeof TRIGGER_LABELS)[number]>;
  private readonly active: Gauge<(typeof TRIGGER_LABELS)[number]>;
  private readonly detailErrors: Counter<(typeof TRIGGER_LABELS)[number]>;
  private readonly objectErrors: Counter<'namespace' | 'scaledObject'>;
  private readonly jobErrors: Counter<'namespace' | 'scaledJob'>;
  private readonly latency: Gauge<(typeof TRIGGER_LABELS)[number]>;
  private readonly loopLatency: Gauge<'namespace' | 'type' | 'resource'>;
  private readonly paused: Gauge<'namespace' | 'scaledObject'>;
  /** Label sets written per object, removed when its loop stops (no stale series). */
  private readonly series = new Map<string, TriggerLabels[]>();

  constructor(version: string, registered: () => RegisteredSnapshot) {
    const registers = [this.registry];
    const build = new Gauge({ name: 'keda_build_info', help: 'Info metric, with static information about the build', labelNames: ['version', 'git_commit', 'goversion', 'goos', 'goarch'], registers });
    build.set({ version, git_commit: 'unknown', goversion: `node ${process.version}`, goos: process.platform, goarch: process.arch }, 1);
    this.value = new Gauge({ name: 'keda_scaler_metrics_value', help: 'The current value for each scaler metric', labelNames: TRIGGER_LABELS, registers });
    this.active = new Gauge({ name: 'keda_scaler_active', help: 'Activity of a Scaler Metric value', labelNames: TRIGGER_LABELS, registers });
    this.detailErrors = new Counter({ name: 'keda_scaler_detail_errors_total', help: 'The total number of errors encountered for each scaler', labelNames: TRIGGER_LABELS, registers });
    this.objectErrors = new Counter({ name: 'keda_scaled_object_errors_total', help: 'The number of errors that have occurred for each ScaledObject', labelNames: ['namespace', 'scaledObject'], registers });
    this.jobErrors = new Counter({ name: 'keda_scaled_job_errors_total', help: 'Number of scaled job errors', labelNames: ['namespace', 'scaledJob'], registers });
    this.latency = new Gauge({ name: 'keda_scaler_metrics_latency_seconds', help: 'The latency of retrieving current metric from each scaler', labelNames: TRIGGER_LABELS, registers });
    this.loopLatency = new Gauge({ name: 'keda_internal_scale_loop_latency_seconds', help: 'Total deviation (in seconds) between the expected execution time and the actual execution time for the scaling loop.', labelNames: ['namespace', 'type', 'resource'], registers });
    this.paused = new Gauge({ name: 'keda_scaled_object_paused', help: 'Indicates whether a ScaledObject is paused', labelNames: ['namespace', 'scaledObject'], registers });
    new Gauge({
      name: 'keda_resource_registered_total',
      help: 'Total resources registered',
      labelNames: ['type', 'namespace'],
      registers,
      collect() {
        this.reset();
        const snapshot = registered();
        for (const [namespace, count] of snapshot.scaledObjects) this.set({ type: 'scaled_object', namespace }, count);
        for (const [type, byNamespace] of snapshot.others ?? []) for (const [namespace, count] of byNamespace) this.set({ type, namespace }, count);
      },
    });
    new Gauge({
      name: 'keda_trigger_registered_total',
      help: 'Total triggers registered',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const [type, count] of registered().triggers) this.set({ type }, count);
      },
    });
  }

  /** Records one poll or sync of the ScaledObject `namespace/name`. */
  recordDecision(namespace: string, name: string, decision: LoopDecision): void {
    const failed = this.recordTriggers(namespace, name, 'scaledobject', decision.triggers);
    // Polls only: KEDA measures its polling loop (an HPA sync is not one), due time to run time.
    if (decision.step === 'poll' && decision.due !== undefined) this.loopLatency.set({ namespace, type: 'scaledobject', resource: name }, Math.max(0, decision.at - decision.due) / 1000);
    if (failed || decision.error !== undefined) this.objectErrors.inc({ namespace, scaledObject: name });
  }

  /** Records one poll of the ScaledJob `namespace/name` (KEDA labels its series type="scaledjob"); `lateMs` from its due time. */
  recordScaledJobPoll(namespace: string, name: string, triggers: readonly TriggerRecord[], lateMs: number, error: boolean): void {
    const failed = this.recordTriggers(namespace, name, 'scaledjob', triggers);
    this.loopLatency.set({ namespace, type: 'scaledjob', resource: name }, Math.max(0, lateMs) / 1000);
    if (failed || error) this.jobErrors.inc({ namespace, scaledJob: name });
  }

  /** Sets the per-trigger series; true when a trigger failed. */
  private recordTriggers(namespace: string, name: string, type: SeriesType, triggers: readonly TriggerRecord[]): boolean {
    const labels = triggers.map((t, i): TriggerLabels => ({ namespace, metric: t.metricName, scaledObject: name, scaler: scalerLabel(t, i), triggerIndex: String(i), type }));
    this.series.set(`${type}/${namespace}/${name}`, labels);
    let failed = false;
    triggers.forEach((t, i) => {
      const l = labels[i];
      if (l === undefined) return;
      if (t.error !== undefined || t.valueMilli === undefined) {
        this.detailErrors.inc(l);
        failed = true;
        return;
      }
      this.value.set(l, t.valueMilli / 1000);
      this.active.set(l, t.active === true ? 1 : 0);
      if (t.latencyMs !== undefined) this.latency.set(l, t.latencyMs / 1000);
    });
    return failed;
  }

  /** keda_scaled_object_paused: 1 while the object is paused, 0 once it runs; undefined drops the series (object gone). */
  setPaused(namespace: string, name: string, paused: boolean | undefined): void {
    if (paused === undefined) this.paused.remove({ namespace, scaledObject: name });
    else this.paused.set({ namespace, scaledObject: name }, paused ? 1 : 0);
  }

  /** Drops the series of an object whose loop stopped. */
  forget(namespace: string, name: string, type: SeriesType = 'scaledobject'): void {
    for (const labels of this.series.get(`${type}/${namespace}/${name}`) ?? []) {
      this.value.remove(labels);
      this.active.remove(labels);
      this.detailErrors.remove(labels);
      this.latency.remove(labels);
    }
    if (type === 'scaledobject') this.objectErrors.remove({ namespace, scaledObject: name });
    else this.jobErrors.remove({ namespace, scaledJob: name });
    this.loopLatency.remove({ namespace, type, resource: name });
    this.series.delete(`${type}/${namespace}/${name}`);
  }
}
