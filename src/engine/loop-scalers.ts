// The scalers of one scale loop: built once per object from its triggers, read in parallel at every
// step. A trigger that cannot be built or read is an error result (it feeds fallback), never a crash.

import type { TriggerSettings } from '../api/defaults.js';
import type { MetricSpec } from '../scalers/define.js';
import { scalerFor, type AnyScaler } from '../scalers/index.js';
import { ScalerInstance, triggerLabel, type MetricReading } from '../scalers/instance.js';
import type { TriggerResult } from '../scaling/evaluate.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';

/** What the loop needs of a running scaler; ScalerInstance is one, tests may pass their own. */
export interface LoopScaler {
  readonly metricSpecs: readonly MetricSpec[];
  /** Reads once; throws (ScalerError) on failure. */
  getMetricsAndActivity(now: number): Promise<MetricReading>;
  close(): Promise<void>;
  /** Push scalers: call onActive as soon as the source turns active; returns the unsubscribe function. */
  subscribe?(onActive: () => void): () => void;
}

/** What a factory knows of the object besides the trigger. */
export interface ScalerContext {
  readonly scaledObject: { readonly name: string; readonly namespace: string };
  /** The object has scalingModifiers: triggers are metric sources. */
  readonly metricSource: boolean;
}

/** Builds the scaler of one trigger, or says why it cannot. */
export type ScalerFactory = (trigger: TriggerSettings, context: ScalerContext) => LoopScaler | { readonly error: string };

/** Where a trigger's authentication parameters and container env come from (resolved by the caller). */
export interface TriggerInputs {
  readonly authParams?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly podIdentity?: string;
}

export interface InstanceFactoryOptions {
  /** The declaration of a trigger type; the registry by default (tests pass scalers made with defineScaler). */
  readonly lookup?: (type: string) => AnyScaler | undefined;
  /** Resolved auth params and env per trigger; none by default. */
  readonly inputs?: (trigger: TriggerSettings) => TriggerInputs;
  readonly timeoutMs?: number;
}

/** A factory that parses each trigger with its scaler and runs it as a ScalerInstance (timeouts, secret scrubbing). */
export function scalerInstanceFactory(options: InstanceFactoryOptions = {}): ScalerFactory {
  const lookup = options.lookup ?? scalerFor;
  return (trigger, context) => {
    const label = triggerLabel(trigger);
    const scaler = lookup(trigger.type);
    if (!scaler) return { error: `${label}: tide has no "${trigger.type}" scaler` };
    const inputs = options.inputs?.(trigger) ?? {};
    const parsed = scaler.parse({
      metadata: trigger.metadata,
      triggerIndex: trigger.index,
      metricSource: context.metricSource,
      ...(trigger.name !== undefined ? { triggerName: trigger.name } : {}),
      ...(trigger.metricType !== undefined ? { metricType: trigger.metricType } : {}),
      ...(inputs.authParams ? { authParams: inputs.authParams } : {}),
      ...(inputs.env ? { env: inputs.env } : {}),
      ...(inputs.podIdentity !== undefined ? { podIdentity: inputs.podIdentity } : {}),
    });
    // Warnings go with the errors: "env var X is not set" is often the cause of "connection: required".
    if (!parsed.ok) return { error: [...parsed.problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1)).map((p) => `${label}: ${p.path}: ${p.message}`).join('; ') };
    const instance = new ScalerInstance(scaler, parsed, {
      trigger,
      metadata: trigger.metadata,
      scaledObject: context.scaledObject,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return scaler.subscribe ? withSubscription(instance, scaler, parsed.params, trigger, context) : instance;
  };
}

/**
 * ScalerInstance keeps its connection private, so a push subscription opens one of its own (for the
 * external-push scaler that is a second gRPC stream client, as KEDA's push loop also holds one).
 */
function withSubscription(instance: ScalerInstance, scaler: AnyScaler, params: unknown, trigger: TriggerSettings, context: ScalerContext): LoopScaler {
  const subscribe = scaler.subscribe;
  const connect = scaler.connect;
  const close = scaler.close;
  return {
    metricSpecs: instance.metricSpecs,
    getMetricsAndActivity: (now) => instance.getMetricsAndActivity(now),
    close: () => instance.close(),
    subscribe(onActive) {
      if (!subscribe) return () => undefined;
      const abort = new AbortController();
      let stop: (() => void) | undefined;
      let connection: unknown;
      let done = false;
      void Promise.resolve(connect?.(params as never, { signal: abort.signal, timeoutMs: 0, metadata: trigger.metadata, scaledObject: context.scaledObject }))
        .then((c) => {
          connection = c;
          if (!done) stop = subscribe(c as never, params as never, onActive);
        })
        .catch(() => undefined);
      return () => {
        done = true;
        abort.abort();
        stop?.();
        if (connection !== undefined) void Promise.resolve(close?.(connection as never)).catch(() => undefined);
      };
    },
  };
}

/**
 * Reads every scaler in parallel; a failure or a scaler that could not be built becomes that trigger's
 * error; undefined (cpu/memory) reads nothing. `latenciesMs`, when given, gets each read's duration
 * (a wait for a slot of `limit` included: it is what the poll waited for).
 */
export async function readAll(scalers: readonly (LoopScaler | { readonly error: string } | undefined)[], now: number, latenciesMs?: number[], limit?: ConcurrencyLimit): Promise<(TriggerResult | undefined)[]> {
  return Promise.all(
    scalers.map(async (scaler, i): Promise<TriggerResult | undefined> => {
      if (scaler === undefined) return undefined;
      if ('error' in scaler) return { error: scaler.error };
      const read = (): Promise<MetricReading> => scaler.getMetricsAndActivity(now);
      const started = performance.now();
      try {
        const reading = await (limit === undefined ? read() : limit.run(read));
        return { valueMilli: reading.valueMilli, active: reading.active };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      } finally {
        if (latenciesMs !== undefined) latenciesMs[i] = performance.now() - started;
      }
    }),
  );
}
