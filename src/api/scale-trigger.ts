// spec.triggers[] item, shared by ScaledObject and ScaledJob, and the small questions about
// triggers that validation, the HPA builder and the formula compiler all ask.
import { z } from 'zod';

export const AUTHENTICATION_KINDS = ['TriggerAuthentication', 'ClusterTriggerAuthentication'] as const;
export type AuthenticationKind = (typeof AUTHENTICATION_KINDS)[number];

export const METRIC_TYPES = ['AverageValue', 'Value', 'Utilization'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** Trigger types served by Kubernetes' resource metrics (Resource/ContainerResource), not by a scaler. */
export const RESOURCE_TRIGGER_TYPES: ReadonlySet<string> = new Set(['cpu', 'memory']);

/** Trigger types that may not set useCachedMetrics (KEDA rejects them). */
export const NO_CACHE_TRIGGER_TYPES: ReadonlySet<string> = new Set(['cpu', 'memory', 'cron']);

export const authenticationRefSchema = z.object({
  name: z.string(),
  kind: z.enum(AUTHENTICATION_KINDS).exactOptional(),
});

export type AuthenticationRef = z.infer<typeof authenticationRefSchema>;

export const scaleTriggerSchema = z.object({
  type: z.string().min(1),
  name: z.string().exactOptional(),
  metadata: z.record(z.string(), z.string()),
  authenticationRef: authenticationRefSchema.exactOptional(),
  metricType: z.enum(METRIC_TYPES).exactOptional(),
  useCachedMetrics: z.boolean().exactOptional(),
});

export type ScaleTrigger = z.infer<typeof scaleTriggerSchema>;

/** True for cpu and memory triggers. */
export const isResourceTrigger = (trigger: Pick<ScaleTrigger, 'type'>): boolean => RESOURCE_TRIGGER_TYPES.has(trigger.type);

/** True when every trigger is cpu or memory (such an object can never scale to zero). */
export const onlyResourceTriggers = (triggers: readonly Pick<ScaleTrigger, 'type'>[]): boolean =>
  triggers.length > 0 && triggers.every(isResourceTrigger);

/** The metric type KEDA uses for an external trigger: AverageValue unless set. */
export const effectiveMetricType = (trigger: Pick<ScaleTrigger, 'metricType'>): MetricType => trigger.metricType ?? 'AverageValue';

/** The authentication kind a reference points to: TriggerAuthentication unless set. */
export const effectiveAuthenticationKind = (ref: AuthenticationRef): AuthenticationKind => ref.kind ?? 'TriggerAuthentication';

/**
 * Names the scalingModifiers formula may use as variables: the `name` of each trigger that is not
 * cpu/memory (KEDA compiles the formula against exactly these).
 */
export function formulaVariableNames(triggers: readonly ScaleTrigger[]): string[] {
  const names: string[] = [];
  for (const trigger of triggers) {
    if (!isResourceTrigger(trigger) && trigger.name !== undefined && trigger.name !== '') names.push(trigger.name);
  }
  return names;
}

/** Comma-joined unique trigger types in order of first appearance, as KEDA writes status.triggersTypes. */
export function triggersTypes(triggers: readonly ScaleTrigger[]): string {
  return [...new Set(triggers.map((t) => t.type))].join(',');
}

/** Comma-joined unique authenticationRef names, as KEDA writes status.authenticationsTypes. */
export function authenticationsTypes(triggers: readonly ScaleTrigger[]): string {
  const names = triggers.flatMap((t) => (t.authenticationRef ? [t.authenticationRef.name] : []));
  return [...new Set(names)].join(',');
}

/** Indexes of triggers whose non-empty name already appeared earlier in the list. */
export function duplicateTriggerNames(triggers: readonly ScaleTrigger[]): { index: number; name: string }[] {
  const seen = new Set<string>();
  const duplicates: { index: number; name: string }[] = [];
  triggers.forEach((trigger, index) => {
    const name = trigger.name;
    if (name === undefined || name === '') return;
    if (seen.has(name)) duplicates.push({ index, name });
    seen.add(name);
  });
  return duplicates;
}
