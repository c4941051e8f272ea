// keda.sh/v1alpha1 ScaledObject: scales any resource with a /scale subresource through an HPA.
// Optional fields stay optional here, as in the CRD; defaults.ts gives the defaulted view.
import { z } from 'zod';
import { conditionsSchema } from './conditions.js';
import { hpaBehaviorSchema } from './hpa-behavior.js';
import { objectMetaSchema } from './object-meta.js';
import { scaleTriggerSchema } from './scale-trigger.js';

export const FALLBACK_BEHAVIORS = ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower', 'scalingModifiers'] as const;
export type FallbackBehavior = (typeof FALLBACK_BEHAVIORS)[number];

export const SCALING_MODIFIERS_METRIC_TYPES = ['AverageValue', 'Value'] as const;

export const scaleTargetRefSchema = z.object({
  name: z.string().min(1),
  apiVersion: z.string().exactOptional(),
  kind: z.string().exactOptional(),
  envSourceContainerName: z.string().exactOptional(),
});

export const fallbackSchema = z.object({
  failureThreshold: z.int32().min(0),
  replicas: z.int32().min(0),
  behavior: z.enum(FALLBACK_BEHAVIORS).exactOptional().meta({ default: 'static' }),
});

export const scalingModifiersSchema = z.object({
  formula: z.string().exactOptional(),
  target: z.string().exactOptional(),
  activationTarget: z.string().exactOptional(),
  metricType: z.enum(SCALING_MODIFIERS_METRIC_TYPES).exactOptional(),
});

export const horizontalPodAutoscalerConfigSchema = z.object({
  name: z.string().exactOptional(),
  behavior: hpaBehaviorSchema.exactOptional(),
});

export const advancedConfigSchema = z.object({
  horizontalPodAutoscalerConfig: horizontalPodAutoscalerConfigSchema.exactOptional(),
  restoreToOriginalReplicaCount: z.boolean().exactOptional(),
  scalingModifiers: scalingModifiersSchema.exactOptional(),
});

/** The CEL rule KEDA's CRD carries: min ≤ max, with max defaulting to 100. */
export const MIN_MAX_CEL_RULE = {
  rule: '!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount) ? self.maxReplicaCount : 100)',
  message: 'minReplicaCount must be less than or equal to maxReplicaCount',
};

export const scaledObjectSpecSchema = z
  .object({
    scaleTargetRef: scaleTargetRefSchema,
    pollingInterval: z.int32().min(1).exactOptional(),
    initialCooldownPeriod: z.int32().min(0).exactOptional(),
    cooldownPeriod: z.int32().min(0).exactOptional(),
    idleReplicaCount: z.int32().min(0).exactOptional(),
    minReplicaCount: z.int32().min(0).exactOptional(),
    maxReplicaCount: z.int32().min(1).exactOptional(),
    advanced: advancedConfigSchema.exactOptional(),
    triggers: z.array(scaleTriggerSchema).min(1),
    fallback: fallbackSchema.exactOptional(),
  })
  .meta({ 'x-kubernetes-validations': [MIN_MAX_CEL_RULE] });

export const groupVersionKindResourceSchema = z.object({
  group: z.string().exactOptional(),
  version: z.string().exactOptional(),
  kind: z.string().exactOptional(),
  resource: z.string().exactOptional(),
});

export const healthStatusSchema = z.object({
  numberOfFailures: z.int32().exactOptional(),
  status: z.enum(['Happy', 'Failing']).exactOptional(),
});

export const triggerActivityStatusSchema = z.object({ isActive: z.boolean().exactOptional() });

export const scaledObjectStatusSchema = z.object({
  scaleTargetKind: z.string().exactOptional(),
  scaleTargetGVKR: groupVersionKindResourceSchema.exactOptional(),
  originalReplicaCount: z.int32().exactOptional(),
  lastActiveTime: z.string().exactOptional().meta({ format: 'date-time' }),
  externalMetricNames: z.array(z.string()).exactOptional(),
  resourceMetricNames: z.array(z.string()).exactOptional(),
  compositeScalerName: z.string().exactOptional(),
  conditions: conditionsSchema.exactOptional(),
  health: z.record(z.string(), healthStatusSchema).exactOptional(),
  triggersActivity: z.record(z.string(), triggerActivityStatusSchema).exactOptional(),
  pausedReplicaCount: z.int32().exactOptional(),
  hpaName: z.string().exactOptional(),
  triggersTypes: z.string().exactOptional(),
  authenticationsTypes: z.string().exactOptional(),
});

export const scaledObjectSchema = z.object({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata: objectMetaSchema,
  spec: scaledObjectSpecSchema,
  status: scaledObjectStatusSchema.exactOptional(),
});

export type ScaledObject = z.infer<typeof scaledObjectSchema>;
export type ScaledObjectSpec = z.infer<typeof scaledObjectSpecSchema>;
export type ScaledObjectStatus = z.infer<typeof scaledObjectStatusSchema>;
export type ScaleTargetRef = z.infer<typeof scaleTargetRefSchema>;
export type Fallback = z.infer<typeof fallbackSchema>;
export type ScalingModifiers = z.infer<typeof scalingModifiersSchema>;
export type AdvancedConfig = z.infer<typeof advancedConfigSchema>;
export type HealthStatus = z.infer<typeof healthStatusSchema>;
export type GroupVersionKindResource = z.infer<typeof groupVersionKindResourceSchema>;

/** The metric name of the single External metric that scalingModifiers produce. */
export const COMPOSITE_METRIC_NAME = 'composite-metric';

/** True when spec.advanced.scalingModifiers has any field set (KEDA's IsUsingModifiers). */
export function isUsingModifiers(spec: Pick<ScaledObjectSpec, 'advanced'>): boolean {
  const sm = spec.advanced?.scalingModifiers;
  if (sm === undefined) return false;
  return [sm.formula, sm.target, sm.activationTarget, sm.metricType].some((v) => v !== undefined && v !== '');
}

/** Name of the HPA KEDA creates for a ScaledObject: the advanced name or `keda-hpa-<name>`. */
export function hpaName(soName: string, spec: Pick<ScaledObjectSpec, 'advanced'>): string {
  const configured = spec.advanced?.horizontalPodAutoscalerConfig?.name;
  return configured !== undefined && configured !== '' ? configured : `keda-hpa-${soName}`;
}
