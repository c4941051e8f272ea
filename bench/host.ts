// bench/host: messages per second through the host's queueTrigger (trivial handler) side by side with
// a bare @azure/storage-queue receive-delete loop on the same Azurite, and the time from starting the
// runtime bundle to its first handled message. Goals: ≥ 0.9 of the bare loop; cold start < 500 ms.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { bundleHost } from '../scripts/bundle-host.js';
import { FunctionHost } from '../src/functions/host/host.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { startAzurite } from '../test/servers/azurite.js';

const MESSAGES = 1000;

function queueApp(connection: string, queue: string, marker?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'tide-bench-app-'));
  mkdirSync(join(root, 'Work'));
  writeFileSync(join(root, 'host.json'), JSON.stringify({ version: '2.0', extensions: { queues: { batchSize: 32, maxPollingInterval: '00:00:00.100' } } }));
  writeFileSync(join(root, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: connection } }));
  writeFileSync(join(root, 'Work', 'function.json'), JSON.stringify({ bindings: [{ name: 'item', type: 'queueTrigger', direction: 'in', queueName: queue }] }));
  const body = marker ? `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');` : '';
  writeFileSync(join(root, 'Work', 'index.js'), `module.exports = async function () { ${body} };`);
  return root;
}

async function fill(queue: QueueClient, n: number): Promise<void> {
  await queue.createIfNotExists();
  const text = Buffer.from('payload').toString('base64');
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => queue.sendMessage(text)));
}

async function untilEmpty(queue: QueueClient): Promise<void> {
  while (((await queue.getProperties()).approximateMessagesCount ?? 0) > 0) await new Promise((r) => setTimeout(r, 20));
}

async function bareLoop(queue: QueueClient): Promise<number> {
  await fill(queue, MESSAGES);
  const start = process.hrtime.bigint();
  let done = 0;
  while (done < MESSAGES) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    await Promise.all(receivedMessageItems.map((m) => queue.deleteMessage(m.messageId, m.popReceipt)));
    done += receivedMessageItems.length;
  }
  return MESSAGES / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function throughHost(connection: string, queue: QueueClient): Promise<number> {
  await fill(queue, MESSAGES);
  const root = queueApp(connection, queue.name);
  const start = process.hrtime.bigint();
  const host = await FunctionHost.start({ scriptRoot: root, env: {}, localSettings: true, port: 0, authEnabled: false, log: silentLogger });
  await untilEmpty(queue);
  const rate = MESSAGES / (Number(process.hrtime.bigint() - start) / 1e9);
  await host.stop();
  return rate;
}

async function coldStart(connection: string, queue: QueueClient): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tide-bench-bundle-'));
  const bundle = join(dir, 'tide-host.mjs');
  await bundleHost(bundle);
  await fill(queue, 1);
  const marker = join(dir, 'handled');
  const root = queueApp(connection, queue.name, marker);
  const start = process.hrtime.bigint();
  // The container host reads settings from its environment, not local.settings.json.
  const child = spawn(process.execPath, [bundle], { env: { PATH: process.env.PATH, AzureWebJobsScriptRoot: root, AzureWebJobsStorage: connection, PORT: '0', TIDE_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 2));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  child.kill('SIGTERM');
  return ms;
}

/** Runs the host benchmark and returns printable lines. */
export async function benchHost(): Promise<string[]> {
  const azurite = await startAzurite({});
  try {
    const name = (tag: string) => new QueueClient(azurite.connection, `bench${tag}${process.pid}`);
    const bare = await bareLoop(name('bare'));
    const host = await throughHost(azurite.connection, name('host'));
    const cold = await coldStart(azurite.connection, name('cold'));
    return [
      `host: ${MESSAGES} queue messages on Azurite, trivial handler`,
      `  bare receive-delete loop  ${bare.toFixed(0)} msg/s`,
      `  tide queueTrigger         ${host.toFixed(0)} msg/s   ratio ${(host / bare).toFixed(2)} (goal ≥ 0.90; includes host start)`,
      `  cold start of the bundle to first message handled: ${cold.toFixed(0)} ms (goal < 500 ms)`,
    ];
  } finally {
    await azurite.stop();
  }
}
