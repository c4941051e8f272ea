// What the ScaledObject and ScaledJob controllers do alike with their keda.sh object: validate it as
// the webhook would, report the end of a reconcile (a failed check, or Ready), and let the object go
// by removing KEDA's finalizer.
import { KEDA_FINALIZER } from '../api/annotations.js';
import { ConditionType, findCondition, type Condition } from '../api/conditions.js';
import type { KedaObjectByKind } from '../api/kinds.js';
import { parseKedaObject, ruleProblems } from '../api/validate.js';
import type { KubeApi, KubeObject } from '../kube/api.js';
import type { EventRecorder } from './event-recorder.js';
import { withCondition } from './status.js';
import type { StatusWriter } from './status-writer.js';

type ControlledKind = 'ScaledObject' | 'ScaledJob';

/** A check failed: Ready=False with `${step}: ${detail}` (and an extra event when given). */
export class CheckFailed extends Error {
  constructor(readonly step: string, readonly detail: string, readonly event?: { reason: string; message: string }) {
    super(`${step}: ${detail}`);
  }
}

/** The object as KEDA's webhook and reconcile would accept it, or a CheckFailed naming every problem. */
export function validated<K extends ControlledKind>(kind: K, raw: KubeObject, invalidMessage: string): KedaObjectByKind[K] {
  const parsed = parseKedaObject(kind, { ...raw, apiVersion: 'keda.sh/v1alpha1', kind });
  const problems = parsed.value === undefined ? parsed.problems : [...parsed.problems, ...ruleProblems(parsed.value)];
  const errors = problems.filter((p) => p.severity === 'error');
  if (parsed.value === undefined || errors.length > 0) throw new CheckFailed(invalidMessage, errors.map((p) => `${p.path}: ${p.message}`).join('; '));
  return parsed.value;
}

/** The keda.sh kinds that carry KEDA's finalizer. */
type FinalizedKind = ControlledKind | 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

/** Adds KEDA's finalizer (guarded by the resourceVersion we acted on); false when it was there already. */
export async function addKedaFinalizer(api: KubeApi, kind: FinalizedKind, raw: KubeObject): Promise<boolean> {
  const finalizers = raw.metadata.finalizers ?? [];
  if (finalizers.includes(KEDA_FINALIZER)) return false;
  await api.mergePatch('keda.sh/v1alpha1', kind, raw.metadata.namespace, raw.metadata.name ?? '', {
    metadata: { resourceVersion: raw.metadata.resourceVersion, finalizers: [...finalizers, KEDA_FINALIZER] },
  });
  return true;
}

/** Removes KEDA's finalizer (guarded by the resourceVersion we acted on); false when it was not there. */
export async function removeKedaFinalizer(api: KubeApi, kind: FinalizedKind, raw: KubeObject): Promise<boolean> {
  const finalizers = raw.metadata.finalizers ?? [];
  if (!finalizers.includes(KEDA_FINALIZER)) return false;
  await api.mergePatch('keda.sh/v1alpha1', kind, raw.metadata.namespace, raw.metadata.name ?? '', {
    metadata: { resourceVersion: raw.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== KEDA_FINALIZER) },
  });
  return true;
}

type WithConditions = { conditions?: Condition[] | undefined };

/** What reporting needs: the object's status writer and the event recorder. */
export interface ReportDeps<S extends WithConditions> {
  readonly status: StatusWriter<S>;
  readonly events: EventRecorder;
}

/** True when the object is Ready now (taken as a reconcile begins: KEDA's Ready event depends on it). */
export function isReady<S extends WithConditions>(deps: ReportDeps<S>, raw: KubeObject): boolean {
  return findCondition(deps.status.current(raw.metadata.namespace ?? '', raw.metadata.name ?? '').conditions, ConditionType.Ready)?.status === 'True';
}

/** A reconcile failed: Ready=False `<Kind>CheckFailed`, Active Unknown, the Warning events; returns the CheckFailed to throw. */
export async function reportFailedCheck<S extends WithConditions>(kind: ControlledKind, deps: ReportDeps<S>, raw: KubeObject, error: unknown): Promise<CheckFailed> {
  const check = error instanceof CheckFailed ? error : new CheckFailed(`Failed to reconcile ${kind}`, error instanceof Error ? error.message : String(error));
  await deps.status.update(raw.metadata.namespace ?? '', raw.metadata.name ?? '', (s) => ({
    ...s,
    conditions: withCondition(withCondition(s.conditions, ConditionType.Ready, 'False', `${kind}CheckFailed`, check.message), ConditionType.Active, 'Unknown', 'UnknownState', `${kind} check failed`),
  }));
  if (check.event !== undefined) await deps.events.record(raw, { type: 'Warning', ...check.event });
  await deps.events.record(raw, { type: 'Warning', reason: `${kind}CheckFailed`, message: check.message });
  return check;
}

/**
 * A reconcile passed: KEDA's `<Kind>Ready` event when the object was not Ready as the reconcile began
 * (a loop it started may have written Ready since), and Ready=True unless the loop's own verdict on
 * the triggers (TriggerError, PartialTriggerError) stands until the loop changes it.
 */
export async function reportReady<S extends WithConditions>(kind: ControlledKind, deps: ReportDeps<S>, raw: KubeObject, wasReady: boolean, message: string): Promise<void> {
  const namespace = raw.metadata.namespace ?? '';
  const name = raw.metadata.name ?? '';
  if (!wasReady) await deps.events.record(raw, { type: 'Normal', reason: `${kind}Ready`, message: `${kind} is ready for scaling` });
  const ready = findCondition(deps.status.current(namespace, name).conditions, ConditionType.Ready);
  if (ready?.status === 'True' || ready?.reason === 'TriggerError' || ready?.reason === 'PartialTriggerError') return;
  await deps.status.update(namespace, name, (s) => ({ ...s, conditions: withCondition(s.conditions, ConditionType.Ready, 'True', `${kind}Ready`, message) }));
}
