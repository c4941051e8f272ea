// azure-queue against a real Azurite (in process, free ports), read through ScalerInstance as the
// scale loop reads it.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueueClient, QueueSASPermissions, StorageSharedKeyCredential, generateQueueSASQueryParameters } from '@azure/storage-queue';
import { azureQueue } from '../../src/scalers/azure-queue.js';
import { DEV_ACCOUNT } from '../../src/scalers/azure-connection.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { withDefaultPortAzurite } from '../helpers/default-ports.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';
import { parsed } from './helpers.js';

let azurite: Azurite;
let silent: Server;
const sockets = new Set<Socket>();
const messages: string[] = [];
let counter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  // Accepts connections and never answers: the read can only end by its timeout.
  silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => { resolve(); }));
  await azurite.stop();
});

function silentPort(): number {
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function newQueue(messagesToSend: number): Promise<QueueClient> {
  const queue = new QueueClient(azurite.connection, `q${process.pid}-${++counter}`);
  await queue.create();
  for (let i = 0; i < messagesToSend; i++) await queue.sendMessage(`m${i}`);
  return queue;
}

function instance(metadata: Record<string, string>, options: { connection?: string; env?: Record<string, string>; podIdentity?: string; timeoutMs?: number } = {}): ScalerInstance {
  const authParams = options.connection !== undefined ? { connection: options.connection } : undefined;
  const result = parsed(azureQueue.parse({ metadata, triggerIndex: 0, ...(authParams ? { authParams } : {}), ...(options.env ? { env: options.env } : {}), ...(options.podIdentity ? { podIdentity: options.podIdentity } : {}) }));
  return new ScalerInstance(azureQueue, result, { trigger: { index: 0, type: 'azure-queue' }, metadata, timeoutMs: options.timeoutMs ?? 3000 });
}

async function read(metadata: Record<string, string>, connection = azurite.connection): Promise<{ value: number; active: boolean }> {
  const scaler = instance(metadata, { connection });
  try {
    const reading = await scaler.getMetricsAndActivity(Date.now());
    return { value: reading.valueMilli / 1000, active: reading.active };
  } finally {
    await scaler.close();
  }
}

async function failure(scaler: ScalerInstance): Promise<ScalerError> {
  try {
    await scaler.getMetricsAndActivity(Date.now());
  } catch (error) {
    if (!(error instanceof ScalerError)) throw error;
    messages.push(error.message);
    return error;
  } finally {
    await scaler.close();
  }
  throw new Error('expected the read to fail');
}

describe('azure-queue values (Azurite)', () => {
  test.each([
    ['empty queue: 0, inactive', 0, {}, { value: 0, active: false }],
    ['3 messages: 3, active (3 > activation 0)', 3, {}, { value: 3, active: true }],
    ['3 messages, activationQueueLength 3: inactive (3 > 3 is false)', 3, { activationQueueLength: '3' }, { value: 3, active: false }],
    ['4 messages, activationQueueLength 3: active', 4, { activationQueueLength: '3' }, { value: 4, active: true }],
    ['3 messages, visibleonly: 3', 3, { queueLengthStrategy: 'visibleonly' }, { value: 3, active: true }],
  ])('%s', async (_name, count, extra, expected) => {
    const queue = await newQueue(count);
    expect(await read({ queueName: queue.name, ...extra })).toEqual(expected);
  });

  test('after a dequeue: all counts the invisible message (3), visibleonly does not (2)', async () => {
    const queue = await newQueue(3);
    await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 60 });
    expect(await read({ queueName: queue.name })).toEqual({ value: 3, active: true });
    expect(await read({ queueName: queue.name, queueLengthStrategy: 'visibleonly' })).toEqual({ value: 2, active: true });
  });

  test('visibleonly peeks 32: 35 sent, 3 invisible → 32 visible → approximate count 35; one more invisible → 31 visible → 31', async () => {
    const queue = await newQueue(35);
    await queue.receiveMessages({ numberOfMessages: 3, visibilityTimeout: 60 });
    expect(await read({ queueName: queue.name, queueLengthStrategy: 'visibleonly' })).toEqual({ value: 35, active: true });
    await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 60 });
    expect(await read({ queueName: queue.name, queueLengthStrategy: 'visibleonly' })).toEqual({ value: 31, active: true });
    expect(await read({ queueName: queue.name })).toEqual({ value: 35, active: true });
  });

  test('the connection is reused across polls and sees new messages', async () => {
    const queue = await newQueue(1);
    const scaler = instance({ queueName: queue.name }, { connection: azurite.connection });
    try {
      expect((await scaler.getMetricsAndActivity(Date.now())).valueMilli).toBe(1000);
      await queue.sendMessage('again');
      expect((await scaler.getMetricsAndActivity(Date.now())).valueMilli).toBe(2000);
    } finally {
      await scaler.close();
    }
  });

  test('connectionFromEnv with an AzureWebJobsStorage-style env var', async () => {
    const queue = await newQueue(2);
    const scaler = instance({ queueName: queue.name, connectionFromEnv: 'AzureWebJobsStorage' }, { env: { AzureWebJobsStorage: azurite.connection } });
    try {
      expect((await scaler.getMetricsAndActivity(Date.now())).valueMilli).toBe(2000);
    } finally {
      await scaler.close();
    }
  });

  test('a SAS connection string (QueueEndpoint + SharedAccessSignature) reads the queue', async () => {
    const queue = await newQueue(2);
    const sas = generateQueueSASQueryParameters(
      { queueName: queue.name, permissions: QueueSASPermissions.parse('rp'), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(DEV_ACCOUNT.name, DEV_ACCOUNT.key),
    ).toString();
    expect(await read({ queueName: queue.name }, `QueueEndpoint=${azurite.queueEndpoint};SharedAccessSignature=${sas}`)).toEqual({ value: 2, active: true });
  });

  test('UseDevelopmentStorage=true reads Azurite on its default ports 10000/10001 (skipped when they are taken)', async (ctx) => {
    return withDefaultPortAzurite(ctx, async (local) => {
      const queue = new QueueClient(local.connection, `dev${process.pid}`);
      await queue.create();
      await queue.sendMessage('x');
      expect(await read({ queueName: queue.name }, 'UseDevelopmentStorage=true')).toEqual({ value: 1, active: true });
    });
  }, 180_000);
});

describe('azure-queue failures', () => {
  test('a missing queue is a read error naming the queue', async () => {
    const error = await failure(instance({ queueName: 'no-such-queue' }, { connection: azurite.connection }));
    expect([error.kind, error.message]).toEqual(['read', `trigger 0 (azure-queue): queue "no-such-queue" does not exist at 127.0.0.1:${azurite.queuePort} (404 QueueNotFound)`]);
  });

  test('a wrong account key is a read error about the credentials', async () => {
    const wrong = azurite.connection.replace(DEV_ACCOUNT.key, Buffer.from('not the key').toString('base64'));
    const queue = await newQueue(0);
    const error = await failure(instance({ queueName: queue.name }, { connection: wrong }));
    expect(error.message).toMatch(new RegExp(`^trigger 0 \\(azure-queue\\): 127\\.0\\.0\\.1:${azurite.queuePort} rejected the credentials for queue "${queue.name}" \\(403 \\w+\\)`));
  });

  test('a SAS with a forged signature is a credentials error that does not quote the SAS', async () => {
    const queue = await newQueue(0);
    const sas = generateQueueSASQueryParameters(
      { queueName: queue.name, permissions: QueueSASPermissions.parse('rp'), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(DEV_ACCOUNT.name, Buffer.from('forged key').toString('base64')),
    ).toString();
    const error = await failure(instance({ queueName: queue.name }, { connection: `QueueEndpoint=${azurite.queueEndpoint};SharedAccessSignature=${sas}` }));
    expect(error.message).toMatch(/rejected the credentials for queue "[^"]+" \(403 \w+\): check the account key or SAS$/);
  });

  test('a refused port fails the connect: unreachable, naming the endpoint', async () => {
    const connection = azurite.connection.replace(`:${azurite.queuePort}/`, ':1/');
    const error = await failure(instance({ queueName: 'orders' }, { connection }));
    expect([error.kind, error.message]).toEqual(['unreachable', 'trigger 0 (azure-queue): cannot reach 127.0.0.1:1 for queue "orders" (ECONNREFUSED)']);
  });

  test('an endpoint that never answers: unreachable after the 300 ms timeout, well before 2 s', async () => {
    const connection = azurite.connection.replace(`:${azurite.queuePort}/`, `:${silentPort()}/`);
    const started = Date.now();
    const error = await failure(instance({ queueName: 'orders' }, { connection, timeoutMs: 300 }));
    expect([error.kind, error.message]).toEqual(['unreachable', 'trigger 0 (azure-queue): connect timed out after 300 ms']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test.each([
    ['not a connection string', 'AzureWebJobsStorage', 'the connection is not an Azure Storage connection string (Key=Value pairs separated by ";")'],
    ['no credential', `QueueEndpoint=http://127.0.0.1:1/acct`, 'the connection string has neither AccountKey nor SharedAccessSignature'],
  ])('%s: a clear connect error', async (_name, connection, message) => {
    const error = await failure(instance({ queueName: 'orders' }, { connection }));
    expect([error.kind, error.message]).toEqual(['unreachable', `trigger 0 (azure-queue): ${message}`]);
  });

  test('azure-workload pod identity parses but tide cannot connect with it yet', async () => {
    const error = await failure(instance({ queueName: 'orders', accountName: 'acct' }, { podIdentity: 'azure-workload' }));
    expect(error.message).toBe(
      'trigger 0 (azure-queue): azure-queue: pod identity azure-workload for https://acct.queue.core.windows.net is not supported by tide yet; give a connection string (connection, connectionFromEnv or a TriggerAuthentication parameter "connection")',
    );
  });

  test('no message above carries the account key or a piece of it', () => {
    expect(messages.length).toBeGreaterThanOrEqual(8);
    for (const message of messages) {
      expect(message).not.toContain(DEV_ACCOUNT.key.slice(0, 12));
      expect(message).not.toContain('AccountKey=');
      expect(message).not.toContain('sig=');
    }
  });
});
