// Loading a v4 app (functions.md §6.2 steps 2–5): the core module is installed, the files of
// package.json `main` are loaded (import() for ES modules, require otherwise), the registrations are
// captured, appStart hooks run, capabilities are read, and registration locks. Nothing registered
// means a v3 app: the caller falls back to function.json folders.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { problem, warning, type Problem } from '../api/problems.js';
import { activateCoreModule, CoreModule, type CoreLogSink, type Registration } from './core-module.js';
import type { ProgrammingModel, RpcFunctionMetadata } from './core-types.js';
import type { FunctionDefinition } from './function-model.js';
import { globFiles } from './glob.js';
import { isJsonObject, parseJsonText } from './json-text.js';
import { definitionOf, rpcMetadataOf } from './v4-metadata.js';

/** The capabilities the Node worker reports to the host (all "true"). */
export const BASE_CAPABILITIES: Readonly<Record<string, string>> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

/** A loaded v4 app: what an invoker needs to run its functions. */
export class V4App {
  constructor(
    readonly root: string,
    readonly core: CoreModule,
    readonly capabilities: Readonly<Record<string, string>>,
    private readonly byId: ReadonlyMap<string, Registration>,
  ) {}

  /** The programming model @azure/functions installed. */
  programmingModel(): ProgrammingModel | undefined {
    return this.core.getProgrammingModel();
  }

  /** The registration (metadata + handler) of a function id. */
  registration(functionId: string): Registration | undefined {
    return this.byId.get(functionId);
  }

  /** The metadata the library reads back for an invocation. */
  metadata(functionId: string): RpcFunctionMetadata | undefined {
    const registration = this.byId.get(functionId);
    return registration ? rpcMetadataOf(registration, this.root) : undefined;
  }

  /** Runs the appTerminate hooks (on shutdown, before exit). */
  async terminate(): Promise<void> {
    // App-level hooks share the app's hook data (the library exposes it as `hookData`).
    await this.core.runHooks('appTerminate', { hookData: this.core.appHookData, appHookData: this.core.appHookData });
  }
}

export interface V4LoadResult {
  /** Set when the app registered at least one function. */
  readonly app?: V4App;
  readonly functions: FunctionDefinition[];
  readonly problems: Problem[];
  /** True when package.json `main` named files and they were loaded (even if nothing registered). */
  readonly loaded: boolean;
}

const loads = new Map<string, number>();

/** Loads a v4 app from `root`; `log` receives the library's system logs. */
export async function loadV4App(root: string, log?: CoreLogSink): Promise<V4LoadResult> {
  const pkg = await readPackageJson(root);
  if ('problem' in pkg) return { functions: [], problems: [pkg.problem], loaded: false };
  if (pkg.main === undefined) return { functions: [], problems: [], loaded: false };
  const files = await globFiles(root, pkg.main);
  if (files.length === 0) {
    return { functions: [], problems: [problem('package.json:main', `no file matches "main": ${JSON.stringify(pkg.main)} (relative to ${root}); build the app first if it is compiled`)], loaded: false };
  }
  const core = new CoreModule(log);
  activateCoreModule(core);
  for (const file of files) {
    const path = resolve(root, file);
    core.currentScriptFile = path;
    try {
      await loadEntryFile(root, path, pkg.type === 'module');
    } catch (error) {
      core.lock();
      return { functions: [], problems: [problem('package.json:main', `cannot load entry point "${file}": ${messageOf(error)}`)], loaded: true };
    }
  }
  core.currentScriptFile = undefined;
  return finishStartup(root, core);
}

async function finishStartup(root: string, core: CoreModule): Promise<V4LoadResult> {
  const problems: Problem[] = [];
  try {
    await core.runHooks('appStart', { hookData: core.appHookData, appHookData: core.appHookData, functionAppDirectory: root });
  } catch (error) {
    core.lock();
    return { functions: [], problems: [problem('package.json:main', `an appStart hook failed: ${messageOf(error)}`)], loaded: true };
  }
  const capabilities = await readCapabilities(core, problems);
  core.lock();
  const registrations = core.registrations();
  if (registrations.length === 0) return { functions: [], problems, loaded: true };
  const functions: FunctionDefinition[] = [];
  for (const registration of registrations) {
    const result = definitionOf(registration, registration.scriptFile ?? 'package.json:main');
    problems.push(...result.problems);
    if (result.fn) functions.push(result.fn);
  }
  const byId = new Map(registrations.map((r) => [r.functionId, r] as const));
  return { app: new V4App(root, core, capabilities, byId), functions, problems, loaded: true };
}

async function readCapabilities(core: CoreModule, problems: Problem[]): Promise<Record<string, string>> {
  const model = core.getProgrammingModel();
  let capabilities: Record<string, string> = { ...BASE_CAPABILITIES };
  if (model === undefined) {
    problems.push(warning('package.json:main', 'the app registered functions but set no programming model (is @azure/functions 4.x installed?)'));
    return capabilities;
  }
  if (model.getCapabilities) capabilities = { ...(await model.getCapabilities(capabilities)) };
  if (capabilities['HttpUri'] !== undefined) {
    problems.push(problem('app.setup', 'HTTP streaming (app.setup({ enableHttpStream: true })) is not supported by tide yet; remove it to run HTTP functions'));
  }
  return capabilities;
}

async function readPackageJson(root: string): Promise<{ main?: string; type?: string } | { problem: Problem }> {
  let text: string;
  try {
    text = await readFile(join(root, 'package.json'), 'utf8');
  } catch {
    return {};
  }
  const parsed = parseJsonText(text);
  if ('error' in parsed || !isJsonObject(parsed.value)) {
    return { problem: problem('package.json', `package.json is not valid JSON: ${'error' in parsed ? parsed.error : 'not an object'}`) };
  }
  const { main, type } = parsed.value;
  if (main !== undefined && typeof main !== 'string') return { problem: problem('package.json:main', '"main" must be a file or a glob pattern') };
  return { ...(typeof main === 'string' && main.trim() !== '' ? { main } : {}), ...(typeof type === 'string' ? { type } : {}) };
}

/** Loads one entry file the way the worker does: .mjs or `type: module` → import(), .cjs and others → require. */
async function loadEntryFile(root: string, path: string, typeModule: boolean): Promise<void> {
  const ext = extname(path).toLowerCase();
  const count = (loads.get(path) ?? 0) + 1;
  loads.set(path, count);
  // A second load of the same app in one process (tests, reloads) must run the files again.
  const url = pathToFileURL(path).href + (count > 1 ? `?tide-load=${count}` : '');
  if (ext === '.mjs' || (ext !== '.cjs' && typeModule)) {
    await import(url);
    return;
  }
  const require = createRequire(path);
  if (count > 1) purgeAppFromRequireCache(require, root);
  try {
    require(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_REQUIRE_ESM') await import(url);
    else throw error;
  }
}

function purgeAppFromRequireCache(require: NodeJS.Require, root: string): void {
  const prefix = resolve(root) + '/';
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(prefix) && !key.slice(prefix.length).split('/').includes('node_modules')) Reflect.deleteProperty(require.cache, key);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
