// KEDA's defaults, and the fully defaulted read-only views the engine works from. A view is built
// once per object generation, so the scale loop never re-derives a default on a tick.
import {
  boolAnnotation,
  excludedLabels,
  HPA_EXCLUDED_LABELS_ANNOTATION,
  PAUSED_ANNOTATION, JOB_EXCLUDED_LABELS_ANNOTATION, pauseState, transferHpaOwnership, type PauseState } from './annotations.js';
import { parseGoFloat } from './go-float.js';
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from './hpa-behavior.js';
import { effectiveAuthenticationKind, type AuthenticationKind, type MetricType, type ScaleTrigger } from './scale-trigger.js';
import type { ScaledJob } from './scaled-job.js';
import { hpaName, isUsingModifiers, type FallbackBehavior, type ScaledObject } from './scaled-object.js';

export const DEFAULT_POLLING_INTERVAL_SECONDS = 30;
export const DEFAULT_COOLDOWN_PERIOD_SECONDS = 300;
export const DEFAULT_INITIAL_COOLDOWN_PERIOD_SECONDS = 0;
export const DEFAULT_MIN_REPLICA_COUNT = 0;
export const DEFAULT_MAX_REPLICA_COUNT = 100;
/** The HPA cannot have minReplicas 0: KEDA writes 1 and handles 0 ↔ 1 itself. */
export const DEFAULT_HPA_MIN_REPLICAS = 1;
export const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 100;
export const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 100;
export const DEFAULT_FALLBACK_BEHAVIOR: FallbackBehavior = 'static';
export const DEFAULT_SCALE_TARGET_API_VERSION = 'apps/v1';
export const DEFAULT_SCALE_TARGET_KIND = 'Deployment';
export const DEFAULT_METRIC_TYPE: MetricType = 'AverageValue';
export const DEFAULT_SCALING_MODIFIERS_ACTIVATION_TARGET = '0';
export const DEFAULT_SCALING_STRATEGY = 'default';
export const DEFAULT_MULTIPLE_SCALERS_CALCULATION = 'max';
export const DEFAULT_ROLLOUT_PROPAGATION_POLICY = 'background';
/** Longest name Kubernetes accepts as a label value (KEDA labels HPAs with the object name). */
export const MAX_LABEL_VALUE_LENGTH = 63;

/** One trigger with KEDA's defaults applied. */
export interface TriggerSettings {
  /** Position in spec.triggers (the `s<index>-` prefix of metric names). */
  readonly index: number;
  readonly type: string;
  /** The trigger's name, or undefined when unnamed. */
  readonly name: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly authenticationRef: { readonly name: string; readonly kind: AuthenticationKind } | undefined;
  /** As written; cpu/memory triggers have no default (validation requires it). */
  readonly metricType: MetricType | undefined;
  readonly useCachedMetrics: boolean;
}

/** Applies trigger defaults; `metricType` of external triggers defaults to AverageValue. */
export function triggerSettings(trigger: ScaleTrigger, index: number): TriggerSettings {
  const resource = trigger.type === 'cpu' || trigger.type === 'memory';
  const ref = trigger.authenticationRef;
  return Object.freeze({
    index,
    type: trigger.type,
    name: trigger.name !== undefined && trigger.name !== '' ? trigger.name : undefined,
    metadata: Object.freeze({ ...trigger.metadata }),
    authenticationRef: ref ? Object.freeze({ name: ref.name, kind: effectiveAuthenticationKind(ref) }) : undefined,
    metricType: resource ? trigger.metricType : (trigger.metricType ?? DEFAULT_METRIC_TYPE),
    useCachedMetrics: trigger.useCachedMetrics ?? false,
  });
}

export interface ScalingModifiersSettings {
  readonly formula: string;
  /** As written (a float string); validation guarantees it parses to a value > 0. */
  readonly target: string;
  readonly activationTarget: string;
  readonly metricType: 'AverageValue' | 'Value';
}

export interface FallbackSettings {
  readonly failureThreshold: number;
  readonly replicas: number;
  readonly behavior: FallbackBehavior;
}

/** A ScaledObject with every default applied: what the engine and operator read. */
export interface ScaledObjectSettings {
  readonly name: string;
  readonly namespace: string;
  readonly generation: number;
  readonly scaleTarget: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly envSourceContainerName: string | undefined };
  readonly pollingIntervalSeconds: number;
  readonly cooldownPeriodSeconds: number;
  readonly initialCooldownPeriodSeconds: number;
  readonly pollingIntervalMs: number;
  readonly cooldownPeriodMs: number;
  readonly initialCooldownPeriodMs: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly idleReplicaCount: number | undefined;
  /** minReplicas of the generated HPA: minReplicaCount when > 0, else 1. */
  readonly hpaMinReplicas: number;
  readonly hpaName: string;
  readonly hpaBehavior: HorizontalPodAutoscalerBehavior | undefined;
  readonly restoreToOriginalReplicaCount: boolean;
  readonly scalingModifiers: ScalingModifiersSettings | undefined;
  readonly fallback: FallbackSettings | undefined;
  readonly triggers: readonly TriggerSettings[];
  readonly pause: PauseState;
  readonly transferHpaOwnership: boolean;
  readonly hpaExcludedLabels: readonly string[];
}

function modifierSettings(so: ScaledObject): ScalingModifiersSettings | undefined {
  const sm = so.spec.advanced?.scalingModifiers;
  if (sm === undefined || !isUsingModifiers(so.spec)) return undefined;
  return Object.freeze({
    formula: sm.formula ?? '',
    target: sm.target ?? '',
    activationTarget: sm.activationTarget !== undefined && sm.activationTarget !== '' ? sm.activationTarget : DEFAULT_SCALING_MODIFIERS_ACTIVATION_TARGET,
    metricType: sm.metricType ?? 'AverageValue',
  });
}

function behaviorSettings(so: ScaledObject): HorizontalPodAutoscalerBehavior | undefined {
  const behavior = so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior;
  if (behavior === undefined) return undefined;
  // A YAML number tolerance (0.1) reaches the HPA as the Quantity "0.1".
  const rules = (r: NonNullable<typeof behavior.scaleUp>): HPAScalingRules => {
    const { tolerance, ...rest } = r;
    return tolerance === undefined ? rest : { ...rest, tolerance: String(tolerance) };
  };
  return Object.freeze({
    ...(behavior.scaleUp ? { scaleUp: rules(behavior.scaleUp) } : {}),
    ...(behavior.scaleDown ? { scaleDown: rules(behavior.scaleDown) } : {}),
  });
}

/** The defaulted, frozen view of a (validated) ScaledObject; build once per generation. */
export function scaledObjectSettings(so: ScaledObject): ScaledObjectSettings {
  const spec = so.spec;
  const meta = so.metadata;
  const name = meta.name ?? '';
  const min = spec.minReplicaCount ?? DEFAULT_MIN_REPLICA_COUNT;
  const polling = spec.pollingInterval ?? DEFAULT_POLLING_INTERVAL_SECONDS;
  const cooldown = spec.cooldownPeriod ?? DEFAULT_COOLDOWN_PERIOD_SECONDS;
  const initialCooldown = spec.initialCooldownPeriod ?? DEFAULT_INITIAL_COOLDOWN_PERIOD_SECONDS;
  const ref = spec.scaleTargetRef;
  return Object.freeze({
    name,
    namespace: meta.namespace ?? 'default',
    generation: meta.generation ?? 0,
    scaleTarget: Object.freeze({
      apiVersion: ref.apiVersion !== undefined && ref.apiVersion !== '' ? ref.apiVersion : DEFAULT_SCALE_TARGET_API_VERSION,
      kind: ref.kind !== undefined && ref.kind !== '' ? ref.kind : DEFAULT_SCALE_TARGET_KIND,
      name: ref.name,
      envSourceContainerName: ref.envSourceContainerName !== '' ? ref.envSourceContainerName : undefined,
    }),
    pollingIntervalSeconds: polling,
    cooldownPeriodSeconds: cooldown,
    initialCooldownPeriodSeconds: initialCooldown,
    pollingIntervalMs: polling * 1000,
    cooldownPeriodMs: cooldown * 1000,
    initialCooldownPeriodMs: initialCooldown * 1000,
    minReplicaCount: min,
    maxReplicaCount: spec.maxReplicaCount ?? DEFAULT_MAX_REPLICA_COUNT,
    idleReplicaCount: spec.idleReplicaCount,
    hpaMinReplicas: min > 0 ? min : DEFAULT_HPA_MIN_REPLICAS,
    hpaName: hpaName(name, spec),
    hpaBehavior: behaviorSettings(so),
    restoreToOriginalReplicaCount: spec.advanced?.restoreToOriginalReplicaCount ?? false,
    scalingModifiers: modifierSettings(so),
    fallback: spec.fallback
      ? Object.freeze({ failureThreshold: spec.fallback.failureThreshold, replicas: spec.fallback.replicas, behavior: spec.fallback.behavior ?? DEFAULT_FALLBACK_BEHAVIOR })
      : undefined,
    triggers: Object.freeze(spec.triggers.map(triggerSettings)),
    pause: Object.freeze(pauseState(meta.annotations)),
    transferHpaOwnership: transferHpaOwnership(meta.annotations),
    hpaExcludedLabels: Object.freeze(excludedLabels(meta.annotations, HPA_EXCLUDED_LABELS_ANNOTATION)),
  });
}

export type JobScalingStrategy = 'default' | 'custom' | 'accurate' | 'eager';
export type MultipleScalersCalculation = 'max' | 'min' | 'avg' | 'sum';

/** A ScaledJob with every default applied. */
export interface ScaledJobSettings {
  readonly name: string;
  readonly namespace: string;
  readonly generation: number;
  readonly pollingIntervalSeconds: number;
  readonly pollingIntervalMs: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  /** KEDA's effective minimum: minReplicaCount, clamped to maxReplicaCount when larger. */
  readonly minReplicaCount: number;
  /** maxReplicaCount as written, or 100. */
  readonly maxReplicaCount: number;
  /** KEDA's job cap (ScaledJob.MaxReplicaCount()): max − min when max is set (max when min > max), else 100. */
  readonly maxJobsCap: number;
  readonly rolloutStrategy: 'immediate' | 'gradual';
  readonly propagationPolicy: 'background' | 'foreground';
  readonly envSourceContainerName: string | undefined;
  /** The strategy KEDA will run: custom with an unparsable percentage falls back to default. */
  readonly scalingStrategy: JobScalingStrategy;
  readonly customScalingQueueLengthDeduction: number;
  readonly customScalingRunningJobPercentage: number | undefined;
  readonly pendingPodConditions: readonly string[];
  readonly multipleScalersCalculation: MultipleScalersCalculation;
  readonly triggers: readonly TriggerSettings[];
  /** Only `paused` applies to ScaledJobs. */
  readonly paused: boolean;
  readonly jobExcludedLabels: readonly string[];
}

function jobBounds(min: number | undefined, max: number | undefined): { min: number; max: number; cap: number } {
  if (max === undefined) return { min: min ?? DEFAULT_MIN_REPLICA_COUNT, max: DEFAULT_MAX_REPLICA_COUNT, cap: DEFAULT_MAX_REPLICA_COUNT };
  // KEDA clamps min to max, and then lets max (not max − min) jobs run.
  if (min !== undefined && min > max) return { min: max, max, cap: max };
  const effectiveMin = min ?? DEFAULT_MIN_REPLICA_COUNT;
  return { min: effectiveMin, max, cap: max - effectiveMin };
}

function jobStrategy(sj: ScaledJob): { strategy: JobScalingStrategy; percentage: number | undefined } {
  const s = sj.spec.scalingStrategy;
  const percentage = s?.customScalingRunningJobPercentage !== undefined ? parseGoFloat(s.customScalingRunningJobPercentage) : undefined;
  const named = s?.strategy;
  if (named === 'custom') return { strategy: percentage === undefined ? 'default' : 'custom', percentage };
  if (named === 'accurate' || named === 'eager') return { strategy: named, percentage };
  return { strategy: 'default', percentage };
}

/** The defaulted, frozen view of a (validated) ScaledJob; build once per generation. */
export function scaledJobSettings(sj: ScaledJob): ScaledJobSettings {
  const spec = sj.spec;
  const meta = sj.metadata;
  const bounds = jobBounds(spec.minReplicaCount, spec.maxReplicaCount);
  const polling = spec.pollingInterval ?? DEFAULT_POLLING_INTERVAL_SECONDS;
  const rollout = spec.rollout?.strategy !== undefined && spec.rollout.strategy !== '' ? spec.rollout.strategy : spec.rolloutStrategy;
  const calculation = spec.scalingStrategy?.multipleScalersCalculation;
  const { strategy, percentage } = jobStrategy(sj);
  return Object.freeze({
    name: meta.name ?? '',
    namespace: meta.namespace ?? 'default',
    generation: meta.generation ?? 0,
    pollingIntervalSeconds: polling,
    pollingIntervalMs: polling * 1000,
    successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit ?? DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT,
    failedJobsHistoryLimit: spec.failedJobsHistoryLimit ?? DEFAULT_FAILED_JOBS_HISTORY_LIMIT,
    minReplicaCount: bounds.min,
    maxReplicaCount: bounds.max,
    maxJobsCap: bounds.cap,
    rolloutStrategy: rollout === 'gradual' ? 'gradual' : 'immediate',
    propagationPolicy: spec.rollout?.propagationPolicy === 'foreground' ? 'foreground' : 'background',
    envSourceContainerName: spec.envSourceContainerName !== '' ? spec.envSourceContainerName : undefined,
    scalingStrategy: strategy,
    customScalingQueueLengthDeduction: spec.scalingStrategy?.customScalingQueueLengthDeduction ?? 0,
    customScalingRunningJobPercentage: percentage,
    pendingPodConditions: Object.freeze([...(spec.scalingStrategy?.pendingPodConditions ?? [])]),
    multipleScalersCalculation: calculation === 'min' || calculation === 'avg' || calculation === 'sum' ? calculation : 'max',
    triggers: Object.freeze(spec.triggers.map(triggerSettings)),
    paused: boolAnnotation(meta.annotations, PAUSED_ANNOTATION),
    jobExcludedLabels: Object.freeze(excludedLabels(meta.annotations, JOB_EXCLUDED_LABELS_ANNOTATION)),
  });
}
