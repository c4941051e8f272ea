// Restart back-off for local replicas, as Kubernetes does for CrashLoopBackOff: a replica that keeps
// dying waits longer and longer (never a restart storm), and one that stayed up long enough starts over.

/** Back-off of replica restarts: first delay, cap, and the uptime after which the count resets. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

/** 1 s doubling to 30 s, reset after a replica stayed up 60 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * The delay before restarting a replica that just exited after `upForMs` of being ready (0 when it
 * never became ready), given how many exits in a row preceded it; returns the new count too.
 */
export function crashBackoff(policy: BackoffPolicy, consecutiveBefore: number, upForMs: number): { delayMs: number; consecutive: number } {
  const previous = upForMs >= policy.resetAfterMs ? 0 : consecutiveBefore;
  // 2 ** previous grows past any cap quickly; clamp the exponent so the product stays finite.
  const delayMs = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(previous, 40));
  return { delayMs, consecutive: previous + 1 };
}
