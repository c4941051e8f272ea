// eventHubTrigger (@azure/event-hubs 6): an EventHubConsumerClient in `consumerGroup` with a
// BlobCheckpointStore on AzureWebJobsStorage / azure-webjobs-eventhub (the blob layout KEDA's
// `blobMetadata` checkpoint strategy reads: `<namespace>/<hub>/<consumergroup>/checkpoint/<partition>`
// with metadata `sequencenumber` and `offset`, all lower-cased by the SDK). Each partition's batch is
// dispatched in order — one invocation per event (cardinality one) or one per batch (many) — and the
// partition is checkpointed after the batch succeeded (every batchCheckpointFrequency batches).
// A failing invocation is retried in place (the function's retry policy, else 2 retries); then, as
// the extension does, the batch is checkpointed anyway and an error logged: Event Hubs has no
// poison queue, and not moving on would stall the partition forever. A killed process checkpoints
// nothing more, so the next owner of the partition starts again after the last checkpoint
// (at-least-once).

import { EventHubConsumerClient, type PartitionContext, type ReceivedEventData, type Subscription } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import type { BindingDefinition, FunctionDefinition, RetryPolicy } from '../../../app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { stringOption } from '../settings.js';
import { containerClientFor, storageConnection, type StorageConnection } from '../storage-connection.js';
import { CHECKPOINT_CONTAINER, eventHubConnection, eventHubsExtension, type EventHubConnection, type EventHubsExtensionOptions } from './eventhub-config.js';
import { eventHubManyEvent, eventHubOneEvent, type EventHubPartition } from './eventhub-event.js';
import { enumText } from './kafka-config.js';
import { retryDelayMs } from './kafka-trigger.js';

/** Retries after the first attempt when the function has no retry policy. */
export const DEFAULT_EVENTHUB_RETRIES = 2;

/** Everything the listener needs, resolved from the binding, settings and host.json. */
export interface EventHubTriggerSettings {
  readonly functionName: string;
  readonly connection: EventHubConnection;
  readonly consumerGroup: string;
  readonly storage: StorageConnection;
  readonly many: boolean;
  readonly binary: boolean;
  readonly ext: EventHubsExtensionOptions;
  readonly maxRetries: number;
  readonly retry?: RetryPolicy | undefined;
}

/** Knobs tests turn: how quickly partitions are claimed and abandoned ownership expires. */
export interface EventHubListenerOptions {
  readonly loadBalancingIntervalMs?: number;
  readonly ownershipExpirationMs?: number;
}

/** Reads an eventHubTrigger binding. */
export function eventHubTriggerSettings(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): EventHubTriggerSettings {
  const where = `function ${fn.name} (eventHubTrigger)`;
  const cardinality = enumText(binding.options['cardinality'], 'one');
  if (cardinality !== 'one' && cardinality !== 'many') throw new BindingConfigError(`${where}: "cardinality" must be one or many`);
  const group = stringOption(binding.options, 'consumerGroup', ctx.settings, where);
  const consumerGroup = group !== undefined && group !== '' ? group : '$Default';
  // Checkpoints live in the host's storage account, whatever the binding's own connection is.
  const storage = storageConnection({}, ctx.settings, 'blob', `${where}: checkpoint storage`);
  return {
    functionName: fn.name,
    connection: eventHubConnection(binding, ctx, where),
    consumerGroup,
    storage,
    many: cardinality === 'many',
    binary: binding.dataType === 'binary',
    ext: eventHubsExtension(ctx.hostJson),
    maxRetries: fn.retry?.maxRetryCount ?? DEFAULT_EVENTHUB_RETRIES,
    retry: fn.retry,
  };
}

interface PendingCheckpoint {
  context: PartitionContext;
  event: ReceivedEventData | undefined;
  batches: number;
}

/** Consumes one event hub for one function. */
export class EventHubListener implements TriggerListener {
  private client: EventHubConsumerClient | undefined;
  private subscription: Subscription | undefined;
  private running = 0;
  private draining = false;
  private killed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly pending = new Map<string, PendingCheckpoint>();

  constructor(
    private readonly s: EventHubTriggerSettings,
    private readonly ctx: HostContext,
    private readonly options: EventHubListenerOptions = {},
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Creates the checkpoint container if needed and subscribes to every partition this instance can claim. */
  async start(dispatch: Dispatch): Promise<void> {
    const container = containerClientFor(this.s.storage, CHECKPOINT_CONTAINER);
    await container.createIfNotExists();
    const loadBalancingOptions = {
      // Greedy: a lone host claims every free partition at once instead of one per interval.
      strategy: 'greedy' as const,
      updateIntervalInMs: this.options.loadBalancingIntervalMs ?? 10_000,
      partitionOwnershipExpirationIntervalInMs: this.options.ownershipExpirationMs ?? 60_000,
    };
    const { connectionString, eventHubName } = this.s.connection;
    const client = new EventHubConsumerClient(this.s.consumerGroup, connectionString, eventHubName, new BlobCheckpointStore(container), { loadBalancingOptions });
    this.client = client;
    this.subscription = client.subscribe(
      {
        processEvents: (events, context) => this.onBatch(events, context, dispatch),
        processError: (error, context) => {
          this.ctx.log.warn(`eventHubTrigger ${this.s.functionName}: ${error.message}`, { eventHub: eventHubName, partition: context.partitionId });
          return Promise.resolve();
        },
      },
      {
        maxBatchSize: this.s.ext.maxEventBatchSize,
        maxWaitTimeInSeconds: this.s.ext.maxWaitTimeMs / 1_000,
        prefetchCount: Math.max(this.s.ext.prefetchCount, this.s.ext.maxEventBatchSize),
        startPosition: this.s.ext.initialPosition,
        skipParsingBodyAsJson: true,
      },
    );
  }

  /** Stops dispatching, lets running batches finish and checkpoint, then closes the subscription. */
  async drain(): Promise<void> {
    if (this.killed || this.draining) return;
    this.draining = true;
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    for (const p of this.pending.values()) await this.checkpoint(p);
    this.pending.clear();
    await this.subscription?.close();
  }

  /** Drains, then closes the client's connection. */
  async stop(): Promise<void> {
    if (this.killed) return;
    await this.drain();
    await this.client?.close();
    this.client = undefined;
  }

  /** Simulates a killed process: checkpoints nothing more and closes at once. */
  async abort(): Promise<void> {
    this.killed = true;
    await this.subscription?.close().catch(() => undefined);
    await this.client?.close().catch(() => undefined);
  }

  private async onBatch(events: ReceivedEventData[], context: PartitionContext, dispatch: Dispatch): Promise<void> {
    // Refused events are not checkpointed: the next owner reads them again.
    if (events.length === 0 || this.draining || this.killed) return;
    const partition: EventHubPartition = { fullyQualifiedNamespace: context.fullyQualifiedNamespace, eventHubName: context.eventHubName, consumerGroup: context.consumerGroup, partitionId: context.partitionId };
    this.running += events.length;
    let done: ReceivedEventData | undefined;
    try {
      const groups = this.s.many ? [events] : events.map((e) => [e]);
      for (const group of groups) {
        // A drain lets the running event finish; the rest of the batch waits for the next owner.
        if (this.isKilled() || (this.isDraining() && done !== undefined)) break;
        await this.process(group, partition, dispatch);
        if (this.isKilled()) return;
        done = group[group.length - 1];
      }
      if (done !== undefined) await this.settle(context, done);
    } finally {
      this.running -= events.length;
      if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Read through a method: the flag changes while an invocation is awaited. */
  private isKilled(): boolean {
    return this.killed;
  }

  private isDraining(): boolean {
    return this.draining;
  }

  /** Checkpoints after every batchCheckpointFrequency-th settled batch of a partition. */
  private async settle(context: PartitionContext, event: ReceivedEventData): Promise<void> {
    const p = this.pending.get(context.partitionId) ?? { context, event: undefined, batches: 0 };
    p.event = event;
    p.batches += 1;
    this.pending.set(context.partitionId, p);
    if (p.batches < this.s.ext.batchCheckpointFrequency) return;
    this.pending.delete(context.partitionId);
    await this.checkpoint(p);
  }

  /** Writes the checkpoint; a failed write means redelivery after a restart, never loss. */
  private async checkpoint(p: PendingCheckpoint): Promise<void> {
    if (p.event === undefined || this.killed) return;
    try {
      await p.context.updateCheckpoint(p.event);
    } catch (error) {
      this.ctx.log.error(`eventHubTrigger ${this.s.functionName}: checkpoint failed; events after sequence number ${p.event.sequenceNumber - 1} will be delivered again`, { partition: p.context.partitionId, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Dispatches one event or batch with in-place retries; after the last failure logs an error (the batch is checkpointed anyway). */
  private async process(group: ReceivedEventData[], partition: EventHubPartition, dispatch: Dispatch): Promise<void> {
    for (let attempt = 0; attempt <= this.s.maxRetries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs(this.s.retry, attempt)));
      const retryContext = attempt === 0 ? undefined : { retryCount: attempt, maxRetryCount: this.s.maxRetries };
      const event = this.s.many ? eventHubManyEvent(group, partition, this.s.binary, retryContext) : eventHubOneEvent(group[0] as ReceivedEventData, partition, this.s.binary, retryContext);
      const outcome = await dispatch(event);
      if (outcome.status === 'success' || this.killed) return;
      this.ctx.log.warn(`eventHubTrigger ${this.s.functionName}: invocation failed (attempt ${attempt + 1} of ${this.s.maxRetries + 1})`, { partition: partition.partitionId, error: outcome.error.message });
    }
    const first = group[0]?.sequenceNumber ?? -1;
    const last = group[group.length - 1]?.sequenceNumber ?? -1;
    this.ctx.log.error(`eventHubTrigger ${this.s.functionName}: giving up on partition ${partition.partitionId} sequence numbers ${first}–${last} after ${this.s.maxRetries + 1} attempts; checkpointing past them`, { eventHub: partition.eventHubName });
  }
}

/** The eventHubTrigger type. */
export const eventHubTrigger: TriggerDefinition = {
  type: 'eventHubTrigger',
  create: (fn, binding, ctx) => new EventHubListener(eventHubTriggerSettings(fn, binding, ctx), ctx),
};
