// autoscaling/v2 HorizontalPodAutoscalerBehavior, as KEDA copies it verbatim from
// spec.advanced.horizontalPodAutoscalerConfig.behavior into the HPA it generates.

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
