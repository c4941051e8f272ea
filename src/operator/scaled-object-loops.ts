// The running scale loops of the operator, one per ScaledObject, and what a poll writes back: the
// executor's conditions, lastActiveTime and the HPA's ScalingActive as HPAActive (read from the
// informer's cache, as KEDA reads it at the end of each loop run) into status (only when they
// change) and KEDA's scale events. A loop is replaced when its object's generation, pause annotations or mode change.
import type { ScaledObjectStatus } from '../api/scaled-object.js';
import type { ExecutorStep, ScaleLoop } from '../engine/loop.js';
import type { KubeObject } from '../kube/api.js';
import type { MetricSpec } from '../scalers/define.js';
import { scaleFailedEvent } from '../scaling/executor.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventRecorder } from './event-recorder.js';
import { applyExecutorConditions, kubeTime, withHpaActive } from './status.js';
import type { StatusWriter } from './status-writer.js';

/** A loop and what it was built from. */
export interface RunningLoop {
  readonly loop: ScaleLoop;
  /** generation | mode | pause annotations: a different value means a new loop. */
  readonly fingerprint: string;
  readonly metricSpecs: readonly MetricSpec[];
  readonly triggerTypes: readonly string[];
}

export class ScaledObjectLoops {
  private readonly loops = new Map<string, RunningLoop>();

  constructor(
    private readonly status: StatusWriter,
    private readonly events: EventRecorder,
    private readonly current: (namespace: string, name: string) => KubeObject | undefined,
    private readonly log: Logger,
    /** Told when a loop stops for good (its metrics series go). */
    private readonly onStopped?: (namespace: string, name: string) => void,
    /** The HPA `namespace/name` as the informer has it (HPAActive mirrors its ScalingActive); none when absent. */
    private readonly hpaOf?: (namespace: string, name: string) => KubeObject | undefined,
  ) {}

  /** ScaledObjects per namespace and triggers per type, over the running loops (for the registered gauges). */
  snapshot(): { scaledObjects: Map<string, number>; triggers: Map<string, number> } {
    const scaledObjects = new Map<string, number>();
    const triggers = new Map<string, number>();
    for (const [key, running] of this.loops) {
      const namespace = key.slice(0, key.indexOf('/'));
      scaledObjects.set(namespace, (scaledObjects.get(namespace) ?? 0) + 1);
      for (const type of running.triggerTypes) triggers.set(type, (triggers.get(type) ?? 0) + 1);
    }
    return { scaledObjects, triggers };
  }

  get(key: string): RunningLoop | undefined {
    return this.loops.get(key);
  }

  get size(): number {
    return this.loops.size;
  }

  /** Starts `running` for `key`, stopping the loop it replaces. */
  async replace(key: string, running: RunningLoop): Promise<void> {
    const old = this.loops.get(key);
    this.loops.set(key, running);
    if (old !== undefined) await old.loop.stop();
    running.loop.start();
  }

  /** Stops and forgets the loop of `key`; true when there was one. */
  async stop(key: string): Promise<boolean> {
    const old = this.loops.get(key);
    if (old === undefined) return false;
    this.loops.delete(key);
    await old.loop.stop();
    const slash = key.indexOf('/');
    this.onStopped?.(key.slice(0, slash), key.slice(slash + 1));
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.loops.keys()].map((key) => this.stop(key)));
  }

  /** The loop's onExecutor for one object: status and events from each poll. */
  onExecutor(namespace: string, name: string): (step: ExecutorStep) => void {
    return (step) => {
      void this.writeBack(namespace, name, step).catch((error: unknown) => {
        this.log.warn('could not update ScaledObject status', { scaledObject: `${namespace}/${name}`, error: error instanceof Error ? error.message : String(error) });
      });
    };
  }

  private async writeBack(namespace: string, name: string, step: ExecutorStep): Promise<void> {
    const { decision, state, error } = step;
    await this.status.update(namespace, name, (s): ScaledObjectStatus => {
      const conditions = applyExecutorConditions(s.conditions, decision.conditions);
      // No hpaName (direct mode, or not written yet): no HPA to mirror.
      const hpa = s.hpaName === undefined ? undefined : this.hpaOf?.(namespace, s.hpaName);
      const next: ScaledObjectStatus = { ...s, conditions: withHpaActive(conditions, hpa) ?? conditions };
      if (state.lastActiveTime !== undefined) next.lastActiveTime = kubeTime(state.lastActiveTime);
      // KEDA keeps status.health only for a ScaledObject with a fallback (the only case the loop tracks it).
      if (Object.keys(step.health).length > 0) next.health = Object.fromEntries(Object.entries(step.health).map(([metric, h]) => [metric, { numberOfFailures: h.numberOfFailures, status: h.status }]));
      return next;
    });
    const object = this.current(namespace, name);
    if (object === undefined) return;
    const scaleEvent = error === undefined ? decision.event : scaleFailedEvent(decision, state, step.replicasBefore);
    if (scaleEvent !== undefined) await this.events.record(object, scaleEvent);
    if (decision.fallbackEvent !== undefined) await this.events.record(object, decision.fallbackEvent);
  }
}
