// The whole host on a real v3 app against Azurite: queue trigger → function → queue output, an HTTP
// function, the admin API, and a drain that settles what is in flight.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionHost, HostStartError } from '../../../src/functions/host/host.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { startAzurite, type Azurite } from '../../servers/azurite.js';

function writeApp(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tide-app-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const suffix = `${process.pid}${Date.now() % 100000}`;
const IN = `in${suffix}`;
const OUT = `out${suffix}`;

describe('FunctionHost (v3 app, Azurite)', () => {
  let azurite: Azurite;
  let host: FunctionHost;
  beforeAll(async () => {
    azurite = await startAzurite({});
    const root = writeApp({
      'host.json': JSON.stringify({ version: '2.0', extensions: { queues: { maxPollingInterval: '00:00:01' } } }),
      'local.settings.json': JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: azurite.connection } }),
      'Upper/function.json': JSON.stringify({ bindings: [
        { name: 'item', type: 'queueTrigger', direction: 'in', queueName: IN, connection: 'AzureWebJobsStorage' },
        { name: '$return', type: 'queue', direction: 'out', queueName: OUT, connection: 'AzureWebJobsStorage' },
      ] }),
      'Upper/index.js': 'module.exports = async function (context, item) { context.log("got", item); return String(item).toUpperCase() + " #" + context.bindingData.dequeueCount; };',
      'Hello/function.json': JSON.stringify({ bindings: [
        { name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'anonymous', methods: ['get'], route: 'hello/{name}' },
        { name: 'res', type: 'http', direction: 'out' },
      ] }),
      'Hello/index.js': 'module.exports = async function (context, req) { context.res = { body: "hello " + req.params.name }; };',
    });
    host = await FunctionHost.start({ scriptRoot: root, env: {}, localSettings: true, port: 0, address: '127.0.0.1', authEnabled: false, log: silentLogger, drainGraceMs: 5000 });
  });
  afterAll(async () => {
    await host.stop();
    await azurite.stop();
  });

  it('runs a queue-triggered function and writes its $return to the output queue', async () => {
    const input = new QueueClient(azurite.connection, IN);
    await input.createIfNotExists();
    await input.sendMessage(Buffer.from('hello').toString('base64'));
    const output = new QueueClient(azurite.connection, OUT);
    const received = await eventually(async () => (await output.exists()) ? (await output.receiveMessages()).receivedMessageItems : [], (items) => items.length > 0);
    expect(received.map((m) => Buffer.from(m.messageText, 'base64').toString())).toEqual(['HELLO #1']);
    // Settled only after success: the input queue is empty.
    expect((await input.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('serves an HTTP function and the admin API', async () => {
    const res = await fetch(`${host.url}/api/hello/tide`);
    expect([res.status, await res.text()]).toEqual([200, 'hello tide']);
    expect((await fetch(`${host.url}/`)).status).toBe(200);
    const status = (await (await fetch(`${host.url}/admin/host/status`)).json()) as { state: string };
    expect(status.state).toBe('Running');
    const functions = (await (await fetch(`${host.url}/admin/functions`)).json()) as { name: string }[];
    expect(functions.map((f) => f.name).sort()).toEqual(['Hello', 'Upper']);
    expect(await (await fetch(`${host.url}/metrics`)).text()).toContain('tide_function_executions_total');
  });

  it('drains: listeners stop, status reports Completed', async () => {
    const res = await fetch(`${host.url}/admin/host/drain`, { method: 'POST' });
    expect(res.status).toBe(202);
    const drain = await eventually(async () => (await (await fetch(`${host.url}/admin/host/drain/status`)).json()) as { state: string }, (s) => s.state === 'Completed');
    expect(drain).toMatchObject({ state: 'Completed', outstandingInvocations: 0 });
  });
});

describe('FunctionHost start errors', () => {
  it('an app with no functions is a HostStartError naming the folder', async () => {
    const root = writeApp({ 'host.json': '{"version":"2.0"}' });
    await expect(FunctionHost.start({ scriptRoot: root, env: {}, localSettings: true, port: 0, authEnabled: false, log: silentLogger })).rejects.toBeInstanceOf(HostStartError);
  });

  it('a function with an unsupported trigger is reported, the others still run', async () => {
    const root = writeApp({
      'host.json': '{"version":"2.0"}',
      'Odd/function.json': JSON.stringify({ bindings: [{ name: 'x', type: 'cosmosDBTrigger', direction: 'in' }] }),
      'Odd/index.js': 'module.exports = async () => {};',
      'Ping/function.json': JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'anonymous' }, { name: '$return', type: 'http', direction: 'out' }] }),
      'Ping/index.js': 'module.exports = async () => ({ body: "pong" });',
    });
    const host = await FunctionHost.start({ scriptRoot: root, env: {}, localSettings: true, port: 0, authEnabled: false, log: silentLogger });
    try {
      expect(host.errors().join('\n')).toContain('trigger type "cosmosDBTrigger" is not supported by tide');
      expect(await (await fetch(`${host.url}/api/Ping`)).text()).toBe('pong');
    } finally {
      await host.stop();
    }
  });
});

describe('FunctionHost HTTP limits (host.json extensions.http)', () => {
  it('runs at most maxConcurrentRequests at once and answers 429 past maxOutstandingRequests', async () => {
    const root = writeApp({
      'host.json': JSON.stringify({ version: '2.0', extensions: { http: { maxConcurrentRequests: 1, maxOutstandingRequests: 2, customHeaders: { 'X-Content-Type-Options': 'nosniff' } } } }),
      'Slow/function.json': JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'anonymous' }, { name: 'res', type: 'http', direction: 'out' }] }),
      'Slow/index.js': `let running = 0; let peak = 0;
module.exports = async function (context) {
  running++; peak = Math.max(peak, running);
  await new Promise((r) => setTimeout(r, 300));
  running--;
  context.res = { body: String(peak) };
};`,
    });
    const host = await FunctionHost.start({ scriptRoot: root, env: {}, localSettings: true, port: 0, authEnabled: false, log: silentLogger });
    try {
      const first = fetch(`${host.url}/api/Slow`);
      const second = fetch(`${host.url}/api/Slow`);
      await new Promise((r) => setTimeout(r, 100));
      const third = await fetch(`${host.url}/api/Slow`);
      expect(third.status).toBe(429);
      expect(third.headers.get('x-content-type-options')).toBe('nosniff');
      const bodies = await Promise.all([first, second].map(async (r) => [(await r).status, await (await r).text()]));
      expect(bodies).toEqual([[200, '1'], [200, '1']]);
    } finally {
      await host.stop();
    }
  });
});
