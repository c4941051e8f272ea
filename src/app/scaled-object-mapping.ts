// A function app → one keda.sh/v1alpha1 ScaledObject: one trigger per enabled function whose trigger
// has a KEDA scaler, named after the function. Local mode (`tide up`) and `tide kubernetes deploy` both
// start from this; they validate the object themselves (src/api/validate.ts) before using it.
import { problem, type Problem } from '../api/problems.js';
import type { ScaleTrigger } from '../api/scale-trigger.js';
import type { ScaledObject, ScaledObjectSpec } from '../api/scaled-object.js';
import type { FunctionDefinition } from './function-model.js';
import { triggerForBinding } from './trigger-mapping.js';

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
    const mapped = triggerForBinding(fn, fn.trigger, app.settings);
    if (mapped.kind === 'note') {
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
