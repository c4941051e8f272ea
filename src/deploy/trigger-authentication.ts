// Separate scaler credentials (beyond func): triggers read a connection through `<param>FromEnv` from
// the app's own settings by default. With ScalerValues (local.settings.json) or --scaler-secret-name,
// every `<param>FromEnv: SETTING` whose SETTING the scaler has its own value for becomes a
// TriggerAuthentication parameter `<param>` read from the Secret `<name>-scaler` (or the existing
// Secret) under the key SETTING. Those values never enter the app's Secret. A TriggerAuthentication
// maps each parameter to one key, so triggers that need different keys for the same parameter get
// `<name>-scaler-2`, `-3`, … in order.
import type { ScaleTrigger } from '../api/scale-trigger.js';
import { base64Values } from './settings-objects.js';
import { meta, names, type DeployOptions, type Manifest, type ScalerCredentials } from './manifest.js';

export interface ScalerAuthResult {
  readonly triggers: ScaleTrigger[];
  /** Secret `<name>-scaler` (unless an existing Secret is used), then the TriggerAuthentications. */
  readonly objects: Manifest[];
  readonly notes: string[];
}

const FROM_ENV = /^(.+)FromEnv$/;

/** Rewrites the triggers to read routed settings from a TriggerAuthentication; nothing changes without credentials. */
export function scalerAuthentication(options: DeployOptions, triggers: readonly ScaleTrigger[], credentials: ScalerCredentials | undefined): ScalerAuthResult {
  if (credentials === undefined) return { triggers: [...triggers], objects: [], notes: [] };
  const secretName = credentials.existingSecret ?? names.scaler(options.name);
  // With only an existing Secret, every *FromEnv setting is expected in it.
  const routed = (setting: string): boolean => (Object.keys(credentials.values).length === 0 ? credentials.existingSecret !== undefined : setting in credentials.values);
  const groups: { params: Record<string, string>; name: string }[] = [];
  const used = new Set<string>();
  const out = triggers.map((trigger) => {
    const params: Record<string, string> = {};
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(trigger.metadata)) {
      const match = FROM_ENV.exec(key);
      if (match?.[1] !== undefined && routed(value)) {
        params[match[1]] = value;
        used.add(value);
      } else metadata[key] = value;
    }
    if (Object.keys(params).length === 0) return trigger;
    let group = groups.find((g) => Object.entries(params).every(([p, k]) => g.params[p] === undefined || g.params[p] === k));
    if (group === undefined) {
      group = { params: {}, name: groups.length === 0 ? names.scaler(options.name) : `${names.scaler(options.name)}-${groups.length + 1}` };
      groups.push(group);
    }
    Object.assign(group.params, params);
    return { ...trigger, metadata, authenticationRef: { name: group.name } };
  });
  const notes = Object.keys(credentials.values)
    .filter((setting) => !used.has(setting))
    .map((setting) => `ScalerValues.${setting}: no trigger reads this setting; it is not used`);
  const objects: Manifest[] = [];
  if (credentials.existingSecret === undefined && groups.length > 0) {
    const data = Object.fromEntries(Object.entries(credentials.values).filter(([k]) => used.has(k)));
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta(secretName, options.namespace), data: base64Values(data) });
  }
  for (const group of groups) {
    objects.push({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: meta(group.name, options.namespace),
      spec: { secretTargetRef: Object.entries(group.params).map(([parameter, key]) => ({ parameter, name: secretName, key })) },
    });
  }
  if (groups.length === 0) notes.push('scaler credentials were given, but no trigger reads a connection from them: no TriggerAuthentication written');
  return { triggers: out, objects, notes };
}
