// A function app → one keda.sh/v1alpha1 ScaledObject: one trigger per enabled function whose trigger
// has a KEDA scaler, named after the function. Local mode (`tide up`) and `tide kubernetes deploy` both
// start from this; they validate the object themselves (src/api/validate.ts) before using it.
import { problem, type Problem } from '../api/problems.js';
import type { ScaleTrigger } from '../api/scale-trigger.js';
import type { ScaledObject, ScaledObjectSpec } from '../api/scaled-object.js';
import type { FunctionDefinition } from './function-model.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS } from './host-json.js';
import { timerWindow } from './timer-window.js';
import { triggerForBinding } from './trigger-mapping.js';
import { BindingReader } from './trigger-mapping-settings.js';

export { triggerForBinding, type TriggerMapping } from './trigger-mapping.js';

export interface ScaledObjectOptions {
  /** metadata.name; also the scale target unless scaleTargetName is given. */
  readonly name: string;
  readonly namespace?: string;
  readonly pollingInterval?: number;
  readonly cooldownPeriod?: number;
  readonly minReplicaCount?: number;
  readonly maxReplicaCount?: number;
  readonly scaleTargetName?: string;
  /**
   * Timer functions: keep one replica (default; local mode), or scale one replica up in a cron
   * window around each run (`tide kubernetes deploy`, see timer-window.ts).
   */
  readonly timers?: 'keep-one-replica' | 'cron-window';
  /** host.json functionTimeout for the cron window; null when unbounded. Default 30 minutes. */
  readonly functionTimeoutMs?: number | null;
}

/** A trigger together with the function it came from. */
export interface MappedTrigger {
  readonly functionName: string;
  /** The binding type as written (`queueTrigger`, …). */
  readonly bindingType: string;
  readonly trigger: ScaleTrigger;
}

export interface AppScaling {
  /** Absent when a problem stops the mapping or nothing in the app is scaled by a trigger. */
  readonly scaledObject?: ScaledObject;
  readonly triggers: readonly MappedTrigger[];
  /** Plain-language remarks: unscaled functions, what a scaler will count, secrets kept out of metadata. */
  readonly notes: readonly string[];
  /** Missing settings, incomplete bindings, or an app with no scalable trigger. */
  readonly problems: readonly Problem[];
  /** Settings the triggers read through *FromEnv that the app does not define (e.g. a Redis password): add them to the replicas' environment. */
  readonly derivedSettings: Readonly<Record<string, string>>;
  /** At least this many replicas must run regardless of triggers (1 when the app has a timer function). */
  readonly minReplicaCount: number;
}

/** Maps the enabled functions of an app to a ScaledObject (plus notes and problems); never throws on bad input. */
export function scaledObjectForApp(
  app: { readonly functions: readonly FunctionDefinition[]; readonly settings: Readonly<Record<string, string>> },
  options: ScaledObjectOptions,
): AppScaling {
  const triggers: MappedTrigger[] = [];
  const notes: string[] = [];
  const problems: Problem[] = [];
  const derivedSettings: Record<string, string> = {};
  let keepOneReplica = false;
  for (const fn of app.functions) {
    if (fn.disabled) {
      notes.push(`${fn.name}: disabled, not scaled`);
      continue;
    }
    const mapped = options.timers === 'cron-window' && fn.trigger.type.toLowerCase() === 'timertrigger' ? timerMapping(fn, app.settings, options) : triggerForBinding(fn, fn.trigger, app.settings);
    if (mapped.kind === 'cron') {
      triggers.push(...mapped.triggers.map((trigger) => ({ functionName: fn.name, bindingType: fn.trigger.type, trigger })));
    } else if (mapped.kind === 'note') {
      notes.push(mapped.note);
      keepOneReplica ||= mapped.keepOneReplica === true;
    } else if (mapped.kind === 'problems') {
      problems.push(...mapped.problems);
    } else {
      triggers.push({ functionName: fn.name, bindingType: fn.trigger.type, trigger: mapped.trigger });
      notes.push(...mapped.notes);
      Object.assign(derivedSettings, mapped.derivedSettings);
    }
  }
  const minReplicaCount = Math.max(options.minReplicaCount ?? 0, keepOneReplica ? 1 : 0);
  if (triggers.length === 0 && problems.length === 0 && !keepOneReplica) {
    problems.push(problem('', 'no scalable trigger: the app has no enabled function with a queue, blob, Service Bus, Event Hubs, Kafka, RabbitMQ or Redis trigger'));
  }
  const result = { triggers, notes, problems, derivedSettings, minReplicaCount };
  if (problems.length > 0 || triggers.length === 0) return result;
  return { ...result, scaledObject: buildScaledObject(options, triggers, keepOneReplica ? minReplicaCount : options.minReplicaCount) };
}

type TimerMapping = { kind: 'cron'; triggers: readonly ScaleTrigger[] } | { kind: 'note'; note: string; keepOneReplica: true } | { kind: 'problems'; problems: readonly Problem[] };

/** A timer function's cron window triggers, or a note keeping one replica, or a problem with its schedule. */
function timerMapping(fn: FunctionDefinition, settings: Readonly<Record<string, string>>, options: ScaledObjectOptions): TimerMapping {
  const reader = new BindingReader(fn, fn.trigger, settings);
  const schedule = reader.required('schedule', 'an NCRONTAB expression such as "0 0 * * * *"');
  if (schedule === undefined) return { kind: 'problems', problems: reader.problems };
  const timezone = settings['WEBSITE_TIME_ZONE'] ?? settings['TZ'] ?? 'UTC';
  const window = timerWindow(fn.name, schedule, { functionTimeoutMs: options.functionTimeoutMs === undefined ? DEFAULT_FUNCTION_TIMEOUT_MS : options.functionTimeoutMs, timezone });
  if (window.kind === 'invalid') return { kind: 'problems', problems: [problem(reader.path('schedule'), window.message)] };
  if (window.kind === 'keep-one-replica') return { kind: 'note', note: `${fn.name}: keeps one replica: ${window.reason}`, keepOneReplica: true };
  return window;
}

function buildScaledObject(options: ScaledObjectOptions, triggers: readonly MappedTrigger[], minReplicaCount: number | undefined): ScaledObject {
  const spec: ScaledObjectSpec = {
    scaleTargetRef: { name: options.scaleTargetName ?? options.name },
    ...(options.pollingInterval !== undefined ? { pollingInterval: options.pollingInterval } : {}),
    ...(options.cooldownPeriod !== undefined ? { cooldownPeriod: options.cooldownPeriod } : {}),
    ...(minReplicaCount !== undefined ? { minReplicaCount } : {}),
    ...(options.maxReplicaCount !== undefined ? { maxReplicaCount: options.maxReplicaCount } : {}),
    triggers: triggers.map((t) => t.trigger),
  };
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: options.name, ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) },
    spec,
  };
}
