// The app's settings in the cluster: a Secret `<name>` (base64 data) or, with --use-config-map, a
// ConfigMap `<name>` (plain data): every local.settings.json Value, FUNCTIONS_WORKER_RUNTIME when
// missing, and settings the scalers read that the mapping derived (a Redis password). ConnectionStrings
// are not exported, as with func. Existing Secrets/ConfigMaps (--secret-name, --config-map-name) are
// referenced, not written.
import { meta, type DeployOptions, type Manifest } from './manifest.js';

/** The settings object, or undefined when an existing one is referenced. */
export function settingsObject(options: DeployOptions, values: Readonly<Record<string, string>>): Manifest | undefined {
  const data: Record<string, string> = { ...values };
  if (!Object.keys(data).some((k) => k.toLowerCase() === 'functions_worker_runtime')) data['FUNCTIONS_WORKER_RUNTIME'] = 'node';
  if (options.settings.kind === 'secret') {
    return { apiVersion: 'v1', kind: 'Secret', metadata: meta(options.name, options.namespace), data: base64Values(data) };
  }
  if (options.settings.kind === 'config-map') {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(options.name, options.namespace), data };
  }
  return undefined;
}

/** The envFrom entry every Deployment uses for the settings. */
export function settingsEnvFrom(options: DeployOptions): Record<string, { name: string }> {
  switch (options.settings.kind) {
    case 'secret':
      return { secretRef: { name: options.name } };
    case 'config-map':
      return { configMapRef: { name: options.name } };
    case 'existing-secret':
      return { secretRef: { name: options.settings.name } };
    case 'existing-config-map':
      return { configMapRef: { name: options.settings.name } };
  }
}

/** Values base64-encoded, as Secret `data` holds them. */
export function base64Values(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}
