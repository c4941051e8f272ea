import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findScriptRoot, loadFunctionApp } from '../../src/app/load-app.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/apps/${name}`, import.meta.url));
const errors = (app: { problems: readonly { severity: string; path: string; message: string }[] }) => app.problems.filter((p) => p.severity === 'error');
const temp = mkdtempSync(join(tmpdir(), 'tide-app-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

describe('loadFunctionApp: v3', () => {
  it("hello-world: settings from local.settings.json under the environment; the old bundle range is a warning", async () => {
    const app = await loadFunctionApp(fixture('v3-queue-hello'), { AzureWebJobsStorage: 'from-env' });
    expect(app.model).toBe('v3');
    expect(app.functions.map((f) => f.name)).toEqual(['QueueTrigger']);
    expect(app.settings).toMatchObject({ FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'from-env' });
    expect(app.problems.map((p) => `${p.severity} ${p.path}`)).toEqual(['warning host.json:extensionBundle.version']);
    expect(app.runtime).toBeUndefined();
  });

  it('the container host (localSettings: false) ignores local.settings.json; AzureFunctionsJobHost__functions__0 selects', async () => {
    const app = await loadFunctionApp(fixture('v3-queue-hello'), { AzureFunctionsJobHost__functions__0: 'Nothing' }, { localSettings: false });
    expect(app.settings['FUNCTIONS_WORKER_RUNTIME']).toBeUndefined();
    expect(app.functions).toEqual([]);
    expect(app.problems.map((p) => p.message)).toContain('function "Nothing" is listed in "functions" but the app has no such function');
  });

  it('bad host.json: each bad key is an error naming host.json and the key; functions are still indexed', async () => {
    const app = await loadFunctionApp(fixture('broken-host-json'), {});
    expect(errors(app).map((p) => p.path)).toEqual(['host.json:version', 'host.json:functionTimeout', 'host.json:extensions.queues.batchSize']);
    expect(app.functions.map((f) => f.name)).toEqual(['Fn']);
  });

  it('encrypted local.settings.json: a clear error, and none of its values are used', async () => {
    const app = await loadFunctionApp(fixture('broken-encrypted'), {});
    expect(errors(app).map((p) => p.message)).toEqual([expect.stringContaining('encrypted values cannot be decrypted outside the Windows machine')]);
    expect(app.settings['AzureWebJobsStorage']).toBeUndefined();
  });

  it('an app with no functions says so', async () => {
    writeFileSync(join(temp, 'host.json'), '{"version": "2.0"}');
    const app = await loadFunctionApp(temp, {});
    expect(app.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^No job functions found/)]);
  });
});

describe('loadFunctionApp: v4', () => {
  it('the JS app: every registration becomes a FunctionDefinition with its bindings, retry and entry file', async () => {
    const app = await loadFunctionApp(fixture('v4-js'), { 'AzureWebJobs.tick.Disabled': 'true' });
    expect(errors(app)).toEqual([]);
    expect(app.model).toBe('v4');
    expect(app.functions.map((f) => `${f.name}:${f.trigger.type}:${f.disabled ? 'disabled' : 'enabled'}`)).toEqual([
      'hooked:queueTrigger:enabled',
      'hello:httpTrigger:enabled',
      'queueWorker:queueTrigger:enabled',
      'rabbitWorker:rabbitMQTrigger:enabled',
      'tick:timerTrigger:disabled',
    ]);
    const rabbit = app.functions.find((f) => f.name === 'rabbitWorker');
    expect(rabbit).toMatchObject({
      trigger: { name: 'order', type: 'rabbitMQTrigger', direction: 'in', options: { queueName: 'orders', connectionStringSetting: 'RabbitMQConnection' } },
      // retry.delayInterval {seconds: 2} → 2000 ms.
      retry: { strategy: 'fixedDelay', maxRetryCount: 3, delayInterval: 2_000 },
      source: { model: 'v4', functionId: 'rabbitWorker', scriptFile: `${fixture('v4-js')}/src/functions/rabbit.js` },
    });
    expect(rabbit?.bindings.map((b) => `${b.name}:${b.type}:${b.direction}`)).toEqual(['order:rabbitMQTrigger:in', '$return:rabbitMQ:out']);
    expect(rabbit?.trigger.options).not.toHaveProperty('properties');
    expect(app.runtime?.capabilities).toMatchObject({ RawHttpBodyBytes: 'true', TypedDataCollection: 'true' });
    expect(app.runtime?.metadata('rabbitWorker')?.rawBindings).toHaveLength(2);
  });

  it('loading the same CommonJS app again runs its files again (fresh registrations)', async () => {
    const app = await loadFunctionApp(fixture('v4-js'), {});
    expect(app.functions).toHaveLength(5);
    expect(app.runtime?.programmingModel()?.name).toBe('@azure/functions');
  });

  it.each([
    ['broken-load', 'package.json:main', /cannot load entry point "index.js": missing configuration: set ORDERS_QUEUE/],
    ['broken-duplicate', 'package.json:main', /cannot load entry point "functions\/b.js": A function named "Orders" is already registered/],
  ])('%s: no functions, one error at %s', async (name, path, message) => {
    const app = await loadFunctionApp(fixture(name), {});
    expect(app.functions).toEqual([]);
    expect(errors(app)).toHaveLength(1);
    expect(errors(app)[0]?.path).toBe(path);
    expect(errors(app)[0]?.message).toMatch(message);
  });

  it('a main that matches nothing is an error naming the pattern', async () => {
    const dir = mkdtempSync(join(temp, 'nomain-'));
    writeFileSync(join(dir, 'host.json'), '{"version": "2.0"}');
    writeFileSync(join(dir, 'package.json'), '{"main": "dist/src/functions/*.js"}');
    const app = await loadFunctionApp(dir, {});
    expect(errors(app).map((p) => p.message)).toEqual([expect.stringContaining('no file matches "main": "dist/src/functions/*.js"')]);
  });
});

describe('findScriptRoot', () => {
  it('walks up to the folder with host.json', () => {
    expect(findScriptRoot(join(fixture('v4-js'), 'src', 'functions'))).toBe(fixture('v4-js'));
    expect(findScriptRoot('/')).toBeUndefined();
  });
});
