// The triggers of a scale loop: each with its observation shape (metric name, target, activation) and
// its scaler, plus how a step's results are written into the decision record.

import type { ScaledObjectSettings, TriggerSettings } from '../api/defaults.js';
import type { TriggerObservation, TriggerResult } from '../scaling/evaluate.js';
import type { TriggerRecord } from './loop-decisions.js';
import type { LoopScaler, ScalerFactory } from './loop-scalers.js';
import { RESOURCE_TYPES, triggerObservation } from './scaled-object-specs.js';

/** One trigger as the loop runs it. */
export interface LoopTrigger {
  readonly settings: TriggerSettings;
  readonly observation: Omit<TriggerObservation, 'result'>;
  /** undefined for cpu/memory (the HPA reads those from metrics.k8s.io); `{ error }` when it could not be built. */
  readonly scaler: LoopScaler | { readonly error: string } | undefined;
}

/** Builds every trigger's scaler; failures are pushed to `problems` and read as errors each step. */
export function buildLoopTriggers(settings: ScaledObjectSettings, factory: ScalerFactory, metricSource: boolean, problems: string[]): LoopTrigger[] {
  const context = { scaledObject: { name: settings.name, namespace: settings.namespace }, metricSource };
  return settings.triggers.map((trigger): LoopTrigger => {
    if (RESOURCE_TYPES.has(trigger.type)) {
      const observation = { metricName: trigger.type, index: trigger.index, kind: 'resource' as const, targetType: 'Utilization' as const, targetMilli: 0, activationMilli: 0 };
      return { settings: trigger, observation, scaler: undefined };
    }
    const built = factory(trigger, context);
    const spec = 'error' in built ? undefined : built.metricSpecs[0];
    if ('error' in built || spec === undefined) {
      const error = 'error' in built ? built.error : `trigger ${trigger.index} (${trigger.type}): the scaler declares no metric`;
      problems.push(error);
      const observation = {
        metricName: `s${trigger.index}-${trigger.type}`,
        ...(trigger.name !== undefined ? { triggerName: trigger.name } : {}),
        index: trigger.index,
        kind: 'external' as const,
        targetType: trigger.metricType === 'Value' ? ('Value' as const) : ('AverageValue' as const),
        targetMilli: 0,
        activationMilli: 0,
      };
      return { settings: trigger, observation, scaler: { error } };
    }
    return { settings: trigger, observation: triggerObservation(trigger, spec), scaler: built };
  });
}

/** What each external trigger returned at a step, with its target, for the decision record. */
export function triggerRecords(triggers: readonly LoopTrigger[], results: readonly (TriggerResult | undefined)[], latenciesMs: readonly (number | undefined)[] = []): TriggerRecord[] {
  const records: TriggerRecord[] = [];
  triggers.forEach((t, i) => {
    const result = results[i];
    if (result === undefined) return;
    const o = t.observation;
    records.push(triggerRecord({ name: t.settings.name ?? String(t.settings.index), type: t.settings.type, metricName: o.metricName, targetMilli: o.targetMilli, targetType: o.targetType }, result, latenciesMs[i]));
  });
  return records;
}

/** One trigger's record: what identifies it, what its read gave, and how long the read took. */
export function triggerRecord(base: Pick<TriggerRecord, 'name' | 'type' | 'metricName' | 'targetMilli' | 'targetType'>, result: TriggerResult, latencyMs: number | undefined): TriggerRecord {
  const timed = { ...base, ...(latencyMs !== undefined ? { latencyMs } : {}) };
  if ('error' in result) return { ...timed, error: result.error };
  return { ...timed, valueMilli: result.valueMilli, ...(result.active !== undefined ? { active: result.active } : {}) };
}
