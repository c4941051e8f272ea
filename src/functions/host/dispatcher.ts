// The generic path of one invocation, shared by every trigger: trigger event → RPC request → the
// function's invoker → output bindings → outcome. The listener settles its message only after this
// resolves, and only on success, so an output that could not be written is retried with the message.

import { randomUUID } from 'node:crypto';
import type { FunctionDefinition, RetryPolicy } from '../../app/function-model.js';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcTypedData } from '../../app/rpc.js';
import type { Dispatch, FunctionInvoker, InvocationOutcome, OutputBinding, TriggerEvent } from './contract.js';

/** Called after every invocation, for metrics and logs. */
export type InvocationObserver = (fn: FunctionDefinition, invocationId: string, outcome: InvocationOutcome, durationMs: number) => void;

export interface DispatchOptions {
  /** Output bindings by binding name (`$return` included); http outputs are answered by the HTTP server, not here. */
  readonly outputs: ReadonlyMap<string, OutputBinding>;
  /** host.json functionTimeout in milliseconds; undefined = unbounded. */
  readonly timeoutMs?: number | undefined;
  readonly observe?: InvocationObserver;
  readonly newInvocationId?: () => string;
  readonly now?: () => number;
}

/** A function invoked past its timeout: the message is not settled (it comes back), the handler is abandoned. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

/** The RPC request for one trigger event, as the Functions host sends it to a worker. */
export function invocationRequest(fn: FunctionDefinition, event: TriggerEvent, invocationId: string): RpcInvocationRequest {
  return {
    invocationId,
    functionId: fn.source.model === 'v4' ? fn.source.functionId : fn.name,
    inputData: [{ name: fn.trigger.name, data: event.value }],
    triggerMetadata: { ...event.metadata },
    traceContext: { traceParent: '', traceState: '', attributes: {} },
    ...(event.retryContext ? { retryContext: event.retryContext } : {}),
  };
}

/** Builds the Dispatch a function's trigger listener calls. */
export function createDispatch(fn: FunctionDefinition, invoker: FunctionInvoker, options: DispatchOptions): Dispatch {
  const now = options.now ?? Date.now;
  return async (event) => {
    const invocationId = (options.newInvocationId ?? randomUUID)();
    const started = now();
    const outcome = await invokeAndWrite(fn, invoker, invocationRequest(fn, event, invocationId), options);
    options.observe?.(fn, invocationId, outcome, now() - started);
    return outcome;
  };
}

async function invokeAndWrite(fn: FunctionDefinition, invoker: FunctionInvoker, request: RpcInvocationRequest, options: DispatchOptions): Promise<InvocationOutcome> {
  let response: RpcInvocationResponse;
  try {
    response = await withTimeout(invoker.invoke(request), options.timeoutMs, fn.name);
  } catch (error) {
    return { status: 'failure', error: asError(error) };
  }
  const result = response.result;
  if (result?.status === 'failure' || result?.status === 'cancelled') {
    const exception = result.exception;
    const error = new Error(exception?.message ?? `function ${fn.name} failed`);
    if (exception?.stackTrace) error.stack = exception.stackTrace;
    return { status: 'failure', error, response };
  }
  try {
    await writeOutputs(fn, response, options.outputs);
  } catch (error) {
    return { status: 'failure', error: asError(error), response };
  }
  return { status: 'success', response };
}

/** Writes every non-HTTP output the function produced: `$return` from returnValue, others from outputData. */
async function writeOutputs(fn: FunctionDefinition, response: RpcInvocationResponse, outputs: ReadonlyMap<string, OutputBinding>): Promise<void> {
  const byName = new Map<string, RpcTypedData>();
  for (const binding of response.outputData ?? []) {
    if (binding.name && binding.data) byName.set(binding.name, binding.data);
  }
  if (response.returnValue) byName.set('$return', response.returnValue);
  const writes: Promise<void>[] = [];
  for (const binding of fn.bindings) {
    if (binding.direction === 'in' || binding.type.toLowerCase() === 'http') continue;
    const value = byName.get(binding.name);
    const output = outputs.get(binding.name);
    if (value === undefined || isEmpty(value) || output === undefined) continue;
    writes.push(output.write(value));
  }
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw asError(failed.reason);
}

function isEmpty(value: RpcTypedData): boolean {
  return Object.values(value).every((v) => v === undefined || v === null);
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number | undefined, name: string): Promise<T> {
  if (timeoutMs === undefined || timeoutMs <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new FunctionTimeoutError(`Timeout value of ${formatDuration(timeoutMs)} exceeded by function '${name}'`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** hh:mm:ss like the Functions host prints functionTimeout. */
function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Delay before retry number `retry` (1-based): fixed, or doubling from minimumInterval up to maximumInterval. */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  if (policy.strategy === 'fixedDelay') return policy.delayInterval ?? 0;
  const min = policy.minimumInterval ?? 0;
  const max = policy.maximumInterval ?? min;
  return Math.min(max, min * 2 ** (retry - 1));
}

/**
 * The Functions host's retry policy (function.json / host.json `retry`) around a dispatch, for the
 * triggers it applies to (timer, Event Hubs): a failure is retried in process, `retryContext` counting
 * attempts, until maxRetryCount (-1 = forever) or drain. Kafka and the queue-like triggers use their
 * source's own redelivery instead.
 */
export function withRetryPolicy(dispatch: Dispatch, policy: RetryPolicy, sleep: (ms: number, signal?: AbortSignal) => Promise<void> = defaultSleep): Dispatch {
  return async (event, signal) => {
    let outcome = await dispatch(event, signal);
    for (let retry = 1; outcome.status === 'failure' && (policy.maxRetryCount < 0 || retry <= policy.maxRetryCount) && !signal?.aborted; retry++) {
      await sleep(retryDelayMs(policy, retry), signal);
      const exception = { message: outcome.error.message, ...(outcome.error.stack ? { stackTrace: outcome.error.stack } : {}) };
      outcome = await dispatch({ ...event, retryContext: { retryCount: retry, maxRetryCount: policy.maxRetryCount, exception } }, signal);
    }
    return outcome;
  };
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
