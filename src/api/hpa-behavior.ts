// autoscaling/v2 HorizontalPodAutoscalerBehavior, as KEDA copies it verbatim from
// spec.advanced.horizontalPodAutoscalerConfig.behavior into the HPA it generates.
import { z } from 'zod';

export type ScalingPolicyType = 'Pods' | 'Percent';
export type ScalingPolicySelect = 'Max' | 'Min' | 'Disabled';

export interface HPAScalingPolicy {
  readonly type: ScalingPolicyType;
  /** Pods or percent allowed to change within one period; > 0. */
  readonly value: number;
  /** Length of the look-back window, 1..1800 s. */
  readonly periodSeconds: number;
}

export interface HPAScalingRules {
  /** 0..3600 s; unset means the API default (0 up, 300 down). */
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: ScalingPolicySelect;
  readonly policies?: readonly HPAScalingPolicy[];
  /** Per-direction tolerance (Kubernetes 1.33+), a Quantity such as "0.05". */
  readonly tolerance?: string;
}

export interface HorizontalPodAutoscalerBehavior {
  readonly scaleUp?: HPAScalingRules;
  readonly scaleDown?: HPAScalingRules;
}

// Schema of the same structure, as spec.advanced.horizontalPodAutoscalerConfig.behavior accepts it.
// The ranges are the HPA API's own: KEDA copies the block verbatim, so a value out of range would
// only fail later, when the HPA is written.

export const hpaScalingPolicySchema = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: z.int32().min(1),
  periodSeconds: z.int32().min(1).max(1800),
});

export const hpaScalingRulesSchema = z.object({
  stabilizationWindowSeconds: z.int32().min(0).max(3600).exactOptional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).exactOptional(),
  policies: z.array(hpaScalingPolicySchema).exactOptional(),
  tolerance: z.union([z.string(), z.number()]).exactOptional(),
});

export const hpaBehaviorSchema = z.object({
  scaleUp: hpaScalingRulesSchema.exactOptional(),
  scaleDown: hpaScalingRulesSchema.exactOptional(),
});
