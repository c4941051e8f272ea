// The executor and HPA specs of a ScaledObject with KEDA's defaults applied, and each trigger's
// observation shape. `tide simulate` and the scale loop both build from here, so the two decide with
// the same numbers.

import type { ScaledObjectSettings, ScalingModifiersSettings, TriggerSettings } from '../api/defaults.js';
import { parseQuantity } from '../api/quantity.js';
import type { MetricSpec } from '../scalers/define.js';
import type { EvaluateInput, TriggerObservation } from '../scaling/evaluate.js';
import type { ExecutorSpec } from '../scaling/executor.js';
import { compileFormula } from '../scaling/formula.js';
import type { HpaSpec } from '../scaling/hpa.js';

/** Trigger types whose metric the HPA reads from metrics.k8s.io, never from a scaler. */
export const RESOURCE_TYPES: ReadonlySet<string> = new Set(['cpu', 'memory']);

/** What the HPA compares a served metric against. */
export interface MetricTarget {
  readonly targetType: 'AverageValue' | 'Value';
  readonly targetMilli: number;
}

/** The executor's view of a defaulted ScaledObject. */
export function executorSpec(settings: ScaledObjectSettings): ExecutorSpec {
  return {
    minReplicaCount: settings.minReplicaCount,
    maxReplicaCount: settings.maxReplicaCount,
    idleReplicaCount: settings.idleReplicaCount,
    cooldownPeriod: settings.cooldownPeriodSeconds,
    initialCooldownPeriod: settings.initialCooldownPeriodSeconds,
    pause: {
      paused: settings.pause.paused,
      pausedReplicas: settings.pause.pausedReplicas,
      scaleIn: settings.pause.pausedScaleIn,
      scaleOut: settings.pause.pausedScaleOut,
    },
    forceActivation: settings.pause.forceActivation,
    fallback: settings.fallback,
  };
}

/** The HPA KEDA generates for the object. */
export function hpaSpec(settings: ScaledObjectSettings): HpaSpec {
  return { minReplicas: settings.hpaMinReplicas, maxReplicas: settings.maxReplicaCount, behavior: settings.hpaBehavior };
}

/** KEDA deletes the HPA while paused (paused or paused-replicas), so nothing but the pin acts. */
export function isPaused(spec: ExecutorSpec): boolean {
  return spec.pause.paused || spec.pause.pausedReplicas !== undefined;
}

/** A trigger's observation (without this poll's result) from its first metric spec. */
export function triggerObservation(trigger: TriggerSettings, spec: MetricSpec): Omit<TriggerObservation, 'result'> {
  return {
    metricName: spec.metricName,
    ...(trigger.name !== undefined ? { triggerName: trigger.name } : {}),
    index: trigger.index,
    kind: RESOURCE_TYPES.has(trigger.type) ? 'resource' : 'external',
    targetType: spec.targetType,
    targetMilli: spec.targetMilli,
    activationMilli: spec.activationMilli,
  };
}

/** The HPA target of an observed trigger's metric (Utilization never reaches here: resource metrics are not served). */
export function metricTarget(observation: Pick<TriggerObservation, 'targetType' | 'targetMilli'>): MetricTarget {
  return { targetType: observation.targetType === 'AverageValue' ? 'AverageValue' : 'Value', targetMilli: observation.targetMilli };
}

/** Compiles scalingModifiers for evaluate(); problems are pushed to `errors` as `path: message`. */
export function modifiersInput(sm: ScalingModifiersSettings, triggers: readonly TriggerSettings[], errors: string[]): EvaluateInput['scalingModifiers'] {
  const names = triggers.filter((t) => !RESOURCE_TYPES.has(t.type)).flatMap((t) => (t.name !== undefined ? [t.name] : []));
  const compiled = compileFormula(sm.formula, names);
  const target = parseQuantity(sm.target);
  const activation = parseQuantity(sm.activationTarget);
  if (!compiled.ok) errors.push(`spec.advanced.scalingModifiers.formula: ${compiled.error}`);
  if ('error' in target) errors.push(`spec.advanced.scalingModifiers.target: ${target.error}`);
  if ('error' in activation) errors.push(`spec.advanced.scalingModifiers.activationTarget: ${activation.error}`);
  if (!compiled.ok || 'error' in target || 'error' in activation) return undefined;
  const formula = compiled.formula;
  return {
    target: sm.target,
    targetMilli: target.milli,
    activationMilli: activation.milli,
    metricType: sm.metricType,
    formula: (values) => {
      const result = formula.evaluate(values);
      return result.ok ? { value: result.value } : { error: result.error };
    },
  };
}
