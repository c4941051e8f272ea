// Indexing of v3 apps: one folder per function under the script root, each with a function.json
// (bindings, scriptFile, entryPoint, disabled, retry). A broken function is reported with its folder
// and key and left out; the others still run, as in the real host.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { problem, warning, type Problem } from '../api/problems.js';
import type { BindingDefinition, FunctionDefinition } from './function-model.js';
import { isTriggerType } from './function-model.js';
import { caseless, isJsonObject, parseJsonText, type JsonObject } from './json-text.js';
import { parseRetry } from './retry.js';

/** Files that can hold a function's code, for the default script file rule. */
export interface FunctionFolder {
  readonly name: string;
  readonly directory: string;
  /** File names in the folder (not recursive). */
  readonly files: readonly string[];
}

/** Parses one function.json; `exists` checks an absolute path (a parameter so this stays pure). */
export function parseFunctionJson(folder: FunctionFolder, text: string, exists: (path: string) => boolean): { fn?: FunctionDefinition; problems: Problem[] } {
  const file = `${folder.name}/function.json`;
  const problems: Problem[] = [];
  const parsed = parseJsonText(text);
  if ('error' in parsed) return { problems: [problem(file, `${file} is not valid JSON: ${parsed.error}`)] };
  if (!isJsonObject(parsed.value)) return { problems: [problem(file, `${file} must contain a JSON object`)] };
  const doc = parsed.value;
  const bindings = parseBindings(caseless(doc, 'bindings'), file, problems);
  const triggers = bindings.filter((b) => isTriggerType(b.type));
  if (bindings.length > 0 && triggers.length === 0) problems.push(problem(`${file}:bindings`, 'no trigger binding: a function needs exactly one binding whose type ends with "Trigger"'));
  if (triggers.length > 1) problems.push(problem(`${file}:bindings`, `more than one trigger binding (${triggers.map((t) => t.name).join(', ')}): a function has exactly one`));
  const scriptFile = primaryScriptFile(folder, caseless(doc, 'scriptFile'), file, problems, exists);
  const entryPoint = caseless(doc, 'entryPoint');
  if (entryPoint !== undefined && typeof entryPoint !== 'string') problems.push(problem(`${file}:entryPoint`, 'must be the name of an exported function'));
  const disabled = caseless(doc, 'disabled');
  if (disabled !== undefined && typeof disabled !== 'boolean' && !(typeof disabled === 'string' && /^(true|false)$/i.test(disabled))) {
    problems.push(problem(`${file}:disabled`, `must be true or false (got ${JSON.stringify(disabled)})`));
  }
  const retry = parseRetry(caseless(doc, 'retry'), { file, problems }, 'retry');
  const trigger = triggers[0];
  if (problems.some((p) => p.severity === 'error') || trigger === undefined || scriptFile === undefined) return { problems };
  const fn: FunctionDefinition = {
    name: folder.name,
    trigger,
    bindings,
    disabled: disabled === true || (typeof disabled === 'string' && disabled.toLowerCase() === 'true'),
    ...(retry ? { retry } : {}),
    source: { model: 'v3', scriptFile, directory: folder.directory, ...(typeof entryPoint === 'string' && entryPoint !== '' ? { entryPoint } : {}) },
  };
  return { fn, problems };
}

function parseBindings(raw: unknown, file: string, problems: Problem[]): BindingDefinition[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(problem(`${file}:bindings`, '"bindings" must be a non-empty array'));
    return [];
  }
  const bindings: BindingDefinition[] = [];
  const names = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const at = `${file}:bindings[${i}]`;
    if (!isJsonObject(entry)) {
      problems.push(problem(at, 'a binding must be an object {type, direction, name, …}'));
      return;
    }
    const binding = parseBinding(entry, at, problems);
    if (binding === undefined) return;
    if (names.has(binding.name.toLowerCase())) problems.push(problem(`${at}.name`, `duplicate binding name "${binding.name}"`));
    names.add(binding.name.toLowerCase());
    bindings.push(binding);
  });
  return bindings;
}

/** Turns a function.json binding object into a BindingDefinition (options = every other property). */
export function parseBinding(entry: JsonObject, at: string, problems: Problem[]): BindingDefinition | undefined {
  const options: Record<string, unknown> = {};
  let name: unknown, type: unknown, direction: unknown, dataType: unknown;
  for (const [key, value] of Object.entries(entry)) {
    const lower = key.toLowerCase();
    if (lower === 'name') name = value;
    else if (lower === 'type') type = value;
    else if (lower === 'direction') direction = value;
    else if (lower === 'datatype') dataType = value;
    else options[key] = value;
  }
  const before = problems.length;
  if (typeof type !== 'string' || type === '') problems.push(problem(`${at}.type`, 'every binding needs a "type" (queueTrigger, http, …)'));
  if (typeof name !== 'string' || name === '') problems.push(problem(`${at}.name`, 'every binding needs a "name"'));
  const dir = typeof direction === 'string' ? direction.toLowerCase() : direction;
  if (dir !== 'in' && dir !== 'out' && dir !== 'inout') problems.push(problem(`${at}.direction`, `must be "in", "out" or "inout" (got ${JSON.stringify(direction)})`));
  if (dataType !== undefined && typeof dataType !== 'string') problems.push(problem(`${at}.dataType`, 'must be "string", "binary" or "stream"'));
  if (problems.length > before) return undefined;
  return {
    name: name as string,
    type: type as string,
    direction: dir as BindingDefinition['direction'],
    ...(typeof dataType === 'string' ? { dataType } : {}),
    options,
  };
}

/**
 * The function's script (absolute): `scriptFile` relative to the folder, which must exist; otherwise the
 * only file in the folder, else `run.*` or `index.js|mjs|cjs` — the host's rule.
 */
function primaryScriptFile(folder: FunctionFolder, scriptFile: unknown, file: string, problems: Problem[], exists: (path: string) => boolean): string | undefined {
  if (scriptFile !== undefined && scriptFile !== null && scriptFile !== '') {
    if (typeof scriptFile !== 'string') {
      problems.push(problem(`${file}:scriptFile`, 'must be a path relative to the function folder'));
      return undefined;
    }
    const path = resolve(folder.directory, scriptFile);
    if (!exists(path)) {
      problems.push(problem(`${file}:scriptFile`, `"${scriptFile}" does not exist (looked for ${path})${scriptFile.includes('dist') ? '; build the app first (npm run build)' : ''}`));
      return undefined;
    }
    return path;
  }
  const candidates = folder.files.filter((f) => f.toLowerCase() !== 'function.json');
  if (candidates.length === 0) {
    problems.push(problem(`${file}:scriptFile`, `no script file in ${folder.name}/: add index.js or set "scriptFile"`));
    return undefined;
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  const primary = only ?? candidates.find((f) => /^run(\.[^.]*)?$/i.test(f) || /^index\.(js|mjs|cjs)$/i.test(f));
  if (primary === undefined) {
    problems.push(problem(`${file}:scriptFile`, `cannot tell which file in ${folder.name}/ is the function (${candidates.join(', ')}): name it index.js or run.js, or set "scriptFile"`));
    return undefined;
  }
  return join(folder.directory, primary);
}

/** True when the app setting `AzureWebJobs.<name>.Disabled` (also `__` or `_` separated, any case) is "true" or "1". */
export function disabledBySetting(name: string, settings: Readonly<Record<string, string | undefined>>): boolean {
  const wanted = ['.', '__', '_'].map((sep) => `azurewebjobs${sep}${name}${sep}disabled`.toLowerCase());
  return Object.entries(settings).some(([key, value]) => value !== undefined && wanted.includes(key.toLowerCase()) && /^(true|1)$/i.test(value.trim()));
}

/**
 * Applies the host.json `functions` allow-list (after AzureFunctionsJobHost__functions__<i> overrides,
 * case-insensitive) and the `AzureWebJobs.<name>.Disabled` settings.
 */
export function selectFunctions(
  functions: readonly FunctionDefinition[],
  allow: readonly string[] | undefined,
  settings: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): FunctionDefinition[] {
  let selected = [...functions];
  if (allow !== undefined) {
    const wanted = new Set(allow.map((n) => n.toLowerCase()));
    selected = selected.filter((fn) => wanted.has(fn.name.toLowerCase()));
    for (const name of allow) {
      if (!functions.some((fn) => fn.name.toLowerCase() === name.toLowerCase())) problems.push(warning('host.json:functions', `function "${name}" is listed in "functions" but the app has no such function`));
    }
  }
  return selected.map((fn) => (!fn.disabled && disabledBySetting(fn.name, settings) ? { ...fn, disabled: true } : fn));
}

/** Indexes the function.json folders under `root` (sorted by name); problems name the folder and key. */
export async function indexV3(root: string): Promise<{ functions: FunctionDefinition[]; problems: Problem[] }> {
  const functions: FunctionDefinition[] = [];
  const problems: Problem[] = [];
  const entries = await readdir(root, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')).map((e) => e.name).sort();
  for (const name of folders) {
    const directory = join(root, name);
    let text: string;
    try {
      text = await readFile(join(directory, 'function.json'), 'utf8');
    } catch {
      continue;
    }
    const files = (await readdir(directory, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    const result = parseFunctionJson({ name, directory, files }, text, existsSync);
    problems.push(...result.problems);
    if (result.fn) functions.push(result.fn);
  }
  return { functions, problems };
}
