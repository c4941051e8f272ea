// ScaledObject status as KEDA writes it: conditions from the executor's decisions, the HPA's
// ScalingActive and the reconcile's checks, timestamps in RFC 3339 seconds, and the smallest merge patch that turns the
// status we know into the one we want (nothing when they are equal: no write).
import { ConditionReason, ConditionType, initialConditions, setCondition, type Condition } from '../api/conditions.js';
import type { ScaledObjectStatus } from '../api/scaled-object.js';
import type { KubeObject } from '../kube/api.js';
import type { ExecutorConditions, Condition as ExecutorCondition } from '../scaling/executor.js';

/** metav1.Time's JSON: RFC 3339 with whole seconds. */
export const kubeTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const EXECUTOR_TYPES = { ready: ConditionType.Ready, active: ConditionType.Active, fallback: ConditionType.Fallback, paused: ConditionType.Paused } as const;

/** Conditions with KEDA's initial set filled in for the types that are missing. */
export function withInitialConditions(conditions: readonly Condition[] | undefined): Condition[] {
  let out = [...(conditions ?? [])];
  for (const c of initialConditions()) if (!out.some((o) => o.type === c.type)) out = setCondition(out, c);
  return out;
}

/** The executor's view of status conditions (to seed a scale loop). */
export function executorConditions(conditions: readonly Condition[] | undefined): ExecutorConditions {
  const out: ExecutorConditions = {};
  for (const [key, type] of Object.entries(EXECUTOR_TYPES) as [keyof ExecutorConditions, string][]) {
    const c = conditions?.find((x) => x.type === type);
    if (c !== undefined) out[key] = { status: c.status, reason: c.reason ?? '', message: c.message ?? '' };
  }
  return out;
}

/** Conditions with the executor's changed ones applied. */
export function applyExecutorConditions(conditions: readonly Condition[] | undefined, changed: ExecutorConditions): Condition[] {
  let out = withInitialConditions(conditions);
  for (const [key, type] of Object.entries(EXECUTOR_TYPES) as [keyof ExecutorConditions, string][]) {
    const c: ExecutorCondition | undefined = changed[key];
    if (c !== undefined) out = setCondition(out, { type, status: c.status, reason: c.reason, message: c.message });
  }
  return out;
}

/** Sets one condition (initialising the others when missing). */
export function withCondition(conditions: readonly Condition[] | undefined, type: string, status: Condition['status'], reason: string, message: string): Condition[] {
  return setCondition(withInitialConditions(conditions), { type, status, reason, message });
}

/**
 * KEDA's HPAActive condition (v2.21, kedacore/keda#7928): the HPA's ScalingActive mirrored. True
 * `HPAActive`; the HPA idle at 0 replicas (`ScalingDisabled`) is healthy too, True `ScalingDisabled`
 * with the HPA's message; otherwise False `HPAMetricsUnavailable` with `<HPA reason>: <HPA message>`.
 * Undefined while the HPA says nothing yet (no HPA, or no ScalingActive): the condition stays as it is.
 */
export function hpaActiveCondition(hpa: KubeObject | undefined): Condition | undefined {
  const conditions = (hpa?.['status'] as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  const scaling = (conditions as { type?: unknown; status?: unknown; reason?: unknown; message?: unknown }[]).find((c) => c.type === 'ScalingActive');
  if (scaling === undefined) return undefined;
  const reason = typeof scaling.reason === 'string' ? scaling.reason : '';
  const message = typeof scaling.message === 'string' ? scaling.message : '';
  const withMessage = (c: Condition, text: string): Condition => (text === '' ? c : { ...c, message: text });
  if (scaling.status === 'True') return { type: ConditionType.HPAActive, status: 'True', reason: ConditionReason.HPAActive };
  if (scaling.status !== 'False') return undefined;
  if (reason === ConditionReason.ScalingDisabled) return withMessage({ type: ConditionType.HPAActive, status: 'True', reason: ConditionReason.ScalingDisabled }, message);
  return withMessage({ type: ConditionType.HPAActive, status: 'False', reason: ConditionReason.HPAMetricsUnavailable }, [reason, message].filter((t) => t !== '').join(': '));
}

/** Conditions with HPAActive mirrored from `hpa` (unchanged when the HPA says nothing yet). */
export function withHpaActive(conditions: readonly Condition[] | undefined, hpa: KubeObject | undefined): Condition[] | undefined {
  const next = hpaActiveCondition(hpa);
  return next === undefined ? conditions?.slice() : setCondition(conditions, next);
}

/** Conditions without HPAActive (no HPA: direct mode). */
export function withoutHpaActive(conditions: readonly Condition[] | undefined): Condition[] | undefined {
  return conditions?.filter((c) => c.type !== ConditionType.HPAActive);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The JSON merge patch of `status` from `current` to `next` (null deletes), or undefined when nothing changed. */
export function statusPatch<S extends object = ScaledObjectStatus>(current: NoInfer<S>, next: NoInfer<S>): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]) as Set<keyof S & string>;
  for (const key of keys) {
    if (same(current[key], next[key])) continue;
    // Maps (health, triggersActivity) are written whole: a merge patch would keep removed keys.
    patch[key] = next[key] ?? null;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}
