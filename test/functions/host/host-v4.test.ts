// The whole host on a real v4 (@azure/functions 4.x) app against Azurite.
import { fileURLToPath } from 'node:url';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionHost } from '../../../src/functions/host/host.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { startAzurite, type Azurite } from '../../servers/azurite.js';

const APP = fileURLToPath(new URL('../../fixtures/apps/v4-host-e2e', import.meta.url));
const suffix = `${process.pid}${Date.now() % 100000}`;

describe('FunctionHost (v4 app, Azurite)', () => {
  let azurite: Azurite;
  let host: FunctionHost;
  beforeAll(async () => {
    azurite = await startAzurite({});
    host = await FunctionHost.start({
      scriptRoot: APP,
      env: { AzureWebJobsStorage: azurite.connection, INPUT_QUEUE: `v4in${suffix}`, OUTPUT_QUEUE: `v4out${suffix}` },
      localSettings: false,
      port: 0,
      address: '127.0.0.1',
      authEnabled: true,
      log: silentLogger,
    });
  });
  afterAll(async () => {
    await host.stop();
    await azurite.stop();
  });

  it('indexes the registrations as a v4 app', () => {
    expect(host.functionApp.model).toBe('v4');
    expect(host.functions().map((f) => `${f.name}:${f.trigger.type}`).sort()).toEqual(['greet:httpTrigger', 'shout:queueTrigger']);
  });

  it('runs the queue handler and writes its extra output, with trigger metadata from the listener', async () => {
    const input = new QueueClient(azurite.connection, `v4in${suffix}`);
    await input.createIfNotExists();
    await input.sendMessage(Buffer.from('quiet please').toString('base64'));
    const output = new QueueClient(azurite.connection, `v4out${suffix}`);
    let texts: string[] = [];
    for (let i = 0; i < 100 && texts.length === 0; i++) {
      if (await output.exists()) texts = (await output.receiveMessages()).receivedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString());
      if (texts.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(texts).toEqual(['QUIET PLEASE (dequeue 1)']);
  });

  it('serves the HTTP function with route params and query (anonymous, keys on)', async () => {
    const res = await fetch(`${host.url}/api/greet/tide?q=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'tide', q: '1' });
    expect((await fetch(`${host.url}/admin/host/status`)).status).toBe(401);
  });
});
