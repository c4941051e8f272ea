import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/app/function-model.js';
import { disabledBySetting, indexV3, parseFunctionJson, selectFunctions } from '../../src/app/index-v3.js';
import type { Problem } from '../../src/api/problems.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/apps/${name}`, import.meta.url));
const queue = { type: 'queueTrigger', direction: 'in', name: 'item', queueName: 'q' };
const folder = { name: 'Fn', directory: '/app/Fn', files: ['function.json', 'index.js'] };
const parse = (doc: unknown, files = folder.files, exists: (p: string) => boolean = () => true) => parseFunctionJson({ ...folder, files }, JSON.stringify(doc), exists);

describe('v3 indexing of the sample apps', () => {
  it("KEDA's hello-world queue app: one queueTrigger on js-queue-items", async () => {
    const { functions, problems } = await indexV3(fixture('v3-queue-hello'));
    expect(problems).toEqual([]);
    expect(functions).toEqual([
      {
        name: 'QueueTrigger',
        trigger: { name: 'myQueueItem', type: 'queueTrigger', direction: 'in', options: { queueName: 'js-queue-items', connection: 'AzureWebJobsStorage' } },
        bindings: [{ name: 'myQueueItem', type: 'queueTrigger', direction: 'in', options: { queueName: 'js-queue-items', connection: 'AzureWebJobsStorage' } }],
        disabled: false,
        source: { model: 'v3', scriptFile: `${fixture('v3-queue-hello')}/QueueTrigger/index.js`, directory: `${fixture('v3-queue-hello')}/QueueTrigger` },
      },
    ]);
  });

  it('compiled TypeScript: scriptFile ../dist/… resolves from the function folder; dataType is kept', async () => {
    const { functions, problems } = await indexV3(fixture('v3-dist'));
    expect(problems).toEqual([]);
    expect(functions[0]?.source).toEqual({ model: 'v3', scriptFile: `${fixture('v3-dist')}/dist/KafkaTwitterTrigger/index.js`, directory: `${fixture('v3-dist')}/KafkaTwitterTrigger` });
    expect(functions[0]?.trigger).toMatchObject({ type: 'kafkaTrigger', dataType: 'binary', options: { topic: 'twitter', consumerGroup: 'functions' } });
  });

  it('broken folders are reported by folder and key; the good function is still indexed', async () => {
    const { functions, problems } = await indexV3(fixture('broken-v3'));
    expect(functions.map((f) => f.name)).toEqual(['Good']);
    expect(problems.map((p) => p.path)).toEqual(['Ambiguous/function.json:scriptFile', 'BadJson/function.json', 'NoScript/function.json:scriptFile', 'TwoTriggers/function.json:bindings']);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });
});

describe('function.json rules', () => {
  it.each([
    ['no bindings', {}, 'Fn/function.json:bindings'],
    ['no trigger', { bindings: [{ type: 'queue', direction: 'out', name: 'o' }] }, 'Fn/function.json:bindings'],
    ['bad direction', { bindings: [{ ...queue, direction: 'sideways' }] }, 'Fn/function.json:bindings[0].direction'],
    ['missing name', { bindings: [{ type: 'queueTrigger', direction: 'in' }] }, 'Fn/function.json:bindings[0].name'],
    ['duplicate names', { bindings: [queue, { type: 'queue', direction: 'out', name: 'ITEM' }] }, 'Fn/function.json:bindings[1].name'],
    ['retry without maxRetryCount', { bindings: [queue], retry: { strategy: 'fixedDelay', delayInterval: '00:00:05' } }, 'Fn/function.json:retry.maxRetryCount'],
    ['entryPoint not a string', { bindings: [queue], entryPoint: 5 }, 'Fn/function.json:entryPoint'],
  ])('%s → error at %s', (_name, doc, path) => {
    const { fn, problems } = parse(doc);
    expect(fn).toBeUndefined();
    expect(problems.map((p) => p.path)).toContain(path);
  });

  it('entryPoint, disabled, retry and direction case are read', () => {
    const { fn, problems } = parse({ bindings: [{ ...queue, Direction: 'IN' }], entryPoint: 'handler', disabled: true, retry: { strategy: 'fixedDelay', maxRetryCount: 4, delayInterval: '00:00:10' } });
    expect(problems).toEqual([]);
    expect(fn).toMatchObject({ disabled: true, retry: { strategy: 'fixedDelay', maxRetryCount: 4, delayInterval: 10_000 }, source: { entryPoint: 'handler' } });
    expect(fn?.trigger.direction).toBe('in');
  });

  it.each([
    [['function.json', 'handler.js'], '/app/Fn/handler.js'],
    [['function.json', 'run.ts', 'lib.js'], '/app/Fn/run.ts'],
    [['function.json', 'index.mjs', 'lib.js'], '/app/Fn/index.mjs'],
    [['function.json', 'a.js', 'b.js'], undefined],
  ])('default script file among %j → %s', (files, expected) => {
    const { fn } = parse({ bindings: [queue] }, files);
    expect(fn?.source.model === 'v3' ? fn.source.scriptFile : undefined).toBe(expected);
  });

  it('a scriptFile that does not exist is an error naming it', () => {
    const { problems } = parse({ bindings: [queue], scriptFile: '../dist/Fn/index.js' }, folder.files, () => false);
    expect(problems[0]?.message).toMatch(/"..\/dist\/Fn\/index.js" does not exist \(looked for \/app\/dist\/Fn\/index.js\); build the app first/);
  });
});

describe('selection and disabling', () => {
  const fn = (name: string): FunctionDefinition => ({ name, trigger: { name: 't', type: 'queueTrigger', direction: 'in', options: {} }, bindings: [], disabled: false, source: { model: 'v3', scriptFile: 'x', directory: 'y' } });

  it.each([
    ['AzureWebJobs.Fn.Disabled', 'true', true],
    ['AzureWebJobs__fn__disabled', '1', true],
    ['AzureWebJobs_Fn_Disabled', 'True', true],
    ['AzureWebJobs.Fn.Disabled', 'false', false],
    ['AzureWebJobs.Other.Disabled', 'true', false],
  ])('%s=%s → disabled %s', (name, value, expected) => {
    expect(disabledBySetting('Fn', { [name]: value })).toBe(expected);
  });

  it('the functions list keeps only the named functions (any case) and warns about unknown names', () => {
    const problems: Problem[] = [];
    const selected = selectFunctions([fn('QueueTrigger'), fn('Other')], ['queuetrigger', 'Missing'], { 'AzureWebJobs.QueueTrigger.Disabled': 'true' }, problems);
    expect(selected.map((f) => [f.name, f.disabled])).toEqual([['QueueTrigger', true]]);
    expect(problems.map((p) => `${p.severity}: ${p.message}`)).toEqual(['warning: function "Missing" is listed in "functions" but the app has no such function']);
  });
});

describe('the indexed dist app runs under the v3 invoker', () => {
  it('exports.default of compiled TypeScript is the handler; binary data arrives as a Buffer', async () => {
    const { V3Invoker } = await import('../../src/functions/host/invoke-v3.js');
    const { functions } = await indexV3(fixture('v3-dist'));
    const fn = functions[0];
    if (!fn) throw new Error('fixture');
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const response = await new V3Invoker(fn, { log }).invoke({ invocationId: 'i', inputData: [{ name: 'event', data: { bytes: new TextEncoder().encode('héllo') } }], triggerMetadata: {} });
    expect(response.result?.status).toBe('success');
    // "héllo" is 5 characters.
    expect(response.returnValue).toEqual({ int: 5 });
  });
});
