// What the ScaledObject and ScaledJob controllers do alike with their keda.sh object: validate it as
// the webhook would, report a failed check, and let the object go by removing KEDA's finalizer.
import { KEDA_FINALIZER } from '../api/annotations.js';
import type { KedaObjectByKind } from '../api/kinds.js';
import { parseKedaObject, ruleProblems } from '../api/validate.js';
import type { KubeApi, KubeObject } from '../kube/api.js';

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

/** Removes KEDA's finalizer (guarded by the resourceVersion we acted on); false when it was not there. */
export async function removeKedaFinalizer(api: KubeApi, kind: ControlledKind, raw: KubeObject): Promise<boolean> {
  const finalizers = raw.metadata.finalizers ?? [];
  if (!finalizers.includes(KEDA_FINALIZER)) return false;
  await api.mergePatch('keda.sh/v1alpha1', kind, raw.metadata.namespace ?? '', raw.metadata.name ?? '', {
    metadata: { resourceVersion: raw.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== KEDA_FINALIZER) },
  });
  return true;
}
