// azure-queue: scale on the approximate message count of an Azure Storage queue.

import type { QueueClient, StoragePipelineOptions } from '@azure/storage-queue';
import { defineScaler, type ConnectContext } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { checkCloud, checkStorageCredential, storageEndpointSuffix, storageParams, unsupportedIdentity } from './azure-storage.js';
import { parseStorageConnection, resourceUrl } from './azure-connection.js';
import { answeredStatus, storageErrorMessage } from './azure-storage-errors.js';
import { loadFor, loadStorageQueue } from './client-libraries.js';

/** KEDA peeks at most 32 messages (the service's maximum) for `visibleonly`. */
export const MAX_PEEK_MESSAGES = 32;

// One try per call: the SDK's first retry waits 4 s, past the 3 s budget of a poll.
const CLIENT_OPTIONS: StoragePipelineOptions = { retryOptions: { maxTries: 1 } };

/** An open queue: the client and the endpoint host for messages. */
export interface QueueConnection {
  readonly client: QueueClient;
  readonly host: string;
  readonly queueName: string;
}

/** The azure-queue scaler declaration. */
export const azureQueue = defineScaler({
  type: 'azure-queue',
  params: {
    queueName: param.string().required(),
    queueLength: param.int().default(5),
    activationQueueLength: param.int().default(0),
    connection: param.string().from('authParams', 'metadata', 'fromEnv').secret(),
    queueLengthStrategy: param.enum(['all', 'visibleonly']).default('all'),
    ...storageParams,
  },
  rules: (rule) => [
    rule(['connection', 'accountName'], (p, ctx) => checkStorageCredential('azure-queue', p, ctx.podIdentity)),
    rule(['cloud', 'endpointSuffix'], checkCloud),
  ],
  derive: (p) => ({ ...p, endpointSuffix: storageEndpointSuffix('queue', p) }),
  metricName: (p) => `azure-queue-${p.queueName}`,
  target: (p) => ({ value: milliFromInt(p.queueLength), activation: milliFromInt(p.activationQueueLength) }),
  connect: (p, ctx) => openQueue(p, ctx),
  read: async (q, p, ctx) => ({ value: await queueLength(q, p.queueLengthStrategy, ctx.signal) }),
});

/** Builds the queue client and checks the endpoint answers (any HTTP status), so an unreachable account fails the connect. */
export async function openQueue(
  p: { queueName: string; connection: string | undefined; accountName: string | undefined; endpointSuffix: string },
  ctx: Pick<ConnectContext, 'signal'>,
): Promise<QueueConnection> {
  if (p.connection === undefined) throw new Error(unsupportedIdentity('azure-queue', p.accountName, p.endpointSuffix));
  const endpoint = parseStorageConnection(p.connection, 'queue');
  if ('error' in endpoint) throw new Error(endpoint.error);
  const url = resourceUrl(endpoint, p.queueName);
  const { credential } = endpoint;
  const { AnonymousCredential, QueueClient, StorageSharedKeyCredential } = await loadFor(loadStorageQueue, ctx.signal);
  const client =
    credential.kind === 'key'
      ? new QueueClient(url, new StorageSharedKeyCredential(credential.accountName, credential.accountKey), CLIENT_OPTIONS)
      : new QueueClient(url, new AnonymousCredential(), CLIENT_OPTIONS);
  const connection = { client, host: endpoint.host, queueName: p.queueName };
  try {
    await client.getProperties({ abortSignal: ctx.signal });
  } catch (error) {
    // A missing queue or a refused key is reported by the read, as KEDA does; only silence fails here.
    if (answeredStatus(error) === undefined) throw new Error(storageErrorMessage(error, { kind: 'queue', name: p.queueName }, endpoint.host));
  }
  return connection;
}

/**
 * KEDA's queue length: `all` → the approximate count (invisible messages included); `visibleonly` →
 * the peeked count when under 32, else the approximate count.
 */
export async function queueLength(q: QueueConnection, strategy: 'all' | 'visibleonly', signal: AbortSignal): Promise<number> {
  try {
    if (strategy === 'visibleonly') {
      const peeked = await q.client.peekMessages({ numberOfMessages: MAX_PEEK_MESSAGES, abortSignal: signal });
      if (peeked.peekedMessageItems.length < MAX_PEEK_MESSAGES) return peeked.peekedMessageItems.length;
    }
    const properties = await q.client.getProperties({ abortSignal: signal });
    return properties.approximateMessagesCount ?? 0;
  } catch (error) {
    throw new Error(storageErrorMessage(error, { kind: 'queue', name: q.queueName }, q.host));
  }
}
