// The one generic path every trigger funnels into: a listener turns a message into a TriggerEvent,
// the host dispatches it (invoker → output bindings) and hands back the outcome, and only then does
// the listener settle the message (complete, retry later, or poison). A killed process therefore
// never loses a message: whatever was not settled comes back from the source.

import type { BindingDefinition, FunctionDefinition } from '../../app/function-model.js';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcRetryContext, RpcTypedData } from '../../app/rpc.js';

/** What a trigger delivers for one invocation. */
export interface TriggerEvent {
  /** The trigger binding's value (`inputData[trigger.name]`). */
  readonly value: RpcTypedData;
  /** PascalCase trigger metadata (`DequeueCount`, `Id`, `Partition`, route params, …). */
  readonly metadata: Readonly<Record<string, RpcTypedData>>;
  /** Set when the source redelivers (attempt counts), for `context.retryContext`. */
  readonly retryContext?: RpcRetryContext;
}

/** How an invocation ended, as far as settling the message is concerned. */
export type InvocationOutcome =
  | { readonly status: 'success'; readonly response: RpcInvocationResponse }
  | { readonly status: 'failure'; readonly error: Error; readonly response?: RpcInvocationResponse };

/** Runs one function invocation end to end: inputs, handler, output bindings. Never throws. */
export type Dispatch = (event: TriggerEvent, signal?: AbortSignal) => Promise<InvocationOutcome>;

/** Runs a function's code for one RPC-shaped request (v3 context model or v4 @azure/functions). */
export interface FunctionInvoker {
  invoke(request: RpcInvocationRequest): Promise<RpcInvocationResponse>;
}

/** A running trigger listener for one function. */
export interface TriggerListener {
  /** Starts receiving; every event is dispatched and settled by the listener after the dispatch resolves. */
  start(dispatch: Dispatch): Promise<void>;
  /** Stops taking new messages and waits for the in-flight ones to settle (drain mode, SIGTERM). */
  drain(): Promise<void>;
  /** Drains, then releases connections. */
  stop(): Promise<void>;
  /** Messages being processed right now, for drain status and metrics. */
  readonly inFlight: number;
}

/** Writes one output binding's value (queue message, blob, broker message, …). */
export interface OutputBinding {
  write(value: RpcTypedData): Promise<void>;
  close?(): Promise<void>;
}

/** What trigger and binding factories get from the host. */
export interface HostContext {
  /** App settings: environment over local.settings.json Values. `%NAME%` and connection names resolve here. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** host.json after defaults and `AzureFunctionsJobHost__*` overrides. */
  readonly hostJson: Readonly<Record<string, unknown>>;
  readonly log: HostLogger;
  /** Epoch milliseconds; injected so tests control time. */
  readonly now: () => number;
  /** Identifies this host process (processing lists, leases, consumer names). */
  readonly instanceId: string;
}

export interface HostLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Declares a trigger type (`queueTrigger`) and how to listen for one function. */
export interface TriggerDefinition {
  readonly type: string;
  create(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): TriggerListener;
}

/** Declares an output binding type (`queue`, `blob`, `rabbitMQ`, …). */
export interface OutputBindingDefinition {
  readonly type: string;
  create(binding: BindingDefinition, ctx: HostContext): OutputBinding;
}

/** A user mistake in an app or binding (missing setting, bad option): reported clearly, never a stack trace. */
export class BindingConfigError extends Error {
  override readonly name = 'BindingConfigError';
}
