// Shared set-up of the local-mode tests: a v3 queue app like KEDA's hello-world (each message leaves a
// receipt on <queue>-done), the runtime bundle built once per file, and small waiting helpers.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll } from 'vitest';
import { bundleHost } from '../../scripts/bundle-host.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';

export const HELLO_QUEUE = fileURLToPath(new URL('../../examples/hello-queue', import.meta.url));

/** Builds the runtime bundle into a temp folder (the tests never depend on a stale dist/). */
export async function buildBundle(): Promise<string> {
  const bundle = join(mkdtempSync(join(tmpdir(), 'tide-up-bundle-')), 'tide-host.mjs');
  await bundleHost(bundle);
  return bundle;
}

export interface QueueApp {
  readonly dir: string;
  readonly queue: string;
}

/**
 * A copy of examples/hello-queue reading `queue` (receipts on `<queue>-done`) from `connection`,
 * with `workMs` of work per message; `scaledObject` (YAML) is written as scaledobject.yaml.
 */
export function queueApp(options: { connection: string; queue: string; workMs: number; scaledObject?: string; settings?: Record<string, string> }): QueueApp {
  const dir = join(mkdtempSync(join(tmpdir(), 'tide-up-app-')), 'hello');
  cpSync(HELLO_QUEUE, dir, { recursive: true, filter: (src) => !src.includes('.tide') });
  const fn = {
    bindings: [
      { name: 'myQueueItem', type: 'queueTrigger', direction: 'in', queueName: options.queue, connection: 'AzureWebJobsStorage' },
      { name: 'done', type: 'queue', direction: 'out', queueName: `${options.queue}-done`, connection: 'AzureWebJobsStorage' },
    ],
  };
  writeFileSync(join(dir, 'QueueTrigger', 'function.json'), JSON.stringify(fn, null, 2));
  writeFileSync(
    join(dir, 'local.settings.json'),
    JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: options.connection, HELLO_WORK_MS: String(options.workMs), ...options.settings } }, null, 2),
  );
  if (options.scaledObject !== undefined) writeFileSync(join(dir, 'scaledobject.yaml'), options.scaledObject);
  return { dir, queue: options.queue };
}

/** A ScaledObject for the queue app with the given numbers. */
export function scaledObjectYaml(
  queue: string,
  spec: { pollingInterval: number; cooldownPeriod: number; minReplicaCount?: number; maxReplicaCount: number; queueLength?: number; metadata?: Record<string, string> },
): string {
  return [
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    'metadata:',
    '  name: hello',
    'spec:',
    '  scaleTargetRef:',
    '    name: hello',
    `  pollingInterval: ${spec.pollingInterval}`,
    `  cooldownPeriod: ${spec.cooldownPeriod}`,
    `  minReplicaCount: ${spec.minReplicaCount ?? 0}`,
    `  maxReplicaCount: ${spec.maxReplicaCount}`,
    '  triggers:',
    '    - type: azure-queue',
    '      metadata:',
    `        queueName: ${queue}`,
    `        queueLength: "${spec.queueLength ?? 5}"`,
    '        connectionFromEnv: AzureWebJobsStorage',
    ...Object.entries(spec.metadata ?? {}).map(([key, value]) => `        ${key}: "${value}"`),
    '',
  ].join('\n');
}

/** Sends messages with ids `<prefix>-<n>`, 32 at a time. */
export async function sendIds(queue: QueueClient, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (let i = 0; i < ids.length; i += 32) {
    await Promise.all(ids.slice(i, i + 32).map((id) => queue.sendMessage(Buffer.from(JSON.stringify({ id })).toString('base64'))));
  }
  return ids;
}

/** Receives and deletes every receipt now visible, adding the ids to `into` (and when each was written to `writtenAt`). */
export async function drainReceipts(queue: QueueClient, into: Set<string>, writtenAt?: number[]): Promise<void> {
  for (;;) {
    const batch = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
    if (batch.receivedMessageItems.length === 0) return;
    for (const item of batch.receivedMessageItems) {
      const body = JSON.parse(Buffer.from(item.messageText, 'base64').toString()) as { id: string };
      into.add(body.id);
      writtenAt?.push(item.insertedOn.getTime());
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

/** Polls `check` every 100 ms until it holds or `ms` passes; returns its last answer. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return check();
}

/** Azurite and the runtime bundle for one test file: both ready before its tests, Azurite stopped after them. */
export function azuriteAndBundle(): { readonly azurite: Azurite; readonly bundle: string } {
  const local = {} as { azurite: Azurite; bundle: string };
  beforeAll(async () => {
    [local.azurite, local.bundle] = await Promise.all([startAzurite(), buildBundle()]);
  }, 60_000);
  afterAll(async () => {
    await local.azurite.stop();
  });
  return local;
}
