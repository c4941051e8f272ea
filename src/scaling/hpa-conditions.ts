// HPA status conditions with the controller's reasons and messages. Constant conditions are shared
// objects so that a sync that changes nothing allocates nothing for them.

import type { HpaCondition, HpaLimitReason } from './hpa-types.js';

export const ABLE_TO_GET_SCALE: HpaCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'SucceededGetScale',
  message: "the HPA controller was able to get the target's current scale",
};

export const READY_FOR_NEW_SCALE: HpaCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};

export const SCALE_UP_STABILIZED: HpaCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ScaleUpStabilized',
  message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
};

export const SCALE_DOWN_STABILIZED: HpaCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ScaleDownStabilized',
  message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
};

export const SCALING_DISABLED: HpaCondition = {
  type: 'ScalingActive',
  status: 'False',
  reason: 'ScalingDisabled',
  message: 'scaling is disabled since the replica count of the target is zero',
};

const LIMIT_MESSAGES: Record<HpaLimitReason, string> = {
  DesiredWithinRange: 'the desired count is within the acceptable range',
  ScaleUpLimit: 'the desired replica count is increasing faster than the maximum scale rate',
  ScaleDownLimit: 'the desired replica count is decreasing faster than the maximum scale rate',
  TooManyReplicas: 'the desired replica count is more than the maximum replica count',
  TooFewReplicas: 'the desired replica count is less than the minimum replica count',
};

const LIMITED = Object.fromEntries(
  (Object.keys(LIMIT_MESSAGES) as HpaLimitReason[]).map((reason) => [
    reason,
    { type: 'ScalingLimited', status: reason === 'DesiredWithinRange' ? 'False' : 'True', reason, message: LIMIT_MESSAGES[reason] },
  ]),
) as Record<HpaLimitReason, HpaCondition>;

/** ScalingLimited for a limit reason: False only for DesiredWithinRange. */
export function scalingLimited(reason: HpaLimitReason): HpaCondition {
  return LIMITED[reason];
}

/** AbleToScale after the controller wrote the new size. */
export function succeededRescale(replicas: number): HpaCondition {
  return {
    type: 'AbleToScale',
    status: 'True',
    reason: 'SucceededRescale',
    message: `the HPA controller was able to update the target scale to ${replicas}`,
  };
}

/** ScalingActive True, naming the metric whose proposal won. */
export function validMetricFound(metricName: string): HpaCondition {
  return {
    type: 'ScalingActive',
    status: 'True',
    reason: 'ValidMetricFound',
    message: `the HPA was able to successfully calculate a replica count from external metric ${metricName}`,
  };
}

/** ScalingActive False for the first metric that could not be read. */
export function failedGetExternalMetric(error: string): HpaCondition {
  return {
    type: 'ScalingActive',
    status: 'False',
    reason: 'FailedGetExternalMetric',
    message: `the HPA was unable to compute the replica count: ${error}`,
  };
}
