// Runs a v4 function (@azure/functions 4.x) for one RPC request, as the Node worker's invocation
// handler does (functions.md §6.2 step 6): the app's programming model builds the arguments, preInvocation
// hooks may replace the inputs or the handler, the handler runs, postInvocation hooks may change the
// result or error, and the model turns the result into the RPC response. A failure at any step becomes
// a failure response carrying the exception message; this never throws.
import type { CoreInvocationContext, CoreLogCategory, CoreLogLevel, FunctionCallback, HookContext } from '../../app/core-types.js';
import type { FunctionDefinition } from '../../app/function-model.js';
import type { V4App } from '../../app/load-v4.js';
import type { RpcException, RpcInvocationRequest, RpcInvocationResponse } from '../../app/rpc.js';
import type { FunctionInvoker, HostLogger } from './contract.js';

export interface V4InvokerOptions {
  readonly log: HostLogger;
}

/** The FunctionInvoker of one v4 function of a loaded app. */
export class V4Invoker implements FunctionInvoker {
  constructor(
    private readonly fn: FunctionDefinition,
    private readonly app: V4App,
    private readonly options: V4InvokerOptions,
  ) {}

  /** Runs the handler for one request; any error becomes `result.status: failure`. */
  async invoke(request: RpcInvocationRequest): Promise<RpcInvocationResponse> {
    const invocationId = request.invocationId ?? '';
    try {
      const response = await this.run(request, invocationId);
      return { ...response, invocationId, result: { status: 'success' } };
    } catch (error) {
      return failure(invocationId, error, this.fn.name);
    }
  }

  private async run(request: RpcInvocationRequest, invocationId: string): Promise<RpcInvocationResponse> {
    const { fn, app } = this;
    if (fn.source.model !== 'v4') throw new Error(`function "${fn.name}" is not a v4 function`);
    const registration = app.registration(fn.source.functionId);
    const metadata = app.metadata(fn.source.functionId);
    const model = app.programmingModel();
    if (!registration || !metadata || !model) throw new Error(`function "${fn.name}" is not registered in the loaded app (or the app set no programming model)`);
    const core = app.core;
    // The library's InvocationContext exists only after getArguments; log hooks receive it from then on.
    const current: { context?: unknown } = {};
    const coreContext: CoreInvocationContext = {
      invocationId,
      request,
      metadata,
      state: undefined,
      log: (level, category, message) => {
        this.log(level, category, message, invocationId, current.context);
      },
    };
    const invocation = model.getInvocationModel(coreContext);
    const { context, inputs } = await invocation.getArguments();
    current.context = context;
    const hookData: Record<string, unknown> = {};
    const pre: HookContext = { hookData, appHookData: core.appHookData, invocationContext: context, inputs, functionCallback: registration.callback };
    await inState(coreContext, 'preInvocationHooks', () => core.runHooks('preInvocation', pre));
    const finalInputs = Array.isArray(pre['inputs']) ? (pre['inputs'] as unknown[]) : inputs;
    const callback = typeof pre['functionCallback'] === 'function' ? (pre['functionCallback'] as FunctionCallback) : registration.callback;
    const post: HookContext = { hookData, appHookData: core.appHookData, invocationContext: context, inputs: finalInputs, result: null, error: null };
    await inState(coreContext, 'invocation', async () => {
      try {
        post['result'] = await invocation.invokeFunction(context, finalInputs, callback);
      } catch (error) {
        post['error'] = error ?? new Error('The function failed without a reason');
      }
    });
    await inState(coreContext, 'postInvocationHooks', () => core.runHooks('postInvocation', post));
    if (post['error'] !== null && post['error'] !== undefined) throw asError(post['error']);
    return invocation.getResponse(context, post['result']);
  }

  /** Routes a library log line through the log hooks (which may edit user logs) to the host logger. */
  private log(level: CoreLogLevel, category: CoreLogCategory, message: string, invocationId: string, invocationContext: unknown): void {
    let finalLevel = level;
    let finalMessage = message;
    if (this.app.core.hasHooks('log')) {
      const hook: HookContext = { hookData: {}, appHookData: this.app.core.appHookData, invocationContext, category, level, message };
      this.app.core.runLogHooks(hook);
      if (category === 'user') {
        finalLevel = (typeof hook['level'] === 'string' ? hook['level'] : level) as CoreLogLevel;
        finalMessage = typeof hook['message'] === 'string' ? hook['message'] : message;
      }
    }
    writeLog(this.options.log, finalLevel, finalMessage, { functionName: this.fn.name, invocationId, category });
  }
}

async function inState(context: CoreInvocationContext, state: NonNullable<CoreInvocationContext['state']>, run: () => Promise<void>): Promise<void> {
  context.state = state;
  try {
    await run();
  } finally {
    context.state = undefined;
  }
}

/** Writes a core log line at the matching host level (`none` is dropped). */
export function writeLog(log: HostLogger, level: CoreLogLevel, message: string, fields: Record<string, unknown>): void {
  switch (level) {
    case 'trace':
    case 'debug':
      log.debug(message, fields);
      return;
    case 'information':
      log.info(message, fields);
      return;
    case 'warning':
      log.warn(message, fields);
      return;
    case 'error':
    case 'critical':
      log.error(message, fields);
      return;
    default:
      return;
  }
}

/** Handlers may throw anything; the response needs a message. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const json = JSON.stringify(error) as string | undefined;
  return new Error(typeof error === 'string' ? error : (json ?? String(error)));
}

function failure(invocationId: string, thrown: unknown, source: string): RpcInvocationResponse {
  const error = asError(thrown);
  const exception: RpcException = { source, message: error.message };
  if (error.stack) exception.stackTrace = error.stack;
  return { invocationId, outputData: [], result: { status: 'failure', exception } };
}
