// Where the host's function keys live, chosen from the settings as the Functions host chooses its
// secrets repository: AzureWebJobsSecretStorageType=kubernetes with AzureWebJobsKubernetesSecretName
// → the named Secret/ConfigMap through the API server (read, created, patched); otherwise the keys
// directory (the keys Secret mounted at /run/secrets/functions-keys by
// `--mount-funckeys-as-containervolume`) plus settings of the same names, read-only.

import type { HostLogger } from '../contract.js';
import { loadKeys, type KeySet } from './keys.js';
import { InClusterClient, inClusterConfig } from './keys-kubernetes-client.js';
import { KubernetesKeyStore, parseKeysObjectName } from './keys-kubernetes.js';

/** The keys the HTTP server checks against, and (when writable) what the admin keys API changes. */
export interface KeyStore {
  /** The keys now (synchronous: the server checks every request against it). */
  current(): KeySet;
  /** Where the keys are, for logs and error messages. */
  readonly description: string;
  readonly writable: boolean;
  /** Sets a key by its stored name (`host.master`, `functions.<fn>.<k>`, …). */
  set?(name: string, value: string): Promise<'created' | 'updated'>;
  /** Removes a key; false when it did not exist. */
  delete?(name: string): Promise<boolean>;
  close(): void;
}

/** The stored key names an app needs: as `tide kubernetes deploy` writes them (functions.md §1.4). */
export function requiredKeyNames(httpFunctions: readonly string[]): string[] {
  return ['host.master', 'host.function.default', 'host.systemKey.default', ...httpFunctions.map((fn) => `functions.${fn.toLowerCase()}.default`)];
}

export interface OpenKeyStoreOptions {
  /** App settings (the container's environment). */
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly keysDirectory: string;
  /** Names of the HTTP functions (their default keys are created in the Kubernetes store). */
  readonly httpFunctions: readonly string[];
  readonly log: HostLogger;
  /** Only with key checks on is the Kubernetes store opened (`tide start` locally has no service account). */
  readonly authEnabled: boolean;
}

/** Read-only keys from a directory and the settings. */
export async function directoryKeyStore(settings: OpenKeyStoreOptions['settings'], directory: string): Promise<KeyStore> {
  const keys = await loadKeys(settings, directory);
  return { current: () => keys, description: `the keys directory ${directory} and app settings`, writable: false, close: () => undefined };
}

/** True when the settings ask for keys in Kubernetes (case-insensitive, as the Functions host reads it). */
export function usesKubernetesKeys(settings: OpenKeyStoreOptions['settings']): boolean {
  return (settings.AzureWebJobsSecretStorageType ?? '').trim().toLowerCase() === 'kubernetes';
}

/** Opens the store the settings name; throws KeyStoreError when the Kubernetes store cannot be used. */
export async function openKeyStore(options: OpenKeyStoreOptions): Promise<KeyStore> {
  const { settings } = options;
  const objectName = settings.AzureWebJobsKubernetesSecretName?.trim();
  if (!options.authEnabled || !usesKubernetesKeys(settings) || objectName === undefined || objectName === '') {
    // kubernetes storage without an object name: the Secret is mounted, read-only (the Functions host does the same).
    return directoryKeyStore(settings, options.keysDirectory);
  }
  const object = parseKeysObjectName(objectName);
  const client = new InClusterClient(await inClusterConfig(settings));
  const refreshSeconds = Number(settings.TIDE_KEYS_REFRESH_SECONDS ?? '60');
  return KubernetesKeyStore.open({
    client,
    object,
    required: requiredKeyNames(options.httpFunctions),
    log: options.log,
    refreshMs: Number.isFinite(refreshSeconds) && refreshSeconds > 0 ? refreshSeconds * 1000 : 0,
  });
}
