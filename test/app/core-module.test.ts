import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { activateCoreModule, CoreModule, coreApi, Disposable } from '../../src/app/core-module.js';
import type { CoreFunctionMetadata, ProgrammingModel } from '../../src/app/core-types.js';

const meta = (name: string, functionId?: string): CoreFunctionMetadata => ({ name, ...(functionId ? { functionId } : {}), bindings: { t: { type: 'queueTrigger', direction: 'in' } } });
const noop = (): undefined => undefined;
const model = (name: string): ProgrammingModel => ({ name, version: '1', getInvocationModel: () => { throw new Error('unused'); } });

describe('registerFunction', () => {
  it('records registrations in order; the id defaults to the name', () => {
    const core = new CoreModule();
    core.registerFunction(meta('a'), noop);
    core.registerFunction(meta('b', 'id-b'), noop);
    expect(core.registrations().map((r) => [r.metadata.name, r.functionId])).toEqual([['a', 'a'], ['b', 'id-b']]);
  });

  it.each([
    ['same id', meta('a'), meta('x', 'a')],
    ['same name in another case', meta('orders'), meta('Orders', 'other-id')],
  ])('%s → error', (_name, first, second) => {
    const core = new CoreModule();
    core.registerFunction(first, noop);
    expect(() => core.registerFunction(second, noop)).toThrow(/already registered/);
  });

  it('only during start-up; disposing before the lock removes the registration', () => {
    const core = new CoreModule();
    core.registerFunction(meta('a'), noop).dispose();
    expect(core.registrations()).toEqual([]);
    core.lock();
    expect(() => core.registerFunction(meta('b'), noop)).toThrow('A function can only be registered during app startup.');
  });
});

describe('hooks', () => {
  it('run in registration order, each awaited; a disposed hook no longer runs; a throw stops the chain', async () => {
    const core = new CoreModule();
    const order: string[] = [];
    core.registerHook('preInvocation', async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('first (slow)');
    });
    const second = core.registerHook('preInvocation', () => order.push('second'));
    core.registerHook('preInvocation', () => order.push('third'));
    await core.runHooks('preInvocation', {});
    expect(order).toEqual(['first (slow)', 'second', 'third']);
    second.dispose();
    core.registerHook('preInvocation', () => {
      throw new Error('stop');
    });
    core.registerHook('preInvocation', () => order.push('never'));
    order.length = 0;
    await expect(core.runHooks('preInvocation', {})).rejects.toThrow('stop');
    expect(order).toEqual(['first (slow)', 'third']);
  });

  it('an unknown hook name is a RangeError marked as a system error (the library maps it to "requires host v4.34")', () => {
    const core = new CoreModule();
    let thrown: unknown;
    try {
      core.registerHook('onSomething', noop);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown).toMatchObject({ isAzureFunctionsSystemError: true });
  });

  it('log hooks run synchronously and a throwing one does not stop the others', () => {
    const core = new CoreModule();
    core.registerHook('log', () => {
      throw new Error('bad hook');
    });
    core.registerHook('log', (ctx) => {
      ctx['message'] = `[edited] ${String(ctx['message'])}`;
    });
    const ctx: Record<string, unknown> = { message: 'hi' };
    core.runLogHooks(ctx);
    expect(ctx['message']).toBe('[edited] hi');
  });
});

describe('Disposable', () => {
  it('dispose runs once; from() disposes every part', () => {
    let count = 0;
    const a = new Disposable(() => count++);
    const b = new Disposable(() => (count += 10));
    const both = Disposable.from(a, b);
    both.dispose();
    both.dispose();
    a.dispose();
    expect(count).toBe(11);
  });
});

describe("require('@azure/functions-core')", () => {
  const require = createRequire(import.meta.url);

  it('returns the facade, which forwards to the app being loaded', () => {
    const first = new CoreModule();
    activateCoreModule(first);
    const api = require('@azure/functions-core') as typeof coreApi;
    expect(api).toBe(coreApi);
    api.registerFunction(meta('one'), noop);
    api.setProgrammingModel(model('m1'));
    const second = new CoreModule();
    activateCoreModule(second);
    api.registerFunction(meta('two'), noop);
    expect(first.registrations().map((r) => r.metadata.name)).toEqual(['one']);
    expect(second.registrations().map((r) => r.metadata.name)).toEqual(['two']);
    // @azure/functions sets its model once per process; a later app falls back to it.
    expect(second.getProgrammingModel()?.name).toBe('m1');
    expect(api.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof api.log).toBe('function');
  });

  it('other modules still resolve normally', () => {
    expect(require('node:path')).toHaveProperty('join');
  });
});
