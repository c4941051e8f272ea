// The types of `@azure/functions-core` (functions.md §6.1) as the host implements them: what
// @azure/functions 4.x registers (FunctionMetadata, callbacks, its ProgrammingModel, hooks) and what the
// host hands it for each invocation (CoreInvocationContext).
import type { RpcBindingInfo, RpcInvocationRequest, RpcInvocationResponse } from './rpc.js';

export interface RpcDuration {
  seconds?: number | null;
  nanos?: number | null;
}

export interface RpcRetryOptions {
  maxRetryCount?: number | null;
  delayInterval?: RpcDuration | null;
  minimumInterval?: RpcDuration | null;
  maximumInterval?: RpcDuration | null;
  retryStrategy?: 'exponentialBackoff' | 'fixedDelay' | null;
}

/** What `registerFunction` receives. */
export interface CoreFunctionMetadata {
  name: string;
  functionId?: string | null;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: RpcRetryOptions | null;
}

/** The metadata of one function as the worker holds it (`RpcFunctionMetadata`). */
export interface RpcFunctionMetadata {
  name: string;
  functionId: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: RpcRetryOptions | null;
  scriptFile?: string;
  directory?: string;
  rawBindings: string[];
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export type CoreLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type CoreLogCategory = 'user' | 'system' | 'customMetric';

export interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: RpcFunctionMetadata;
  state?: 'preInvocationHooks' | 'invocation' | 'postInvocationHooks' | undefined;
  log(level: CoreLogLevel, category: CoreLogCategory, message: string): void;
}

export interface InvocationArguments {
  context: unknown;
  inputs: unknown[];
}

export interface InvocationModel {
  getArguments(): Promise<InvocationArguments>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(context: CoreInvocationContext): InvocationModel;
  getCapabilities?(capabilities: Record<string, string>): Record<string, string> | Promise<Record<string, string>>;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
/** Hook contexts are plain objects the library wraps; hooks may replace fields (`inputs`, `result`, …). */
export type HookContext = Record<string, unknown>;
export type HookCallback = (context: HookContext) => unknown;
