// Rules on spec.triggers that KEDA enforces for ScaledObjects and ScaledJobs alike, plus the
// metric-type rules of each kind. Parsing each trigger's metadata is the scaler framework's job.
import { appendPath } from './field-path.js';
import { problem, warning, type Problem } from './problems.js';
import { duplicateTriggerNames, isResourceTrigger, NO_CACHE_TRIGGER_TYPES, type ScaleTrigger } from './scale-trigger.js';

const triggerPath = (index: number, field?: string): string => {
  const base = appendPath('spec.triggers', index);
  return field === undefined ? base : appendPath(base, field);
};

/** KEDA's shared trigger rules: unique names, no useCachedMetrics on cpu, memory or cron. */
export function commonTriggerProblems(triggers: readonly ScaleTrigger[], owner: 'ScaledObject' | 'ScaledJob'): Problem[] {
  const out: Problem[] = [];
  if (triggers.length === 0) out.push(problem('spec.triggers', 'at least one trigger is required'));
  triggers.forEach((trigger, index) => {
    if (trigger.useCachedMetrics === true && NO_CACHE_TRIGGER_TYPES.has(trigger.type)) {
      out.push(problem(triggerPath(index, 'useCachedMetrics'), `is not supported for "${trigger.type}" triggers`));
    }
  });
  for (const { index, name } of duplicateTriggerNames(triggers)) {
    out.push(problem(triggerPath(index, 'name'), `trigger name "${name}" is used more than once in the ${owner}; names must be unique`));
  }
  return out;
}

/** ScaledObject metric types: cpu/memory need Utilization or AverageValue; others may not use Utilization. */
export function scaledObjectMetricTypeProblems(triggers: readonly ScaleTrigger[]): Problem[] {
  const out: Problem[] = [];
  triggers.forEach((trigger, index) => {
    const path = triggerPath(index, 'metricType');
    if (isResourceTrigger(trigger)) {
      if (trigger.metricType === undefined) {
        const legacy = trigger.metadata.type !== undefined ? ` (metadata.type is no longer supported: move "${trigger.metadata.type}" here)` : '';
        out.push(problem(path, `is required for ${trigger.type} triggers: Utilization or AverageValue${legacy}`));
      } else if (trigger.metricType === 'Value') {
        out.push(problem(path, `must be Utilization or AverageValue for ${trigger.type} triggers, got Value`));
      }
    } else if (trigger.metricType === 'Utilization') {
      out.push(problem(path, `Utilization is only for cpu and memory triggers; use AverageValue or Value for "${trigger.type}"`));
    }
  });
  return out;
}

/** ScaledJob triggers: metricType must be empty; useCachedMetrics has no effect. */
export function scaledJobTriggerProblems(triggers: readonly ScaleTrigger[]): Problem[] {
  const out: Problem[] = [];
  triggers.forEach((trigger, index) => {
    if (trigger.metricType !== undefined) {
      out.push(problem(triggerPath(index, 'metricType'), 'must not be set on ScaledJob triggers (KEDA refuses the ScaledJob)'));
    }
    if (trigger.useCachedMetrics === true && !NO_CACHE_TRIGGER_TYPES.has(trigger.type)) {
      out.push(warning(triggerPath(index, 'useCachedMetrics'), 'has no effect on ScaledJob triggers'));
    }
  });
  return out;
}
