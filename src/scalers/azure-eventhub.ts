// azure-eventhub: scale on the unprocessed events of an event hub's consumer group — per partition the
// last enqueued sequence number (over AMQP management) minus the consumer's checkpoint (in blob
// storage), summed and capped to partitions × unprocessedEventThreshold; active on the uncapped sum.

import type { BlobServiceClient } from '@azure/storage-blob';
import { defineScaler, issue, type Issue, type IssueResult, type RuleContext } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { parseSbConnectionString, type SbConnection } from './azure-sas.js';
import { EventHubManagement } from './azure-eventhub-amqp.js';
import { CHECKPOINT_STRATEGIES, readCheckpoint, type CheckpointLocation } from './azure-eventhub-checkpoint.js';
import { eventHubLag, partitionLag } from './azure-eventhub-lag.js';
import { loadFor, loadStorageBlob } from './client-libraries.js';

/** What connect and read need once parameters are valid. */
export interface EventHubParams {
  readonly connection: string | undefined;
  readonly storageConnection: string | undefined;
  readonly eventHubName: string | undefined;
  readonly consumerGroup: string;
  readonly threshold: number;
  readonly activation: number;
  readonly stale: number;
  readonly blobContainer: string | undefined;
  readonly checkpointStrategy: string | undefined;
  readonly podIdentity: string | undefined;
}

interface EventHubConnection {
  readonly management: EventHubManagement;
  readonly blobs: BlobServiceClient;
  readonly location: CheckpointLocation;
}

/** The azure-eventhub scaler declaration. */
export const azureEventHub = defineScaler({
  type: 'azure-eventhub',
  params: {
    connection: param.string().from('authParams', 'fromEnv').secret(),
    storageConnection: param.string().from('authParams', 'fromEnv').secret(),
    consumerGroup: param.string().default('$Default'),
    unprocessedEventThreshold: param.int().default(64),
    activationUnprocessedEventThreshold: param.int().default(0),
    stalePartitionInfoThreshold: param.int().default(10000),
    blobContainer: param.string(),
    checkpointStrategy: param.string(),
    eventHubName: param.string().from('metadata', 'fromEnv'),
    eventHubNamespace: param.string().from('metadata', 'fromEnv'),
    storageAccountName: param.string(),
    cloud: param.string(),
    endpointSuffix: param.string(),
  },
  rules: (rule) => [
    rule(['unprocessedEventThreshold'], (p) => (p.unprocessedEventThreshold > 0 ? undefined : issue('unprocessedEventThreshold', 'must be greater than 0'))),
    rule(['checkpointStrategy', 'blobContainer'], checkStrategy),
    rule(['connection', 'storageConnection', 'eventHubName', 'eventHubNamespace', 'storageAccountName'], checkCredentials),
  ],
  derive: (p, ctx): EventHubParams => ({
    connection: p.connection,
    storageConnection: p.storageConnection,
    eventHubName: p.eventHubName,
    consumerGroup: p.consumerGroup,
    threshold: p.unprocessedEventThreshold,
    activation: p.activationUnprocessedEventThreshold,
    stale: p.stalePartitionInfoThreshold,
    blobContainer: p.blobContainer,
    checkpointStrategy: p.checkpointStrategy,
    podIdentity: ctx.podIdentity,
  }),
  metricName: (p) => `azure-eventhub-${p.consumerGroup}`,
  target: (p) => ({ value: milliFromInt(p.threshold), activation: milliFromInt(p.activation) }),
  connect: connectEventHub,
  read: async (c, p, ctx) => {
    await c.management.authorize(ctx.now, ctx.signal);
    const ids = await c.management.partitionIds(ctx.signal);
    const lags: bigint[] = [];
    for (const id of ids) {
      const info = await c.management.partition(id, ctx.signal);
      // KEDA reads no checkpoint for a partition that never held an event.
      const checkpoint = info.lastEnqueuedSequenceNumber === -1n ? undefined : await readCheckpoint((name) => c.blobs.getContainerClient(name), c.location, id, ctx.signal);
      lags.push(partitionLag(info, checkpoint, BigInt(p.stale)));
    }
    const lag = eventHubLag(lags, BigInt(p.threshold));
    return { value: Number(lag.value), active: lag.total > BigInt(p.activation) };
  },
  close: (c) => {
    c.management.close();
  },
});

function checkStrategy(p: { checkpointStrategy: string | undefined; blobContainer: string | undefined }): IssueResult {
  const s = p.checkpointStrategy;
  if (s === undefined || (CHECKPOINT_STRATEGIES as readonly string[]).includes(s)) {
    return s !== undefined && s !== 'azureFunction' && p.blobContainer === undefined ? { param: 'blobContainer', severity: 'warning', message: `needed with checkpointStrategy ${s}: reads will fail without it` } : undefined;
  }
  return { param: 'checkpointStrategy', severity: 'warning', message: `"${s}" is not one of ${CHECKPOINT_STRATEGIES.join(', ')}: checkpoints are read from <blobContainer>/<consumerGroup>/<partition> (KEDA's default layout)` };
}

function checkCredentials(
  p: { connection: string | undefined; storageConnection: string | undefined; eventHubName: string | undefined; eventHubNamespace: string | undefined; storageAccountName: string | undefined },
  ctx: RuleContext,
): IssueResult {
  const provider = ctx.podIdentity;
  if (provider === undefined || provider === '' || provider === 'none') {
    const found: Issue[] = [];
    if (p.storageConnection === undefined) found.push(issue('storageConnection', 'no storage connection string given'));
    if (p.connection === undefined) found.push(issue('connection', 'no event hub connection string given'));
    // KEDA looks for the text "EntityPath" anywhere in the string.
    else if (!p.connection.includes('EntityPath') && p.eventHubName === undefined) {
      found.push(issue('eventHubName', 'connection string does not contain event hub name, and parameter eventHubName not provided'));
    }
    return found;
  }
  if (provider === 'azure-workload') {
    if (p.storageConnection === undefined && p.storageAccountName === undefined) return issue('storageAccountName', 'no storage connection string or storage account name for pod identity based authentication given');
    if (p.eventHubNamespace === undefined) return issue('eventHubNamespace', 'no event hub namespace string given');
    if (p.eventHubName === undefined) return issue('eventHubName', 'no event hub name string given');
    return { path: 'authenticationRef', severity: 'warning', message: 'azure-workload pod identity is not supported by tide yet: reads will fail; use connection strings' };
  }
  return { path: 'authenticationRef', message: `event hub does not support pod identity ${provider}` };
}

function sbConnection(text: string): SbConnection {
  const parsed = parseSbConnectionString(text);
  if ('error' in parsed) throw new Error(`event hub ${parsed.error}`);
  return parsed.value;
}

async function connectEventHub(p: EventHubParams, ctx: { signal: AbortSignal }): Promise<EventHubConnection> {
  if (p.connection === undefined || p.storageConnection === undefined) throw new Error(`${p.podIdentity ?? 'pod identity'} authentication is not supported by tide yet; use connection strings`);
  const conn = sbConnection(p.connection);
  const hub = conn.entityPath ?? p.eventHubName ?? '';
  const { BlobServiceClient } = await loadFor(loadStorageBlob, ctx.signal);
  let blobs: BlobServiceClient;
  try {
    blobs = BlobServiceClient.fromConnectionString(p.storageConnection);
  } catch {
    throw new Error('the storage connection string is not valid');
  }
  const management = await EventHubManagement.open(conn, hub, ctx.signal);
  return { management, blobs, location: { strategy: p.checkpointStrategy, blobContainer: p.blobContainer, namespace: conn.host, hub, consumerGroup: p.consumerGroup } };
}
