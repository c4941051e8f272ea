// keda.sh/v1alpha1 ScaledJob: creates Kubernetes Jobs from a batch/v1 JobSpec template per event.
// jobTargetRef is kept as an open object: tide copies it into Jobs and the API server validates it.
import { z } from 'zod';
import { conditionsSchema } from './conditions.js';
import { objectMetaSchema } from './object-meta.js';
import { scaleTriggerSchema } from './scale-trigger.js';
import { triggerActivityStatusSchema } from './scaled-object.js';

// Values KEDA understands for the free-text strategy fields; the CRD itself takes any string.
export const SCALING_STRATEGIES = ['default', 'custom', 'accurate', 'eager'] as const;
export const MULTIPLE_SCALERS_CALCULATIONS = ['max', 'min', 'avg', 'sum'] as const;
export const ROLLOUT_STRATEGIES = ['default', 'gradual', 'immediate'] as const;
export const PROPAGATION_POLICIES = ['foreground', 'background'] as const;

/** batch/v1 JobSpec: `template` is the only field a Job cannot do without. */
export const jobSpecSchema = z.looseObject({
  template: z.looseObject({}),
});

export const scalingStrategySchema = z.object({
  strategy: z.string().exactOptional(),
  customScalingQueueLengthDeduction: z.int32().exactOptional(),
  customScalingRunningJobPercentage: z.string().exactOptional(),
  pendingPodConditions: z.array(z.string()).exactOptional(),
  multipleScalersCalculation: z.string().exactOptional(),
});

export const rolloutSchema = z.object({
  strategy: z.string().exactOptional(),
  propagationPolicy: z.string().exactOptional(),
});

export const scaledJobSpecSchema = z.object({
  jobTargetRef: jobSpecSchema,
  pollingInterval: z.int32().exactOptional(),
  successfulJobsHistoryLimit: z.int32().exactOptional(),
  failedJobsHistoryLimit: z.int32().exactOptional(),
  rolloutStrategy: z.string().exactOptional(),
  rollout: rolloutSchema.exactOptional(),
  envSourceContainerName: z.string().exactOptional(),
  minReplicaCount: z.int32().exactOptional(),
  maxReplicaCount: z.int32().exactOptional(),
  scalingStrategy: scalingStrategySchema.exactOptional(),
  triggers: z.array(scaleTriggerSchema).min(1),
});

export const scaledJobStatusSchema = z.object({
  lastActiveTime: z.string().exactOptional().meta({ format: 'date-time' }),
  conditions: conditionsSchema.exactOptional(),
  // KEDA's JSON key really is capitalised.
  Paused: z.string().exactOptional(),
  triggersTypes: z.string().exactOptional(),
  authenticationsTypes: z.string().exactOptional(),
  externalMetricNames: z.array(z.string()).exactOptional(),
  triggersActivity: z.record(z.string(), triggerActivityStatusSchema).exactOptional(),
});

export const scaledJobSchema = z.object({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledJob'),
  metadata: objectMetaSchema,
  spec: scaledJobSpecSchema,
  status: scaledJobStatusSchema.exactOptional(),
});

export type ScaledJob = z.infer<typeof scaledJobSchema>;
export type ScaledJobSpec = z.infer<typeof scaledJobSpecSchema>;
export type ScaledJobStatus = z.infer<typeof scaledJobStatusSchema>;
export type JobSpec = z.infer<typeof jobSpecSchema>;
export type ScalingStrategy = z.infer<typeof scalingStrategySchema>;
