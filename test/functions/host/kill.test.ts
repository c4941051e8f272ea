// Zero message loss across a SIGKILL: a replica running the runtime bundle is killed in the middle
// of a handler; the message was never settled, so a new replica receives it again and finishes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHost } from '../../../scripts/bundle-host.js';
import { startAzurite, type Azurite } from '../../servers/azurite.js';

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
}

describe('SIGKILL during a handler', () => {
  let azurite: Azurite;
  let dir: string;
  let bundle: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    azurite = await startAzurite({});
    dir = mkdtempSync(join(tmpdir(), 'tide-kill-'));
    bundle = join(dir, 'tide-host.mjs');
    await bundleHost(bundle);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await azurite.stop();
  });

  it('loses nothing: the killed replica never settled, the next one processes the message (DequeueCount 2)', async () => {
    const queue = `kill${process.pid}`;
    const app = join(dir, 'app');
    mkdirSync(join(app, 'Work'), { recursive: true });
    writeFileSync(join(app, 'host.json'), JSON.stringify({ version: '2.0', extensions: { queues: { maxPollingInterval: '00:00:00.500' } } }));
    writeFileSync(join(app, 'Work', 'function.json'), JSON.stringify({ bindings: [{ name: 'item', type: 'queueTrigger', direction: 'in', queueName: queue }] }));
    const started = join(dir, 'started');
    const done = join(dir, 'done');
    // The first replica hangs in the handler (so it can be killed there); the second finishes.
    writeFileSync(join(app, 'Work', 'index.js'), `const fs = require('fs');
module.exports = async function (context, item) {
  if (process.env.HANG === '1') { fs.writeFileSync(${JSON.stringify(started)}, 'x'); await new Promise(() => {}); }
  fs.writeFileSync(${JSON.stringify(done)}, item + ' ' + context.bindingData.dequeueCount);
};`);
    const client = new QueueClient(azurite.connection, queue);
    await client.create();
    await client.sendMessage(Buffer.from('order-42').toString('base64'));

    const env = { PATH: process.env.PATH, AzureWebJobsScriptRoot: app, AzureWebJobsStorage: azurite.connection, PORT: '0', TIDE_LOG_LEVEL: 'error', TIDE_QUEUE_LEASE_SECONDS: '2' };
    const first = spawn(process.execPath, [bundle], { env: { ...env, HANG: '1' }, stdio: 'ignore' });
    children.push(first);
    expect(await until(() => existsSync(started), 15_000)).toBe(true);
    first.kill('SIGKILL');

    const second = spawn(process.execPath, [bundle], { env, stdio: 'ignore' });
    children.push(second);
    expect(await until(() => existsSync(done) && readFileSync(done, 'utf8') !== '', 20_000)).toBe(true);
    expect(readFileSync(done, 'utf8')).toBe('order-42 2');
    await until(() => false, 300);
    expect((await client.getProperties()).approximateMessagesCount).toBe(0);
  }, 60_000);
});
