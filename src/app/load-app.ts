// A function app as the host, local mode and deploy see it: host.json (with overrides), the app
// settings (environment over local.settings.json), and the functions of either programming model.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { warning, type Problem } from '../api/problems.js';
import type { CoreLogSink } from './core-module.js';
import type { FunctionDefinition } from './function-model.js';
import { parseHostJson, type HostJson } from './host-json.js';
import { indexV3, selectFunctions } from './index-v3.js';
import { loadV4App, type V4App } from './load-v4.js';
import { appSettings, EMPTY_LOCAL_SETTINGS, parseLocalSettings, type LocalSettings } from './local-settings.js';

export interface LoadAppOptions {
  /** Read local.settings.json (`tide start`); the container host (`tide host`) does not. Default true. */
  readonly localSettings?: boolean;
  /** Receives the library's system logs of a v4 app. */
  readonly log?: CoreLogSink;
}

export interface FunctionApp {
  readonly root: string;
  readonly hostJson: HostJson;
  readonly localSettings: LocalSettings;
  /** Environment over local.settings.json Values (+ `ConnectionStrings:<name>`). */
  readonly settings: Readonly<Record<string, string>>;
  /** Selected by host.json `functions`; `disabled` includes `AzureWebJobs.<name>.Disabled`. */
  readonly functions: readonly FunctionDefinition[];
  readonly model: 'v3' | 'v4';
  /** Errors and warnings of every file, each naming the file and key. */
  readonly problems: readonly Problem[];
  /** The loaded v4 app (registrations, programming model, hooks) for the v4 invoker. */
  readonly runtime?: V4App;
}

/** Loads the app at `root` with the given environment (not modified: the caller decides what process.env holds). */
export async function loadFunctionApp(root: string, env: Readonly<Record<string, string | undefined>>, options: LoadAppOptions = {}): Promise<FunctionApp> {
  const appRoot = resolve(root);
  const problems: Problem[] = [];
  const local = options.localSettings === false ? { settings: EMPTY_LOCAL_SETTINGS, problems: [] } : parseLocalSettings(await readText(join(appRoot, 'local.settings.json')));
  problems.push(...local.problems);
  const settings = appSettings(env, local.settings);
  const host = parseHostJson(await readText(join(appRoot, 'host.json')), settings);
  problems.push(...host.problems);

  const v4 = await loadV4App(appRoot, options.log);
  problems.push(...v4.problems);
  let functions = v4.functions;
  let model: FunctionApp['model'] = 'v4';
  if (v4.app === undefined && !v4.problems.some((p) => p.severity === 'error')) {
    const v3 = await indexV3(appRoot);
    problems.push(...v3.problems);
    functions = v3.functions;
    model = 'v3';
  }
  const selected = selectFunctions(functions, host.hostJson.functions, settings, problems);
  if (selected.length === 0 && !problems.some((p) => p.severity === 'error')) {
    problems.push(warning('', `No job functions found in ${appRoot}: add a folder with a function.json (v3) or register functions with @azure/functions and point package.json "main" at them (v4)`));
  }
  return {
    root: appRoot,
    hostJson: host.hostJson,
    localSettings: local.settings,
    settings,
    functions: selected,
    model,
    problems,
    ...(v4.app ? { runtime: v4.app } : {}),
  };
}

/** The nearest folder at or above `start` holding host.json or local.settings.json (how func finds the app), or undefined. */
export function findScriptRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json')) || existsSync(join(dir, 'local.settings.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}
