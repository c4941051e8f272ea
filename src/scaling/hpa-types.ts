// Types of one Kubernetes HPA (autoscaling/v2) sync as tide runs it: the spec and observations going
// in, the remembered windows carried between syncs, and the decision coming out.

import type { HorizontalPodAutoscalerBehavior } from '../api/hpa-behavior.js';

/** The parts of an HPA spec that decide replica counts. */
export interface HpaSpec {
  /** Defaults to 1 like the API; 0 only with the HPAScaleToZero gate. */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  /** Unset selects the legacy path KEDA's generated HPAs use by default. */
  readonly behavior?: HorizontalPodAutoscalerBehavior | undefined;
}

export type ExternalMetricTargetType = 'AverageValue' | 'Value';

/** One External metric as the HPA sees it after asking the metrics API. */
export interface ExternalMetricObservation {
  readonly name: string;
  readonly targetType: ExternalMetricTargetType;
  /** target.averageValue or target.value in milli-units (Quantity.MilliValue()). */
  readonly targetMilli: number;
  /** Sum of all returned items in milli-units; absent together with no error means no items came back. */
  readonly valueMilli?: number | undefined;
  /** Why the metrics API could not answer; makes this metric invalid for the sync. */
  readonly error?: string | undefined;
}

/** An unstabilized recommendation remembered for the stabilization windows. */
export interface TimedRecommendation {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly replicas: number;
}

/** A rescale remembered for the rate policies; `replicas` is the size of the change, always positive. */
export interface TimedScaleEvent {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly replicas: number;
}

/** What one HPA remembers between syncs (the controller's in-memory maps, per HPA). */
export interface HpaState {
  readonly recommendations: readonly TimedRecommendation[];
  readonly scaleUpEvents: readonly TimedScaleEvent[];
  readonly scaleDownEvents: readonly TimedScaleEvent[];
}

/** kube-controller-manager flags, plus tide's own direct mode. */
export interface HpaOptions {
  /** --horizontal-pod-autoscaler-tolerance; default 0.1. */
  readonly tolerance?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization in seconds; default 300. */
  readonly downscaleStabilizationSeconds?: number;
  /**
   * 'kubernetes' (default) applies the scale-up rate limit and stabilization; 'none' is tide's direct
   * mode: scale-up goes straight to the clamped proposal, scale-down is unchanged.
   */
  readonly scaleUpLimit?: 'kubernetes' | 'none';
}

/** Everything one sync needs; `now` is injected so the function stays pure. */
export interface HpaSyncInput {
  readonly spec: HpaSpec;
  /** /scale spec.replicas. */
  readonly currentReplicas: number;
  /** /scale status.replicas: the divisor of AverageValue targets. */
  readonly statusReplicas: number;
  /** Ready pods of the target: the multiplier of Value targets. */
  readonly readyPods: number;
  readonly metrics: readonly ExternalMetricObservation[];
  /** Epoch milliseconds. */
  readonly now: number;
  /** State returned by the previous sync; undefined on the first sync after start. */
  readonly state?: HpaState | undefined;
  readonly options?: HpaOptions | undefined;
}

export type HpaLimitReason = 'DesiredWithinRange' | 'ScaleUpLimit' | 'ScaleDownLimit' | 'TooManyReplicas' | 'TooFewReplicas';

export type HpaReason =
  | HpaLimitReason
  | 'SucceededRescale'
  | 'ScaleUpStabilized'
  | 'ScaleDownStabilized'
  | 'ScalingDisabled'
  | 'FailedGetExternalMetric';

export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** An HPA status condition (lastTransitionTime is the caller's business when merging). */
export interface HpaCondition {
  readonly type: HpaConditionType;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** The decision of one sync. */
export interface HpaSyncResult {
  /** Replica count to write to /scale; equals currentReplicas when nothing should change. */
  readonly desiredReplicas: number;
  /** Max over the valid metric proposals, before stabilization and limits; undefined when metrics were not evaluated or all failed. */
  readonly proposal: number | undefined;
  /** One word, in the HPA's vocabulary, for why desiredReplicas is what it is. */
  readonly reason: HpaReason;
  /** The SuccessfulRescale event's reason text ("s0-queue above target"); empty when nothing changes. */
  readonly rescaleReason: string;
  /** The conditions this sync sets; merge them by type into status like the controller's setCondition. */
  readonly conditions: readonly HpaCondition[];
  /** State for the next sync, pruned to the longest window that reads it. */
  readonly state: HpaState;
}
