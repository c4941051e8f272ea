// The `context` object a v3 handler receives, and the completion rules around it: a handler finishes
// when its promise settles or when it calls `context.done()` (or `context.res.end()`), whichever comes
// first; a second completion is a user mistake that v3 logs as a system error instead of failing.

import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { BindingDefinition, FunctionDefinition } from '../../app/function-model.js';
import type { RpcInvocationRequest } from '../../app/rpc.js';
import type { HostLogger } from './contract.js';
import { bindingDataFromMetadata, camelCaseKeys, fromTypedDataV3 } from './invoke-v3-convert.js';
import { createV3Request, createV3Response, type V3Request, type V3Response } from './invoke-v3-http.js';

/** `context.log`: callable (information) with level helpers. */
export interface V3Logger {
  (...args: unknown[]): void;
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  verbose(...args: unknown[]): void;
}

/** The v3 `context`. */
export interface V3Context {
  invocationId: string;
  executionContext: { invocationId: string; functionName: string; functionDirectory: string; retryContext: unknown };
  bindings: Record<string, unknown>;
  bindingData: Record<string, unknown>;
  bindingDefinitions: { name: string; type: string; direction: string }[];
  traceContext: { traceparent: string | null; tracestate: string | null; attributes: Record<string, string> | null };
  log: V3Logger;
  done(err?: unknown, result?: unknown): void;
  req?: V3Request;
  res?: V3Response;
  suppressAsyncDoneError: boolean;
}

/** Resolves once with the handler's result, from whichever of done()/promise comes first. */
export class V3Completion {
  readonly result: Promise<unknown>;
  private finished = false;
  private returnedPromise = false;
  private resolveFn: (value: unknown) => void = () => undefined;
  private rejectFn: (error: unknown) => void = () => undefined;

  constructor(private readonly systemError: (message: string) => void) {
    this.result = new Promise((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  /** `context.done(err, result)`. */
  done(err: unknown, result: unknown, suppress = false): void {
    if (this.finished) {
      if (suppress) return;
      this.systemError(
        this.returnedPromise
          ? "Error: Choose either to return a promise or call 'done'. Do not use both in your script. Learn more: https://go.microsoft.com/fwlink/?linkid=2097909"
          : "Error: 'done' has already been called. Please check your script for extraneous calls to 'done'.",
      );
      return;
    }
    this.finished = true;
    if (err !== undefined && err !== null && err !== false) this.rejectFn(err);
    else this.resolveFn(result);
  }

  /** The handler returned a thenable: its settlement completes the invocation too. */
  follow(promise: PromiseLike<unknown>, suppress: () => boolean): void {
    this.returnedPromise = true;
    promise.then(
      (value) => {
        this.done(undefined, value, suppress());
      },
      (error: unknown) => {
        this.done(error ?? new Error('The function promise was rejected without a reason'), undefined, suppress());
      },
    );
  }
}

/** Where user and system log lines of an invocation go. */
function makeLogger(log: HostLogger, fields: Record<string, unknown>): V3Logger {
  const user = { ...fields, category: 'user' };
  const logger = ((...args: unknown[]) => {
    log.info(format(...args), user);
  }) as V3Logger;
  logger.error = (...args) => {
    log.error(format(...args), user);
  };
  logger.warn = (...args) => {
    log.warn(format(...args), user);
  };
  logger.info = (...args) => {
    log.info(format(...args), user);
  };
  logger.verbose = (...args) => {
    log.debug(format(...args), user);
  };
  return logger;
}

/** The context, the handler's positional inputs and the completion tracker for one request. */
export interface V3Invocation {
  context: V3Context;
  inputs: unknown[];
  completion: V3Completion;
}

/** Builds `context` and the inputs from `inputData` (trigger first, in request order), as @azure/functions 3.x does. */
export function createV3Invocation(fn: FunctionDefinition, request: RpcInvocationRequest, log: HostLogger, now: () => number): V3Invocation {
  const invocationId = request.invocationId ?? randomUUID();
  const fields = { function: fn.name, invocationId };
  const completion = new V3Completion((message) => {
    log.error(message, { ...fields, category: 'system' });
  });
  const directory = fn.source.model === 'v3' ? fn.source.directory : '';
  const bindings: Record<string, unknown> = {};
  const inputs: unknown[] = [];
  const context: V3Context = {
    invocationId,
    executionContext: { invocationId, functionName: fn.name, functionDirectory: directory, retryContext: request.retryContext ?? null },
    bindings,
    bindingData: { invocationId, ...bindingDataFromMetadata(request.triggerMetadata) },
    bindingDefinitions: fn.bindings.map((b) => ({ name: b.name, type: b.type, direction: b.direction })),
    traceContext: {
      traceparent: request.traceContext?.traceParent ?? null,
      tracestate: request.traceContext?.traceState ?? null,
      attributes: request.traceContext?.attributes ?? null,
    },
    log: makeLogger(log, fields),
    done: (err?: unknown, result?: unknown) => {
      completion.done(err, result);
    },
    suppressAsyncDoneError: false,
  };
  const isTimer = fn.trigger.type.toLowerCase() === 'timertrigger';
  for (const binding of request.inputData ?? []) {
    if (!binding.name || !binding.data) continue;
    let input: unknown;
    if (binding.data.http) {
      input = context.req = createV3Request(binding.data.http);
      context.res = createV3Response(() => {
        context.done();
      });
      addHttpBindingData(context, context.req, fn.name, now);
    } else {
      const value = fromTypedDataV3(binding.data);
      input = isTimer ? camelCaseKeys(value) : value;
    }
    bindings[binding.name] = input;
    inputs.push(input);
  }
  return { context, inputs, completion };
}

function addHttpBindingData(context: V3Context, req: V3Request, name: string, now: () => number): void {
  context.bindingData.sys = { methodName: name, utcNow: new Date(now()).toISOString(), randGuid: randomUUID() };
  context.bindingData.query ??= { ...req.query };
  context.bindingData.headers ??= { ...req.headers };
}

/** The HTTP output binding's name (`res`, `$return`, …) of a function, if it has one. */
export function httpOutputName(bindings: readonly BindingDefinition[]): string | undefined {
  return bindings.find((b) => b.direction !== 'in' && b.type.toLowerCase() === 'http')?.name;
}
