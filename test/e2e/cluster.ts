// What the operator's end-to-end tests share: the operator started in-process against a fake API
// server with short retries and no client rate limit, and waiting on the cluster's state (no timed
// assertions: a wait that runs out fails with what it last saw).
import { loadClientConfig } from '../../src/kube/client-config.js';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../src/operator/operator.js';

/** `tide operator` in-process against `server` (a fake API server or a test cluster); `options` override the test defaults. */
export function operatorFor(server: { readonly kubeconfig: string }, options: Partial<Omit<OperatorOptions, 'config'>> = {}): Promise<RunningOperator> {
  return startOperator({ config: loadClientConfig({ kubeconfigYaml: server.kubeconfig }), retryBaseMs: 50, retryMaxMs: 1000, qps: 0, version: 'test', ...options });
}

/** Polls `read` every `intervalMs` until `check` holds, returning that value; throws after `timeoutMs` with the last value. */
export async function waitFor<T>(read: () => T | Promise<T>, check: (value: T) => boolean, what: string, timeoutMs: number, intervalMs = 50): Promise<T> {
  let value: T | undefined;
  for (let i = 0; i < timeoutMs / intervalMs; i++) {
    value = await read();
    if (check(value)) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
}
