// ScaledObject status as KEDA writes it: conditions from the executor's decisions and the
// reconcile's checks, timestamps in RFC 3339 seconds, and the smallest merge patch that turns the
// status we know into the one we want (nothing when they are equal: no write).
import { ConditionType, initialConditions, setCondition, type Condition } from '../api/conditions.js';
import type { ScaledObjectStatus } from '../api/scaled-object.js';
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
