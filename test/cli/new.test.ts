import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadFunctionApp, type FunctionApp } from '../../src/app/load-app.js';
import { templatesFor } from '../../src/functions/templates/catalogue.js';
import { runCli, tempFiles } from '../helpers/cli.js';

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const errors = (app: FunctionApp): string[] => app.problems.filter((p) => p.severity === 'error').map((p) => `${p.path}: ${p.message}`);
const triggers = (app: FunctionApp): string[] => app.functions.map((f) => `${f.name}:${f.trigger.type}`).sort();

/** A new app made by `tide init`, with the repo's @azure/functions 4 linked in as `npm install` would put it. */
async function newApp(flags: readonly string[]): Promise<string> {
  const dir = tempFiles({});
  const run = await runCli(['init', 'app', '--skip-npm-install', ...flags], dir);
  expect(run.code).toBe(0);
  const app = join(dir, 'app');
  mkdirSync(join(app, 'node_modules', '@azure'), { recursive: true });
  symlinkSync(resolve('node_modules/@azure/functions'), join(app, 'node_modules', '@azure', 'functions'), 'dir');
  return app;
}

async function tideNew(app: string, ...argv: string[]): Promise<void> {
  const run = await runCli(['new', ...argv], app);
  expect(run.stderr).toContain('was created successfully');
  expect(run.code).toBe(0);
}

/** Type-checks the app's TypeScript with its own tsconfig.json (types from the repo's node_modules) and emits dist/. */
function compile(app: string): string[] {
  const config = ts.readConfigFile(join(app, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, app);
  const options = { ...parsed.options, types: ['node'], typeRoots: [resolve('node_modules/@types')] };
  const program = ts.createProgram(parsed.fileNames, options);
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('tide new: the app it makes is loaded by tide', () => {
  it('V4 JavaScript + "Azure Queue Storage trigger": src/functions/storageQueueTrigger.js, a queueTrigger on js-queue-items', async () => {
    const app = await newApp(['--model', 'V4', '--language', 'javascript']);
    await tideNew(app, '--template', 'Azure Queue Storage trigger');
    expect(readdirSync(join(app, 'src', 'functions'))).toEqual(['storageQueueTrigger.js']);
    const loaded = await loadFunctionApp(app, {});
    expect(errors(loaded)).toEqual([]);
    expect(loaded.model).toBe('v4');
    expect(loaded.functions).toHaveLength(1);
    expect(loaded.functions[0]).toMatchObject({ name: 'storageQueueTrigger', trigger: { type: 'queueTrigger', direction: 'in', options: { queueName: 'js-queue-items', connection: '' } } });
    expect(loaded.settings).toMatchObject({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
  });

  it('V3 JavaScript + the same template: QueueTrigger/function.json as func writes it, indexed as v3', async () => {
    const app = await newApp(['--model', 'V3']);
    await tideNew(app, '--template', 'Azure Queue Storage trigger');
    expect(read(app, 'QueueTrigger/function.json')).toBe(
      '{\n  "bindings": [\n    {\n      "name": "myQueueItem",\n      "type": "queueTrigger",\n      "direction": "in",\n      "queueName": "js-queue-items",\n      "connection": ""\n    }\n  ]\n}\n',
    );
    expect(read(app, 'QueueTrigger/index.js')).toMatch(/^module\.exports = async function \(context, myQueueItem\) \{/);
    const loaded = await loadFunctionApp(app, {});
    expect(errors(loaded)).toEqual([]);
    expect(loaded.model).toBe('v3');
    expect(loaded.functions[0]).toMatchObject({ name: 'QueueTrigger', trigger: { type: 'queueTrigger', options: { queueName: 'js-queue-items' } } });
  });

  it("every v4 JavaScript template registers one function with its trigger; tide's RabbitMQ, Kafka and Redis ones through app.generic", async () => {
    const app = await newApp([]);
    for (const template of templatesFor('v4')) await tideNew(app, '--template', template.name);
    const loaded = await loadFunctionApp(app, {});
    expect(errors(loaded)).toEqual([]);
    expect(triggers(loaded)).toEqual([
      'cosmosDBTrigger:cosmosDBTrigger',
      'eventGridTrigger:eventGridTrigger',
      'eventHubTrigger:eventHubTrigger',
      'httpTrigger:httpTrigger',
      'kafkaTrigger:kafkaTrigger',
      'rabbitMQTrigger:rabbitMQTrigger',
      'redisListTrigger:redisListTrigger',
      'redisStreamTrigger:redisStreamTrigger',
      'serviceBusQueueTrigger:serviceBusTrigger',
      'serviceBusTopicTrigger:serviceBusTrigger',
      'storageBlobTrigger:blobTrigger',
      'storageQueueTrigger:queueTrigger',
      'timerTrigger:timerTrigger',
    ]);
    const byName = (name: string) => loaded.functions.find((f) => f.name === name)?.trigger.options;
    // The binding shapes tide's host triggers read (src/functions/host/triggers).
    expect(byName('rabbitMQTrigger')).toMatchObject({ queueName: 'queue', connectionStringSetting: 'RabbitMQConnection' });
    expect(byName('kafkaTrigger')).toMatchObject({ brokerList: 'BrokerList', topic: 'topic', consumerGroup: '$Default' });
    expect(byName('redisListTrigger')).toMatchObject({ connection: 'RedisConnection', key: 'listKey', listDirection: 'LEFT', pollingIntervalInMs: 1000, maxBatchSize: 16 });
    expect(byName('redisStreamTrigger')).toMatchObject({ connection: 'RedisConnection', key: 'streamKey' });
    expect(loaded.functions.find((f) => f.name === 'httpTrigger')?.bindings.map((b) => `${b.type}:${b.direction}`)).toEqual(['httpTrigger:in', 'http:out']);
  });

  it('every v4 TypeScript template type-checks against @azure/functions 4 and, once built, is loaded from dist/', async () => {
    const app = await newApp(['--language', 'typescript']);
    const names = ['queue-worker', 'httpTrigger', 'delete', 'tick', 'blob', 'sbQueue', 'sbTopic', 'hub', 'grid', 'cosmos', 'rabbit', 'kafka', 'redisList', 'redisStream'];
    const templates = templatesFor('v4');
    expect(templates).toHaveLength(names.length - 1);
    await tideNew(app, '--template', 'Azure Queue Storage trigger', '--name', 'queue-worker');
    for (const [i, template] of templates.entries()) await tideNew(app, '-t', template.name, '-n', names[i + 1] ?? '');
    expect(read(app, 'src/functions/queue-worker.ts')).toContain('export async function queueWorker(queueItem: unknown, context: InvocationContext): Promise<void>');
    expect(read(app, 'src/functions/delete.ts')).toContain('export async function deleteHandler(');
    expect(compile(app)).toEqual([]);
    const loaded = await loadFunctionApp(app, {});
    expect(errors(loaded)).toEqual([]);
    expect(loaded.functions.map((f) => f.name).sort()).toEqual([...names].sort());
    expect(loaded.functions.find((f) => f.name === 'rabbit')?.trigger.type).toBe('rabbitMQTrigger');
  });

  it("V3 TypeScript: index.ts with scriptFile ../dist/<name>/index.js, which the v3 indexer follows once compiled", async () => {
    const app = await newApp(['--model', 'V3', '--language', 'typescript']);
    await tideNew(app, '--template', 'HttpTrigger', '--name', 'hello', '--authlevel', 'anonymous');
    await tideNew(app, '--template', 'kafka trigger');
    const functionJson = JSON.parse(read(app, 'hello/function.json')) as { bindings: Record<string, unknown>[]; scriptFile: string };
    expect(functionJson.scriptFile).toBe('../dist/hello/index.js');
    expect(functionJson.bindings[0]).toMatchObject({ type: 'httpTrigger', authLevel: 'anonymous', methods: ['get', 'post'] });
    expect(read(app, 'hello/index.ts')).toContain('import { AzureFunction, Context, HttpRequest } from "@azure/functions"');
    expect(JSON.parse(read(app, 'KafkaTrigger/function.json'))).toMatchObject({ bindings: [{ type: 'kafkaTrigger', brokerList: 'BrokerList', protocol: 'saslSsl' }] });
    // @azure/functions 3's types are not here; transpiling is the compile step that matters to the indexer.
    for (const name of ['hello', 'KafkaTrigger']) {
      const out = ts.transpileModule(read(app, `${name}/index.ts`), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2015 }, reportDiagnostics: true });
      expect(out.diagnostics).toEqual([]);
      mkdirSync(join(app, 'dist', name), { recursive: true });
      writeFileSync(join(app, 'dist', name, 'index.js'), out.outputText);
    }
    const loaded = await loadFunctionApp(app, {});
    expect(errors(loaded)).toEqual([]);
    expect(loaded.model).toBe('v3');
    expect(triggers(loaded)).toEqual(['KafkaTrigger:kafkaTrigger', 'hello:httpTrigger']);
  });
});

describe('tide new: names, templates and mistakes', () => {
  it.each(['HTTP trigger', 'httptrigger', 'Http Trigger', 'HTTP', 'HttpTrigger'])('template %j is the HTTP trigger (case and spaces ignored)', async (name) => {
    const app = await newApp([]);
    await tideNew(app, '--template', name);
    expect(existsSync(join(app, 'src/functions/httpTrigger.js'))).toBe(true);
  });

  it('an unknown template names the nearest and lists the available ones', async () => {
    const app = await newApp([]);
    const run = await runCli(['new', '--template', 'Azure Queue Storag trigger', '--name', 'x'], app);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown template "Azure Queue Storag trigger"; did you mean "Azure Queue Storage trigger"?');
    expect(run.stderr).toContain('Available v4 templates:\n  Azure Queue Storage trigger\n  HTTP trigger');
    expect(run.stderr).toContain('  Redis stream trigger');
    expect(readdirSync(join(app, 'src/functions'))).toEqual([]);
  });

  it("tide's Redis templates are v4 only", async () => {
    const app = await newApp(['--model', 'V3']);
    const run = await runCli(['new', '--template', 'Redis list trigger'], app);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('template "Redis list trigger" has no v3 version; v3 templates:');
  });

  it('refuses to overwrite an existing function, naming the file; --force overwrites', async () => {
    const app = await newApp([]);
    await tideNew(app, '--template', 'Timer trigger', '--name', 'tick');
    writeFileSync(join(app, 'src/functions/tick.js'), '// mine\n');
    const refused = await runCli(['new', '--template', 'Timer trigger', '--name', 'tick'], app);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${app}/src/functions/tick.js already exists; nothing was written`);
    expect(read(app, 'src/functions/tick.js')).toBe('// mine\n');
    await tideNew(app, '--template', 'Timer trigger', '--name', 'tick', '--force');
    expect(read(app, 'src/functions/tick.js')).toContain("app.timer('tick', {");
  });

  it('works from a folder inside the app, and --file names the v4 file', async () => {
    const app = await newApp([]);
    await tideNew(join(app, 'src'), '--template', 'HTTP trigger', '--name', 'hello', '--file', 'routes');
    expect(read(app, 'src/functions/routes.js')).toContain("app.http('hello', {");
  });

  it('--authlevel: written into a v3 HTTP function, refused for other v3 templates, ignored with a note for v4', async () => {
    const v3 = await newApp(['--model', 'V3']);
    const refused = await runCli(['new', '--template', 'Timer trigger', '--authlevel', 'anonymous'], v3);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--authlevel applies to the HTTP trigger template only');
    await tideNew(v3, '--template', 'HTTP trigger', '--authlevel', 'admin');
    expect(JSON.parse(read(v3, 'HttpTrigger/function.json'))).toMatchObject({ bindings: [{ authLevel: 'admin' }, { type: 'http', direction: 'out', name: 'res' }] });
    const v4 = await newApp([]);
    const noted = await runCli(['new', '--template', 'HTTP trigger', '--authlevel', 'admin'], v4);
    expect(noted.code).toBe(0);
    expect(noted.stderr).toContain('--authlevel is ignored for v4 apps');
  });

  it.each([
    [['new'], 2, '--template is required; v4 templates:'],
    [['new', '--template', 'HTTP trigger', '--name', '1abc'], 2, '--name "1abc" is not a valid function name'],
    [['new', '--template', 'HTTP trigger', '--authlevel', 'root'], 2, '--authlevel must be function, anonymous or admin'],
    [['new', '--template', 'HTTP trigger', '--language', 'python'], 2, '--language must be javascript or typescript'],
  ])('%j exits %d', async (argv, code, message) => {
    const app = await newApp([]);
    const run = await runCli(argv, app);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
  });

  it('outside an app: run tide init first', async () => {
    const dir = tempFiles({});
    const run = await runCli(['new', '--template', 'HTTP trigger'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no function app in');
    expect(run.stderr).toContain('run "tide init" first');
  });

  it('a non-Node app is refused', async () => {
    const dir = tempFiles({ 'host.json': '{}', 'local.settings.json': '{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}' });
    const run = await runCli(['new', '--template', 'HTTP trigger'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FUNCTIONS_WORKER_RUNTIME is "python"; tide creates Node functions only');
    expect(readdirSync(dir).sort()).toEqual(['host.json', 'local.settings.json']);
  });
});
