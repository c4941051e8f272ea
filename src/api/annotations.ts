// Annotation, label and finalizer keys KEDA uses, and the readers that give them KEDA's meaning.
// A controller acts on these on every reconcile, so their parsing must match KEDA's exactly.

export const PAUSED_ANNOTATION = 'autoscaling.keda.sh/paused';
export const PAUSED_REPLICAS_ANNOTATION = 'autoscaling.keda.sh/paused-replicas';
export const PAUSED_SCALE_IN_ANNOTATION = 'autoscaling.keda.sh/paused-scale-in';
export const PAUSED_SCALE_OUT_ANNOTATION = 'autoscaling.keda.sh/paused-scale-out';
export const FORCE_ACTIVATION_ANNOTATION = 'autoscaling.keda.sh/force-activation';
export const TRANSFER_HPA_OWNERSHIP_ANNOTATION = 'scaledobject.keda.sh/transfer-hpa-ownership';
export const VALIDATIONS_HPA_OWNERSHIP_ANNOTATION = 'validations.keda.sh/hpa-ownership';
export const HPA_EXCLUDED_LABELS_ANNOTATION = 'scaledobject.keda.sh/hpa-excluded-labels';
export const JOB_EXCLUDED_LABELS_ANNOTATION = 'scaledjob.keda.sh/job-excluded-labels';
export const SCALED_JOB_GENERATION_ANNOTATION = 'scaledjob.keda.sh/generation';

export const SCALED_OBJECT_NAME_LABEL = 'scaledobject.keda.sh/name';
export const SCALED_JOB_NAME_LABEL = 'scaledjob.keda.sh/name';
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
export const APP_VERSION_LABEL = 'app.kubernetes.io/version';
export const APP_PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const APP_MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_KEDA_OPERATOR = 'keda-operator';

export const KEDA_FINALIZER = 'finalizer.keda.sh';

/** Annotations whose change re-queues a ScaledObject even when its generation did not move. */
export const SCALING_ANNOTATIONS: readonly string[] = [
  PAUSED_ANNOTATION,
  PAUSED_REPLICAS_ANNOTATION,
  PAUSED_SCALE_IN_ANNOTATION,
  PAUSED_SCALE_OUT_ANNOTATION,
  FORCE_ACTIVATION_ANNOTATION,
];

type Annotations = Readonly<Record<string, string>> | undefined;

/** Go's strconv.ParseBool: the only spellings KEDA accepts as booleans. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** KEDA's boolean annotation: absent → false; a value that is not a Go bool counts as true. */
export function boolAnnotation(annotations: Annotations, key: string): boolean {
  const value = annotations?.[key];
  if (value === undefined) return false;
  return parseGoBool(value) ?? true;
}

/** paused-replicas as KEDA parses it (a base-10 int32), or an error text when it is not one. */
export function pausedReplicas(annotations: Annotations): { replicas: number } | { error: string } | undefined {
  const value = annotations?.[PAUSED_REPLICAS_ANNOTATION];
  if (value === undefined) return undefined;
  const n = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647) {
    return { error: `must be a whole number of replicas, got ${JSON.stringify(value)}` };
  }
  return { replicas: n };
}

/** The pause state of an object, read from its annotations. */
export interface PauseState {
  /** Fully paused: `paused` true (or not a bool) or any `paused-replicas` annotation. */
  readonly paused: boolean;
  /** The pinned replica count of `paused-replicas`, when present and valid. */
  readonly pausedReplicas: number | undefined;
  readonly pausedScaleIn: boolean;
  readonly pausedScaleOut: boolean;
  readonly forceActivation: boolean;
}

/** Reads paused / paused-replicas / paused-scale-in / paused-scale-out / force-activation. */
export function pauseState(annotations: Annotations): PauseState {
  const replicas = pausedReplicas(annotations);
  const hasReplicas = replicas !== undefined;
  return {
    paused: hasReplicas || boolAnnotation(annotations, PAUSED_ANNOTATION),
    pausedReplicas: replicas !== undefined && 'replicas' in replicas ? replicas.replicas : undefined,
    pausedScaleIn: boolAnnotation(annotations, PAUSED_SCALE_IN_ANNOTATION),
    pausedScaleOut: boolAnnotation(annotations, PAUSED_SCALE_OUT_ANNOTATION),
    forceActivation: boolAnnotation(annotations, FORCE_ACTIVATION_ANNOTATION),
  };
}

/** The comma list of an excluded-labels annotation, trimmed, empty entries dropped. */
export function excludedLabels(annotations: Annotations, key: string): string[] {
  const value = annotations?.[key];
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** True when the transfer-hpa-ownership annotation is exactly "true", as KEDA compares it. */
export const transferHpaOwnership = (annotations: Annotations): boolean => annotations?.[TRANSFER_HPA_OWNERSHIP_ANNOTATION] === 'true';
