import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BindingDefinition, FunctionDefinition } from '../../../src/app/function-model.js';
import type { RpcInvocationRequest, RpcInvocationResponse } from '../../../src/app/rpc.js';
import type { HostLogger } from '../../../src/functions/host/contract.js';
import { V3Invoker } from '../../../src/functions/host/invoke-v3.js';

const root = mkdtempSync(join(tmpdir(), 'tide-v3-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
/** Writes `code` as the function's script (relative path `file` under a fresh app folder). */
function script(code: string, file = 'index.js'): { directory: string; scriptFile: string } {
  const app = join(root, `app${++counter}`);
  const directory = join(app, 'Fn');
  const path = join(directory, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return { directory, scriptFile: file };
}

const b = (name: string, type: string, direction: BindingDefinition['direction'], options: Record<string, unknown> = {}): BindingDefinition => ({ name, type, direction, options });
const queueIn = b('item', 'queueTrigger', 'in', { queueName: 'q' });

function fn(code: string, bindings: BindingDefinition[] = [queueIn], extra: { file?: string; entryPoint?: string } = {}): FunctionDefinition {
  const { directory, scriptFile } = script(code, extra.file);
  const trigger = bindings[0] ?? queueIn;
  return { name: 'Fn', trigger, bindings, disabled: false, source: { model: 'v3', scriptFile, directory, ...(extra.entryPoint ? { entryPoint: extra.entryPoint } : {}) } };
}

interface Logged { level: string; message: string; fields: Record<string, unknown> | undefined }
function logger(): HostLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const request = (value: RpcInvocationRequest['inputData'], metadata: RpcInvocationRequest['triggerMetadata'] = {}): RpcInvocationRequest => ({
  invocationId: 'inv-1',
  functionId: 'Fn',
  inputData: value ?? [],
  triggerMetadata: metadata,
  traceContext: { traceParent: '00-abc-def-01', traceState: 'k=v', attributes: {} },
});
const queueRequest = (text: string) => request([{ name: 'item', data: { string: text } }], { DequeueCount: { json: '1' }, Id: { string: 'm1' } });

async function run(def: FunctionDefinition, req: RpcInvocationRequest, log = logger()): Promise<RpcInvocationResponse> {
  return new V3Invoker(def, { log, now: () => Date.UTC(2024, 0, 2, 3, 4, 5) }).invoke(req);
}
const text = (r: RpcInvocationResponse, name: string) => r.outputData?.find((o) => o.name === name)?.data;

describe('v3 entry point resolution', () => {
  it.each([
    ['module.exports = function', 'module.exports = async function (context, item) { return item + "!"; };', undefined, 'index.js'],
    ['single named export', 'exports.handler = async (context, item) => item + "!";', undefined, 'index.js'],
    ['run among several exports', 'exports.helper = 1; exports.run = async (c, item) => item + "!";', undefined, 'index.js'],
    ['index among several exports', 'exports.helper = 1; exports.index = async (c, item) => item + "!";', undefined, 'index.js'],
    ['entryPoint names an export', 'exports.a = async () => "wrong"; exports.b = async (c, item) => item + "!";', 'b', 'index.js'],
    ['.mjs default export (ESM via import())', 'export default async function (context, item) { return item + "!"; }', undefined, 'index.mjs'],
    ['.cjs module.exports', 'module.exports = async (c, item) => item + "!";', undefined, 'index.cjs'],
    ['compiled TypeScript ../dist (exports.default + __esModule)', '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nconst f = async function (context, item) { return item + "!"; };\nexports.default = f;', undefined, '../dist/Fn/index.js'],
  ])('%s → the handler runs and its result is the unmatched return value', async (_name, code, entryPoint, file) => {
    const def = fn(code, [queueIn], { file, ...(entryPoint ? { entryPoint } : {}) });
    const res = await run(def, queueRequest('hi'));
    expect(res.result?.status).toBe('success');
    expect(res.returnValue).toEqual({ string: 'hi!' });
  });

  it.each([
    ['an object with no function', 'exports.a = 1; exports.b = 2;', /entry point .* is not a function .*exports: a, b/],
    ['a missing entryPoint', 'exports.a = async () => 1; exports.b = async () => 2;', /export "c"/],
    ['a string', 'module.exports = "nope";', /exports string, not a function/],
    ['a syntax error', 'module.exports = function (', /cannot load script file/],
  ])('%s → a failure naming the function', async (name, code, message) => {
    const def = fn(code, [queueIn], name === 'a missing entryPoint' ? { entryPoint: 'c' } : {});
    const res = await run(def, queueRequest('x'));
    expect(res.result?.status).toBe('failure');
    expect(res.result?.exception?.message).toMatch(/^Function 'Fn': /);
    expect(res.result?.exception?.message).toMatch(message);
  });
});

describe('v3 context', () => {
  it('carries invocationId, executionContext, camel-cased bindingData, definitions, lower-case traceContext', async () => {
    const code = `module.exports = async function (context, item) {
      return { seen: { id: context.invocationId, exec: context.executionContext, data: context.bindingData, defs: context.bindingDefinitions,
        trace: context.traceContext, bound: context.bindings.item, item } };
    };`;
    const def = fn(code, [queueIn, b('seen', 'queue', 'out', { queueName: 'o' })]);
    const res = await run(def, queueRequest('{"a":{"B":1}}'));
    const seen = JSON.parse(text(res, 'seen')?.json ?? 'null') as Record<string, unknown>;
    expect(seen).toEqual({
      id: 'inv-1',
      exec: { invocationId: 'inv-1', functionName: 'Fn', functionDirectory: def.source.model === 'v3' ? def.source.directory : '', retryContext: null },
      // DequeueCount (json "1") → dequeueCount 1; Id → id
      data: { invocationId: 'inv-1', dequeueCount: 1, id: 'm1' },
      defs: [{ name: 'item', type: 'queueTrigger', direction: 'in' }, { name: 'seen', type: 'queue', direction: 'out' }],
      trace: { traceparent: '00-abc-def-01', tracestate: 'k=v', attributes: {} },
      // a string input that is valid JSON is parsed (keys of inputs are not camel-cased)
      bound: { a: { B: 1 } },
      item: { a: { B: 1 } },
    });
  });

  it.each([
    ['string JSON', { string: '[1,2]' }, [1, 2]],
    ['string not JSON', { string: 'plain' }, 'plain'],
    ['json', { json: '{"x":true}' }, { x: true }],
    ['bytes → Buffer', { bytes: new Uint8Array([104, 105]) }, { isBuffer: true, text: 'hi' }],
    ['int', { int: 7 }, 7],
    ['collectionString', { collectionString: { string: ['a', 'b'] } }, ['a', 'b']],
  ])('input %s', async (_name, data, expected) => {
    // the handler echoes what it received as JSON text, so every case is compared the same way
    const code = `module.exports = async (context, item) => ({ out: JSON.stringify(Buffer.isBuffer(item) ? { isBuffer: true, text: item.toString() } : item) });`;
    const res = await run(fn(code, [queueIn, b('out', 'queue', 'out')]), request([{ name: 'item', data }]));
    expect(JSON.parse(text(res, 'out')?.string ?? 'undefined')).toEqual(expected);
  });

  it('timer input is camel-cased recursively', async () => {
    const timer = b('myTimer', 'timerTrigger', 'in', { schedule: '0 * * * * *' });
    const code = `module.exports = async (context, t) => ({ out: t });`;
    const value = { Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false };
    const res = await run(fn(code, [timer, b('out', 'queue', 'out')]), request([{ name: 'myTimer', data: { json: JSON.stringify(value) } }]));
    expect(JSON.parse(text(res, 'out')?.json ?? 'null')).toEqual({ schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
  });

  it('log levels go to the host logger with function name, invocation id and category user', async () => {
    const log = logger();
    const code = `module.exports = async (context) => { context.log('a %d', 1); context.log.error('e'); context.log.warn('w'); context.log.info('i'); context.log.verbose('v'); };`;
    await run(fn(code), queueRequest('x'), log);
    expect(log.lines.map((l) => [l.level, l.message])).toEqual([['info', 'a 1'], ['error', 'e'], ['warn', 'w'], ['info', 'i'], ['debug', 'v']]);
    expect(log.lines[0]?.fields).toEqual({ function: 'Fn', invocationId: 'inv-1', category: 'user' });
  });
});

describe('v3 completion', () => {
  const out = [queueIn, b('out', 'queue', 'out')];
  it.each([
    ['callback style: done(null, value) with no return', 'module.exports = function (context) { setTimeout(() => context.done(null, { out: "late" }), 5); };', 'late'],
    ['callback style: context.bindings then done()', 'module.exports = function (context) { context.bindings.out = "bound"; context.done(); };', 'bound'],
    ['async: object result keys name outputs', 'module.exports = async () => ({ out: "keyed" });', 'keyed'],
    ['async: context.bindings output', 'module.exports = async (context) => { context.bindings.out = "ctx"; };', 'ctx'],
    ['result key wins over context.bindings', 'module.exports = async (context) => { context.bindings.out = "ctx"; return { out: "ret" }; };', 'ret'],
  ])('%s', async (_name, code, expected) => {
    const res = await run(fn(code, out), queueRequest('x'));
    expect(res.result?.status).toBe('success');
    expect(res.outputData).toEqual([{ name: 'out', data: { string: expected } }]);
  });

  it('$return binding takes the result as returnValue (number 3 → int, 2.5 → double)', async () => {
    const def = fn('module.exports = async (c, item) => item === "i" ? 3 : 2.5;', [queueIn, b('$return', 'queue', 'out')]);
    expect((await run(def, queueRequest('i'))).returnValue).toEqual({ int: 3 });
    expect((await run(def, queueRequest('d'))).returnValue).toEqual({ double: 2.5 });
  });

  it('falsy results are ignored (0, "", false produce no returnValue)', async () => {
    const def = fn('module.exports = async (c, item) => JSON.parse(item);', [queueIn, b('$return', 'queue', 'out')]);
    for (const v of ['0', '""', 'false']) expect((await run(def, queueRequest(v))).returnValue).toBeUndefined();
  });

  it.each([
    ['a throw', 'module.exports = function () { throw new Error("boom"); };'],
    ['a rejection', 'module.exports = async function () { throw new Error("boom"); };'],
    ['done(err)', 'module.exports = function (context) { context.done(new Error("boom")); };'],
  ])('%s → failure with the message and stack', async (_name, code) => {
    const res = await run(fn(code), queueRequest('x'));
    expect(res.result?.status).toBe('failure');
    expect(res.result?.exception?.message).toBe('boom');
    expect(res.result?.exception?.stackTrace).toContain('Error: boom');
  });

  it.each([
    ['done twice', 'module.exports = function (context) { context.done(null, { out: "first" }); context.done(null, { out: "second" }); };', "'done' has already been called"],
    ['promise and done', 'module.exports = async function (context) { context.done(null, { out: "first" }); return { out: "second" }; };', 'Choose either to return a promise or call'],
  ])('%s → the first completion wins and a system error is logged', async (_name, code, message) => {
    const log = logger();
    const res = await run(fn(code, out), queueRequest('x'), log);
    await new Promise((r) => setTimeout(r, 10));
    expect(res.outputData).toEqual([{ name: 'out', data: { string: 'first' } }]);
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(message);
    expect(errors[0]?.fields?.category).toBe('system');
  });

  it('suppressAsyncDoneError silences the promise+done error', async () => {
    const log = logger();
    const code = 'module.exports = async function (context) { context.suppressAsyncDoneError = true; context.done(); return 1; };';
    await run(fn(code), queueRequest('x'), log);
    await new Promise((r) => setTimeout(r, 10));
    expect(log.lines).toEqual([]);
  });
});
