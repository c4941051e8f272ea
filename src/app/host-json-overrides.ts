// `AzureFunctionsJobHost__<path>=value` settings override any host.json value, as .NET configuration
// layers environment variables over the file: `__` (or `:`) separates segments, keys match without
// regard to case, and a numeric segment indexes an array (`AzureFunctionsJobHost__functions__0`).
import { warning, type Problem } from '../api/problems.js';
import { caselessEntry, isJsonObject, type JsonObject } from './json-text.js';

const PREFIX = 'azurefunctionsjobhost';

/** The host.json path a setting overrides (`['extensions','queues','batchSize']`), or undefined for other settings. */
export function overridePath(settingName: string): string[] | undefined {
  const segments = settingName.split(/__|:/);
  if (segments.length < 2 || segments[0]?.toLowerCase() !== PREFIX) return undefined;
  const path = segments.slice(1);
  return path.every((s) => s !== '') ? path : undefined;
}

/**
 * A copy of `doc` with every `AzureFunctionsJobHost__*` setting applied (values stay strings, as
 * configuration values are; readers coerce). Settings are applied in name order so the result does
 * not depend on environment order.
 */
export function applyHostOverrides(doc: JsonObject, settings: Readonly<Record<string, string | undefined>>): { doc: JsonObject; problems: Problem[] } {
  const result = structuredClone(doc);
  const problems: Problem[] = [];
  const names = Object.keys(settings).sort();
  for (const name of names) {
    const value = settings[name];
    const path = overridePath(name);
    if (value === undefined || path === undefined) continue;
    if (!setPath(result, path, value)) {
      problems.push(warning(name, `ignored: host.json has a value at "${path.join('.')}" that is neither an object nor an array, so "${name}" cannot be applied under it`));
    }
  }
  return { doc: result, problems };
}

type Container = JsonObject | unknown[];

function setPath(root: JsonObject, path: readonly string[], value: string): boolean {
  let node: Container = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    const last = i === path.length - 1;
    if (last) return put(node, segment, value);
    const next = path[i + 1] ?? '';
    let child = get(node, segment);
    if (child === undefined || child === null) {
      child = /^\d+$/.test(next) ? [] : {};
      if (!put(node, segment, child)) return false;
    }
    if (!isJsonObject(child) && !Array.isArray(child)) return false;
    node = child;
  }
  return true;
}

function get(node: Container, segment: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(segment) ? node[Number(segment)] : undefined;
  return caselessEntry(node, segment)?.[1];
}

function put(node: Container, segment: string, value: unknown): boolean {
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(segment)) return false;
    node[Number(segment)] = value;
    return true;
  }
  // Keep the file's spelling of an existing key so readers that look up one spelling still find it.
  const key = caselessEntry(node, segment)?.[0] ?? segment;
  node[key] = value;
  return true;
}
