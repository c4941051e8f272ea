// status.conditions of ScaledObject and ScaledJob, with KEDA's condition types and reasons, so the
// operator writes exactly the strings `kubectl get so` and dashboards built for KEDA expect.
import { z } from 'zod';

export const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().exactOptional(),
  message: z.string().exactOptional(),
});

export type Condition = z.infer<typeof conditionSchema>;
export type ConditionStatus = Condition['status'];

export const conditionsSchema = z.array(conditionSchema);

/** Condition types KEDA writes. */
export const ConditionType = {
  Ready: 'Ready',
  Active: 'Active',
  Fallback: 'Fallback',
  Paused: 'Paused',
  HPAActive: 'HPAActive',
} as const;

/** Condition reasons KEDA writes (section 1.4 of the KEDA reference). */
export const ConditionReason = {
  ScaledObjectReady: 'ScaledObjectReady',
  ScaledObjectCheckFailed: 'ScaledObjectCheckFailed',
  ErrorGettingCurrentReplicas: 'ErrorGettingCurrentReplicas',
  PartialTriggerError: 'PartialTriggerError',
  TriggerError: 'TriggerError',
  UnknownState: 'UnknownState',
  ScalerActive: 'ScalerActive',
  ScalerNotActive: 'ScalerNotActive',
  ScalerCooldown: 'ScalerCooldown',
  FallbackExists: 'FallbackExists',
  NoFallbackFound: 'NoFallbackFound',
  ScaledObjectPaused: 'ScaledObjectPaused',
  ScaledObjectUnpaused: 'ScaledObjectUnpaused',
  HPAActive: 'HPAActive',
  ScalingDisabled: 'ScalingDisabled',
  HPAMetricsUnavailable: 'HPAMetricsUnavailable',
  ScaledJobReady: 'ScaledJobReady',
  ScaledJobCheckFailed: 'ScaledJobCheckFailed',
  ScaledJobPaused: 'ScaledJobPaused',
  ScaledJobUnpaused: 'ScaledJobUnpaused',
} as const;

/** The conditions KEDA initialises when status has none: Ready/Active/Fallback Unknown, Paused False. */
export function initialConditions(): Condition[] {
  return [
    { type: ConditionType.Ready, status: 'Unknown' },
    { type: ConditionType.Active, status: 'Unknown' },
    { type: ConditionType.Fallback, status: 'Unknown' },
    { type: ConditionType.Paused, status: 'False' },
  ];
}

/** The condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A copy of `conditions` with `next` replacing the condition of the same type (appended when missing). */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition): Condition[] {
  const list = conditions ? [...conditions] : [];
  const index = list.findIndex((c) => c.type === next.type);
  if (index === -1) list.push(next);
  else list[index] = next;
  return list;
}
