// The function keys Secret of an app with HTTP functions (functions.md §1.4): host.master,
// host.function.default, host.systemKey.default and functions.<lower-case name>.default. On redeploy the
// values of names that exist are kept, new names are added, and names the app no longer has are dropped.
import { randomBytes } from 'node:crypto';
import { base64Values } from './settings-objects.js';
import { meta, type DeployOptions, type Manifest } from './manifest.js';

/** Makes one fresh key value; injected so dry-run output can be made deterministic in tests. */
export type KeyGenerator = (keyName: string) => string;

/** 40 random bytes, URL-safe base64 (usable in `?code=` without escaping). */
export const randomKey: KeyGenerator = () => randomBytes(40).toString('base64url');

/** The key names for these HTTP functions, in func's order. */
export function keyNames(httpFunctions: readonly string[]): string[] {
  return ['host.master', 'host.function.default', 'host.systemKey.default', ...httpFunctions.map((fn) => `functions.${fn.toLowerCase()}.default`)];
}

/** The keys Secret; `existing` holds the decoded values already in the cluster (kept for names that remain). */
export function keysSecret(options: DeployOptions, httpFunctions: readonly string[], generate: KeyGenerator, existing: Readonly<Record<string, string>> = {}): Manifest {
  const values: Record<string, string> = {};
  for (const key of keyNames(httpFunctions)) values[key] = existing[key] ?? generate(key);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(options.keysSecretName, options.namespace, { annotations: { ...options.keySecretAnnotations } }),
    data: base64Values(values),
  };
}
