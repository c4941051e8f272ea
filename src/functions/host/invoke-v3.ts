// Runs a v3 function (function.json + a script exporting `(context, ...inputs)`) for one RPC request:
// load the script the way the Node worker's legacy loader does, build the v3 context, wait for the
// promise or `context.done`, and turn results into the RPC response (@azure/functions 3.x rules).

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionDefinition } from '../../app/function-model.js';
import type { RpcException, RpcInvocationRequest, RpcInvocationResponse, RpcParameterBinding, RpcTypedData } from '../../app/rpc.js';
import type { FunctionInvoker, HostLogger } from './contract.js';
import { toRpcHttpV3, toTypedDataV3 } from './invoke-v3-convert.js';
import { createV3Invocation, httpOutputName, type V3Context } from './invoke-v3-context.js';

/** A v3 handler: `(context, ...inputs)`, returning a promise or finishing through `context.done`. */
export type V3Handler = (context: V3Context, ...inputs: unknown[]) => unknown;

/** A script that cannot be loaded or does not export a function: reported once per invocation, naming the file. */
export class V3LoadError extends Error {
  override readonly name = 'V3LoadError';
}

/** Loads a v3 script and resolves its entry point: `exports[entryPoint]`, else the single export, else `run`/`index`. */
export async function loadV3Handler(scriptFile: string, entryPoint?: string): Promise<V3Handler> {
  let loaded: unknown;
  try {
    loaded = await loadModule(scriptFile);
  } catch (error) {
    throw new V3LoadError(`cannot load script file "${scriptFile}": ${error instanceof Error ? error.message : String(error)}`);
  }
  return resolveEntryPoint(loaded, scriptFile, entryPoint);
}

/** Picks the handler out of a loaded module like the Node worker's legacy loader (object exports are bound to the module). */
export function resolveEntryPoint(loaded: unknown, scriptFile: string, entryPoint?: string): V3Handler {
  let candidate: unknown = loaded;
  if (loaded !== null && typeof loaded === 'object') {
    const exports = loaded as Record<string, unknown>;
    const keys = Object.keys(exports);
    if (entryPoint !== undefined && entryPoint !== '') candidate = exports[entryPoint];
    else if (keys.length === 1 && keys[0] !== undefined) candidate = exports[keys[0]];
    else candidate = exports.run ?? exports.index;
    if (typeof candidate === 'function') return (candidate as V3Handler).bind(loaded);
    const what = entryPoint ? `export "${entryPoint}"` : 'the single export, "run" or "index"';
    throw new V3LoadError(
      `the entry point of "${scriptFile}" is not a function (looked for ${what}; exports: ${keys.join(', ') || 'none'}). ` +
        'Export the function (module.exports = async function (context) {…}) or set "entryPoint" in function.json.',
    );
  }
  if (typeof candidate !== 'function') {
    throw new V3LoadError(`"${scriptFile}" exports ${candidate === undefined ? 'nothing' : typeof candidate}, not a function. Export the function (module.exports = async function (context) {…}).`);
  }
  return candidate as V3Handler;
}

async function loadModule(scriptFile: string): Promise<unknown> {
  const ext = extname(scriptFile).toLowerCase();
  const asEsm = ext === '.mjs' || (ext !== '.cjs' && (await nearestPackageType(dirname(scriptFile))) === 'module');
  if (asEsm) return import(pathToFileURL(scriptFile).href);
  const require = createRequire(scriptFile);
  try {
    return require(scriptFile) as unknown;
  } catch (error) {
    // Node 20 refuses require() of ES modules; the worker falls back to import() the same way.
    if ((error as { code?: string }).code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(scriptFile).href);
    throw error;
  }
}

async function nearestPackageType(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    try {
      const pkg = JSON.parse(await readFile(join(current, 'package.json'), 'utf8')) as { type?: unknown };
      return typeof pkg.type === 'string' ? pkg.type : undefined;
    } catch {
      if (dirname(current) === current) return undefined;
    }
  }
}

export interface V3InvokerOptions {
  readonly log: HostLogger;
  /** Epoch milliseconds, for `bindingData.sys.utcNow`. */
  readonly now?: () => number;
}

/** The FunctionInvoker of one v3 function. The script is loaded on first use (or by `load()` at start-up). */
export class V3Invoker implements FunctionInvoker {
  private handler: Promise<V3Handler> | undefined;

  constructor(
    private readonly fn: FunctionDefinition,
    private readonly options: V3InvokerOptions,
  ) {}

  /** Loads the script now, so start-up can report a broken function before any message arrives. */
  load(): Promise<V3Handler> {
    if (this.handler) return this.handler;
    const source = this.fn.source;
    if (source.model !== 'v3') return Promise.reject(new V3LoadError(`function "${this.fn.name}" is not a v3 function`));
    const file = resolve(source.directory, source.scriptFile);
    this.handler = loadV3Handler(file, source.entryPoint).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      throw new V3LoadError(`Function '${this.fn.name}': ${message}`);
    });
    return this.handler;
  }

  /** Runs the handler for one request; a throw, a rejection or `done(err)` becomes a failure result. */
  async invoke(request: RpcInvocationRequest): Promise<RpcInvocationResponse> {
    const invocationId = request.invocationId ?? '';
    let handler: V3Handler;
    try {
      handler = await this.load();
    } catch (error) {
      return failure(invocationId, error, this.fn.name);
    }
    const { context, inputs, completion } = createV3Invocation(this.fn, { ...request, invocationId: request.invocationId ?? null }, this.options.log, this.options.now ?? Date.now);
    try {
      const returned = handler(context, ...inputs);
      if (isThenable(returned)) completion.follow(returned, () => context.suppressAsyncDoneError);
    } catch (error) {
      completion.done(error ?? new Error('The function threw without a reason'), undefined);
    }
    let result: unknown;
    try {
      result = await completion.result;
    } catch (error) {
      return failure(context.invocationId, error, this.fn.name);
    }
    try {
      return { ...buildV3Response(this.fn, context, result), invocationId: context.invocationId, result: { status: 'success' } };
    } catch (error) {
      return failure(context.invocationId, error, this.fn.name);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function failure(invocationId: string, error: unknown, source: string): RpcInvocationResponse {
  const exception: RpcException = { source, message: error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error) };
  if (error instanceof Error && error.stack) exception.stackTrace = error.stack;
  return { invocationId, outputData: [], result: { status: 'failure', exception } };
}

/**
 * Outputs of a finished v3 invocation: a `$return` binding takes a truthy result; otherwise an object
 * result's keys that name output bindings; then `context.bindings` fills the rest, and an unset HTTP
 * output falls back to `context.res`. A `$return` value is sent as `returnValue` (as v4 does).
 */
export function buildV3Response(fn: FunctionDefinition, context: V3Context, result: unknown): RpcInvocationResponse {
  const outputs = fn.bindings.filter((b) => b.direction !== 'in');
  const httpName = httpOutputName(fn.bindings);
  const convert = (name: string, value: unknown): RpcTypedData => (name === httpName ? toRpcHttpV3(value) : toTypedDataV3(value));
  if (httpName !== undefined && context.res !== undefined && context.bindings[httpName] === undefined) context.bindings[httpName] = context.res;

  const hasReturnBinding = outputs.some((b) => b.name === '$return');
  const usable = Boolean(result) || (fn.trigger.type === 'activityTrigger' && result !== null && result !== undefined);
  const fromResult = usable && !hasReturnBinding && typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : undefined;
  const outputData: RpcParameterBinding[] = [];
  let returnValue: RpcTypedData | undefined;
  if (usable) {
    if (hasReturnBinding) returnValue = convert('$return', result);
    else if (fromResult) {
      for (const b of outputs) if (fromResult[b.name] !== undefined) outputData.push({ name: b.name, data: convert(b.name, fromResult[b.name]) });
    }
    if (returnValue === undefined && outputData.length === 0 && !fn.trigger.type.toLowerCase().startsWith('httptrigger')) returnValue = toTypedDataV3(result);
  }
  for (const b of outputs) {
    const value = context.bindings[b.name];
    if (value === undefined || fromResult?.[b.name] !== undefined) continue;
    if (b.name === '$return') returnValue ??= convert(b.name, value);
    else outputData.push({ name: b.name, data: convert(b.name, value) });
  }
  return returnValue === undefined ? { outputData } : { outputData, returnValue };
}
