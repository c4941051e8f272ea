// App settings as bindings use them: `%NAME%` expressions inside binding options, and connection
// names that point at a setting (an empty connection means AzureWebJobsStorage for Storage bindings).
import { BindingConfigError } from './contract.js';

/** Replaces every `%NAME%` in `text` with the setting NAME; a missing setting is a BindingConfigError naming it. */
export function resolveExpression(text: string, settings: Readonly<Record<string, string | undefined>>, where: string): string {
  return text.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = settings[name];
    if (value === undefined) throw new BindingConfigError(`${where}: app setting "${name}" (from %${name}%) is not set`);
    return value;
  });
}

/**
 * The value of the setting a binding's `connection` names. Like the Functions host it also tries
 * `AzureWebJobs<name>` and, for a section-style name, `<name>__fullyQualifiedNamespace` is left to the caller.
 */
export function connectionSetting(
  name: string | undefined,
  settings: Readonly<Record<string, string | undefined>>,
  where: string,
  fallback?: string,
): string {
  const setting = name !== undefined && name !== '' ? name : fallback;
  if (setting === undefined) throw new BindingConfigError(`${where}: no connection is set`);
  const value = settings[setting] ?? settings[`AzureWebJobs${setting}`];
  if (value === undefined || value === '') throw new BindingConfigError(`${where}: connection setting "${setting}" is not set (add it to local.settings.json Values or the environment)`);
  return value;
}

/** A string option of a binding with `%NAME%` resolved, or undefined when absent. */
export function stringOption(options: Readonly<Record<string, unknown>>, key: string, settings: Readonly<Record<string, string | undefined>>, where: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BindingConfigError(`${where}: "${key}" must be a string`);
  return resolveExpression(value, settings, where);
}
