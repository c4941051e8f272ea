// The ScaledObject rules KEDA's admission webhook enforces without looking at the cluster (names,
// replica bounds, scalingModifiers structure, fallback, cpu/memory scale-to-zero, triggers), and
// its warnings. Compiling the formula and cluster lookups (other ScaledObjects/HPAs on the same
// target, missing resource requests) belong to other modules.
import { pausedReplicas, PAUSED_REPLICAS_ANNOTATION } from './annotations.js';
import { DEFAULT_MAX_REPLICA_COUNT, MAX_LABEL_VALUE_LENGTH } from './defaults.js';
import { appendPath } from './field-path.js';
import { parseGoFloat } from './go-float.js';
import { problem, warning, type Problem } from './problems.js';
import { onlyResourceTriggers } from './scale-trigger.js';
import { hpaName, isUsingModifiers, type ScaledObject } from './scaled-object.js';
import { commonTriggerProblems, scaledObjectMetricTypeProblems } from './trigger-rules.js';

const MODIFIERS = 'spec.advanced.scalingModifiers';

function nameProblems(so: ScaledObject): Problem[] {
  const name = so.metadata.name;
  const out: Problem[] = [];
  if (name === undefined || name === '') {
    if (so.metadata.generateName === undefined) out.push(problem('metadata.name', 'is required'));
    return out;
  }
  if (name.length > MAX_LABEL_VALUE_LENGTH) {
    out.push(problem('metadata.name', `is ${name.length} characters; at most ${MAX_LABEL_VALUE_LENGTH} are allowed because KEDA uses it as a label value`));
  }
  const hpa = hpaName(name, so.spec);
  if (hpa.length > MAX_LABEL_VALUE_LENGTH) {
    const configured = so.spec.advanced?.horizontalPodAutoscalerConfig?.name;
    const path = configured !== undefined && configured !== '' ? 'spec.advanced.horizontalPodAutoscalerConfig.name' : 'metadata.name';
    out.push(problem(path, `the HPA name "${hpa}" is ${hpa.length} characters; at most ${MAX_LABEL_VALUE_LENGTH} are allowed: set a shorter spec.advanced.horizontalPodAutoscalerConfig.name`));
  }
  return out;
}

/** KEDA's CheckReplicaCountBoundsAreValid: a set min counts as max(min, 1); an unset min as 0. */
export function replicaBoundsProblems(spec: ScaledObject['spec']): Problem[] {
  const min = spec.minReplicaCount === undefined ? 0 : Math.max(spec.minReplicaCount, 1);
  const max = spec.maxReplicaCount ?? DEFAULT_MAX_REPLICA_COUNT;
  const out: Problem[] = [];
  if (min > max) {
    const maxText = spec.maxReplicaCount === undefined ? `${max}, the default` : `${max}`;
    out.push(problem('spec.minReplicaCount', `must be ≤ maxReplicaCount (${maxText}), got ${spec.minReplicaCount ?? 0}`));
  }
  const idle = spec.idleReplicaCount;
  if (idle !== undefined && idle >= min) {
    const why = spec.minReplicaCount === undefined ? 'minReplicaCount is not set, so it counts as 0' : `KEDA compares it with ${min}`;
    out.push(problem('spec.idleReplicaCount', `must be less than minReplicaCount (${why}), got ${idle}`));
  }
  return out;
}

function modifierProblems(so: ScaledObject): Problem[] {
  const sm = so.spec.advanced?.scalingModifiers;
  if (sm === undefined || !isUsingModifiers(so.spec)) return [];
  const out: Problem[] = [];
  if (sm.formula === undefined || sm.formula === '') out.push(problem(appendPath(MODIFIERS, 'formula'), 'is required when scalingModifiers is set'));
  if (sm.target === undefined || sm.target === '') out.push(problem(appendPath(MODIFIERS, 'target'), 'is required when scalingModifiers is set'));
  else {
    const target = parseGoFloat(sm.target);
    if (target === undefined || target <= 0) out.push(problem(appendPath(MODIFIERS, 'target'), `must be a number > 0, got ${JSON.stringify(sm.target)}`));
  }
  if (sm.activationTarget !== undefined && sm.activationTarget !== '' && parseGoFloat(sm.activationTarget) === undefined) {
    out.push(problem(appendPath(MODIFIERS, 'activationTarget'), `must be a number, got ${JSON.stringify(sm.activationTarget)}`));
  }
  return out;
}

/** KEDA's CheckFallbackValid plus the scalingModifiers-behavior rule. */
export function fallbackProblems(so: ScaledObject): Problem[] {
  const fallback = so.spec.fallback;
  if (fallback === undefined) return [];
  const out: Problem[] = [];
  if (fallback.failureThreshold < 0) out.push(problem('spec.fallback.failureThreshold', `must be ≥ 0, got ${fallback.failureThreshold}`));
  if (fallback.replicas < 0) out.push(problem('spec.fallback.replicas', `must be ≥ 0, got ${fallback.replicas}`));
  const modifiers = isUsingModifiers(so.spec);
  if (fallback.behavior === 'scalingModifiers') {
    const formula = so.spec.advanced?.scalingModifiers?.formula;
    if (!modifiers || formula === undefined || formula === '') {
      out.push(problem('spec.fallback.behavior', 'scalingModifiers needs spec.advanced.scalingModifiers.formula'));
    }
  }
  if (!modifiers && onlyResourceTriggers(so.spec.triggers)) {
    out.push(problem('spec.fallback', 'is not supported when every trigger is cpu or memory'));
  }
  return out;
}

function scaleToZeroProblems(so: ScaledObject): Problem[] {
  const min = so.spec.minReplicaCount;
  if (!onlyResourceTriggers(so.spec.triggers) || (min !== undefined && min > 0)) return [];
  return [problem('spec.minReplicaCount', 'must be ≥ 1 when every trigger is cpu or memory: such a ScaledObject can never scale to zero')];
}

/** KEDA's webhook warnings: polling and cooldown settings that have no effect. */
export function scaledObjectWarnings(so: ScaledObject): Problem[] {
  const spec = so.spec;
  if (spec.minReplicaCount === undefined || spec.minReplicaCount === 0 || spec.idleReplicaCount !== undefined) return [];
  const out: Problem[] = [];
  const cached = spec.triggers.some((t) => t.useCachedMetrics === true);
  if (spec.pollingInterval !== undefined && !cached && !isUsingModifiers(spec)) {
    out.push(warning('spec.pollingInterval', 'has no effect on scaling when minReplicaCount > 0 and idleReplicaCount is not set: the HPA polls the metrics'));
  }
  if (spec.cooldownPeriod !== undefined) {
    out.push(warning('spec.cooldownPeriod', 'has no effect when minReplicaCount > 0 and idleReplicaCount is not set: it only delays scaling to zero or idle'));
  }
  return out;
}

function annotationProblems(so: ScaledObject): Problem[] {
  const parsed = pausedReplicas(so.metadata.annotations);
  if (parsed === undefined || !('error' in parsed)) return [];
  return [problem(appendPath('metadata.annotations', PAUSED_REPLICAS_ANNOTATION), parsed.error)];
}

/** Every offline webhook rule and warning for a ScaledObject that already matches the schema. */
export function scaledObjectRuleProblems(so: ScaledObject): Problem[] {
  return [
    ...nameProblems(so),
    ...replicaBoundsProblems(so.spec),
    ...modifierProblems(so),
    ...fallbackProblems(so),
    ...scaleToZeroProblems(so),
    ...commonTriggerProblems(so.spec.triggers, 'ScaledObject'),
    ...scaledObjectMetricTypeProblems(so.spec.triggers),
    ...annotationProblems(so),
    ...scaledObjectWarnings(so),
  ];
}
