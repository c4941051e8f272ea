import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../../src/app/function-model.js';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcTypedData } from '../../../src/app/rpc.js';
import type { OutputBinding } from '../../../src/functions/host/contract.js';
import { createDispatch, FunctionTimeoutError, retryDelayMs, withRetryPolicy } from '../../../src/functions/host/dispatcher.js';

const fn: FunctionDefinition = {
  name: 'orders',
  trigger: { name: 'item', type: 'queueTrigger', direction: 'in', options: { queueName: 'orders' } },
  bindings: [
    { name: 'item', type: 'queueTrigger', direction: 'in', options: { queueName: 'orders' } },
    { name: 'audit', type: 'queue', direction: 'out', options: { queueName: 'audit' } },
    { name: '$return', type: 'blob', direction: 'out', options: { path: 'out/x' } },
  ],
  disabled: false,
  source: { model: 'v3', scriptFile: '/app/orders/index.js', directory: '/app/orders' },
};

function recorder(fail = false): OutputBinding & { written: RpcTypedData[] } {
  const written: RpcTypedData[] = [];
  return {
    written,
    write: (value) => {
      if (fail) return Promise.reject(new Error('blob store down'));
      written.push(value);
      return Promise.resolve();
    },
  };
}

const event = { value: { string: 'hello' }, metadata: { DequeueCount: { json: '1' } } };

describe('createDispatch', () => {
  it('sends the trigger as RPC input data with its metadata and writes outputs after success', async () => {
    const seen: RpcInvocationRequest[] = [];
    const audit = recorder();
    const ret = recorder();
    const invoker = {
      invoke: (request: RpcInvocationRequest): Promise<RpcInvocationResponse> => {
        seen.push(request);
        return Promise.resolve({ outputData: [{ name: 'audit', data: { string: 'seen hello' } }], returnValue: { json: '{"ok":true}' }, result: { status: 'success' } });
      },
    };
    const dispatch = createDispatch(fn, invoker, { outputs: new Map([['audit', audit], ['$return', ret]]), newInvocationId: () => 'inv-1' });
    const outcome = await dispatch(event);
    expect(outcome.status).toBe('success');
    expect(seen[0]).toMatchObject({ invocationId: 'inv-1', functionId: 'orders', inputData: [{ name: 'item', data: { string: 'hello' } }], triggerMetadata: { DequeueCount: { json: '1' } } });
    expect(audit.written).toEqual([{ string: 'seen hello' }]);
    expect(ret.written).toEqual([{ json: '{"ok":true}' }]);
  });

  it('a failed function writes no outputs and reports the exception', async () => {
    const audit = recorder();
    const invoker = { invoke: () => Promise.resolve({ outputData: [{ name: 'audit', data: { string: 'x' } }], result: { status: 'failure' as const, exception: { message: 'boom' } } }) };
    const outcome = await createDispatch(fn, invoker, { outputs: new Map([['audit', audit]]) })(event);
    expect(outcome).toMatchObject({ status: 'failure', error: { message: 'boom' } });
    expect(audit.written).toEqual([]);
  });

  it('an output that cannot be written fails the invocation, so the message is retried', async () => {
    const invoker = { invoke: () => Promise.resolve({ returnValue: { string: 'x' }, result: { status: 'success' as const } }) };
    const outcome = await createDispatch(fn, invoker, { outputs: new Map([['$return', recorder(true)]]) })(event);
    expect(outcome).toMatchObject({ status: 'failure', error: { message: 'blob store down' } });
  });

  it('a thrown invoker error and a timeout are failures, never exceptions', async () => {
    const throwing = { invoke: () => Promise.reject(new Error('cannot load index.js')) };
    expect(await createDispatch(fn, throwing, { outputs: new Map() })(event)).toMatchObject({ status: 'failure', error: { message: 'cannot load index.js' } });
    const hanging = { invoke: () => new Promise<RpcInvocationResponse>(() => undefined) };
    const outcome = await createDispatch(fn, hanging, { outputs: new Map(), timeoutMs: 30 })(event);
    expect(outcome.status).toBe('failure');
    expect(outcome.status === 'failure' && outcome.error).toBeInstanceOf(FunctionTimeoutError);
    expect(outcome.status === 'failure' && outcome.error.message).toBe("Timeout value of 00:00:00 exceeded by function 'orders'");
  });

  it('reports each invocation to the observer with its duration', async () => {
    const calls: string[] = [];
    let clock = 1000;
    const invoker = { invoke: () => { clock += 25; return Promise.resolve({ result: { status: 'success' as const } }); } };
    await createDispatch(fn, invoker, { outputs: new Map(), now: () => clock, observe: (f, id, o, ms) => calls.push(`${f.name} ${o.status} ${ms}`), newInvocationId: () => 'i' })(event);
    expect(calls).toEqual(['orders success 25']);
  });
});

describe('withRetryPolicy', () => {
  it.each([
    [{ strategy: 'fixedDelay' as const, maxRetryCount: 3, delayInterval: 500 }, [500, 500, 500]],
    [{ strategy: 'exponentialBackoff' as const, maxRetryCount: 4, minimumInterval: 100, maximumInterval: 500 }, [100, 200, 400, 500]],
  ])('%j waits %j between attempts', (policy, delays) => {
    expect(delays.map((_, i) => retryDelayMs(policy, i + 1))).toEqual(delays);
  });

  it('retries a failure maxRetryCount times with retryContext, and stops at the first success', async () => {
    const seen: (number | null | undefined)[] = [];
    let failures = 2;
    const inner = (e: { retryContext?: { retryCount?: number | null } }) => {
      seen.push(e.retryContext?.retryCount);
      return Promise.resolve(failures-- > 0 ? { status: 'failure' as const, error: new Error('flaky') } : { status: 'success' as const, response: {} });
    };
    const waits: number[] = [];
    const dispatch = withRetryPolicy(inner, { strategy: 'fixedDelay', maxRetryCount: 5, delayInterval: 10 }, (ms) => { waits.push(ms); return Promise.resolve(); });
    expect((await dispatch(event)).status).toBe('success');
    expect(seen).toEqual([undefined, 1, 2]);
    expect(waits).toEqual([10, 10]);
  });

  it('gives up after maxRetryCount retries with the last failure', async () => {
    let calls = 0;
    const inner = () => { calls++; return Promise.resolve({ status: 'failure' as const, error: new Error(`fail ${calls}`) }); };
    const outcome = await withRetryPolicy(inner, { strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: 0 }, () => Promise.resolve())(event);
    expect([calls, outcome.status === 'failure' && outcome.error.message]).toEqual([3, 'fail 3']);
  });
});
