// queueTrigger: the Azure Storage queue listener. It polls with the Storage extension's randomized
// exponential back-off (100 ms up to maxPollingInterval, reset by any message or by an enqueue from
// this host), fetches batchSize messages under a visibility lease, runs them concurrently and fetches
// again once in-flight drops to newBatchThreshold. Each message is settled only after its dispatch
// resolved (queue-processor.ts); drain stops polling and waits for in-flight messages to settle.
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import type { QueueClient } from '@azure/storage-queue';
import type { BindingDefinition, FunctionDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type HostLogger, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { stringOption } from '../settings.js';
import { queueClientFor, storageConnection, storageErrorCode, storageStatus } from '../storage-connection.js';
import type { ReceivedQueueMessage } from './queue-message.js';
import { normalizeQueueName, poisonQueueName, pollDelayMs, queueListenerOptions, type QueueListenerOptions } from './queue-options.js';
import { PoisonQueue, processQueueMessage, release } from './queue-processor.js';
import { onQueueWrite, queueKey } from './queue-wake.js';

/** Overrides for tests and benchmarks; host.json and app settings decide everything else. */
export interface QueueTriggerOverrides {
  /** Fetch lease in milliseconds (whole seconds are sent); wins over TIDE_QUEUE_LEASE_SECONDS. */
  readonly leaseMs?: number;
  readonly cpuCount?: number;
  /** In [0, 1), for the back-off jitter. */
  readonly random?: () => number;
}

/** Everything one listener runs with. */
export interface QueueListenerConfig {
  readonly functionName: string;
  readonly queueName: string;
  readonly client: QueueClient;
  /** Undefined: no poison queue (failures stay invisible until their lease runs out). */
  readonly poisonClient: QueueClient | undefined;
  /** Key for in-process enqueue notifications (queue-wake.ts). */
  readonly wakeKey: string;
  readonly options: QueueListenerOptions;
  readonly log: HostLogger;
  readonly random: () => number;
}

/** Reads a queueTrigger binding: queue name (`%NAME%` resolved, lower-cased), connection and host.json options. */
export function queueListenerConfig(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext, overrides: QueueTriggerOverrides = {}): QueueListenerConfig {
  const where = `function "${fn.name}" binding "${binding.name}" (queueTrigger)`;
  const rawName = stringOption(binding.options, 'queueName', ctx.settings, where);
  if (rawName === undefined || rawName === '') throw new BindingConfigError(`${where}: "queueName" is required`);
  const queueName = normalizeQueueName(rawName, where);
  const connection = storageConnection(binding.options, ctx.settings, 'queue', where);
  const parsed = queueListenerOptions(ctx.hostJson, ctx.settings, overrides.cpuCount ?? availableParallelism());
  const options = overrides.leaseMs !== undefined ? { ...parsed, leaseMs: overrides.leaseMs } : parsed;
  const poisonName = poisonQueueName(queueName);
  return {
    functionName: fn.name,
    queueName,
    client: queueClientFor(connection, queueName),
    poisonClient: poisonName === undefined ? undefined : queueClientFor(connection, poisonName),
    wakeKey: queueKey(connection.endpoint.url, queueName),
    options,
    log: ctx.log,
    random: overrides.random ?? Math.random,
  };
}

/** A queueTrigger definition; `createQueueTrigger({ leaseMs: 2000 })` gives tests a short lease. */
export function createQueueTrigger(overrides: QueueTriggerOverrides = {}): TriggerDefinition {
  return {
    type: 'queueTrigger',
    create: (fn, binding, ctx) => new QueueListener(queueListenerConfig(fn, binding, ctx, overrides)),
  };
}

/** The queueTrigger the host registers. */
export const queueTrigger: TriggerDefinition = createQueueTrigger();

/** The Storage-queue listener of one function. */
export class QueueListener implements TriggerListener {
  private readonly active = new Set<Promise<void>>();
  private readonly abandonController = new AbortController();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private emptyPolls = 0;
  private wakeSleep: (() => void) | undefined;
  private wakeCapacity: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastPollError: string | undefined;
  private readonly poison: PoisonQueue | undefined;

  constructor(private readonly config: QueueListenerConfig) {
    // Every in-flight message's lease renewal listens on this one signal: a batch of 32 is normal, not a leak.
    setMaxListeners(0, this.abandonController.signal);
    this.poison = config.poisonClient ? new PoisonQueue(config.poisonClient) : undefined;
  }

  /** Messages being processed (fetched, not yet settled). */
  get inFlight(): number {
    return this.active.size;
  }

  /** Starts polling in the background; resolves at once (a missing queue is waited for, not fatal). */
  start(dispatch: Dispatch): Promise<void> {
    if (this.loop) throw new Error(`queue listener of function "${this.config.functionName}" was already started`);
    this.unsubscribe = onQueueWrite(this.config.wakeKey, () => {
      this.emptyPolls = 0;
      this.wakeSleep?.();
    });
    this.loop = this.run(dispatch);
    return Promise.resolve();
  }

  /** Stops fetching and waits until every fetched message is settled. */
  async drain(): Promise<void> {
    this.stopping = true;
    this.wakeSleep?.();
    this.wakeCapacity?.();
    await this.loop;
    while (this.active.size > 0) await Promise.all([...this.active]);
  }

  /** Drains, then drops the enqueue subscription. */
  async stop(): Promise<void> {
    await this.drain();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /**
   * Stops at once without settling anything, as a kill would: renewals stop, outcomes that arrive
   * later are ignored, and every unsettled message reappears when its lease runs out. For a drain
   * that outlived its grace period.
   */
  abandon(): void {
    this.stopping = true;
    this.abandonController.abort(new Error('queue listener abandoned'));
    this.wakeSleep?.();
    this.wakeCapacity?.();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  // A method, not the field: TypeScript would keep its narrowing across the awaits of the loop.
  private isStopping(): boolean {
    return this.stopping;
  }

  private async run(dispatch: Dispatch): Promise<void> {
    const { options } = this.config;
    while (!this.isStopping()) {
      await this.capacity(options.newBatchThreshold);
      if (this.isStopping()) break;
      const messages = await this.fetch();
      if (this.isStopping()) {
        await this.releaseAll(messages ?? []);
        break;
      }
      if (messages === undefined || messages.length === 0) {
        this.emptyPolls += 1;
        await this.sleep(pollDelayMs(this.emptyPolls, options.maxPollingIntervalMs, this.config.random()));
        continue;
      }
      this.emptyPolls = 0;
      for (const message of messages) this.track(this.process(message, dispatch));
    }
  }

  private process(message: ReceivedQueueMessage, dispatch: Dispatch): Promise<void> {
    const { config, poison } = this;
    return processQueueMessage(
      { client: config.client, queueName: config.queueName, poison, options: config.options, log: config.log, functionName: config.functionName, abandoned: this.abandonController.signal },
      message,
      dispatch,
    );
  }

  private track(work: Promise<void>): void {
    this.active.add(work);
    void work.finally(() => {
      this.active.delete(work);
      this.wakeCapacity?.();
    });
  }

  /** One Get Messages call; undefined when it failed (logged once per distinct error, then at debug). */
  private async fetch(): Promise<ReceivedQueueMessage[] | undefined> {
    const { client, options, log } = this.config;
    try {
      const answer = await client.receiveMessages({
        numberOfMessages: options.batchSize,
        visibilityTimeout: Math.max(1, Math.ceil(options.leaseMs / 1_000)),
        abortSignal: this.abandonController.signal,
      });
      this.lastPollError = undefined;
      return answer.receivedMessageItems;
    } catch (error) {
      if (this.abandonController.signal.aborted) return undefined;
      const code = storageErrorCode(error) ?? String(storageStatus(error) ?? error);
      const fields = { function: this.config.functionName, queue: this.config.queueName, error: code };
      if (code !== this.lastPollError) log.warn(code === 'QueueNotFound' ? 'queue does not exist yet; polling with back-off' : 'queue poll failed; backing off', fields);
      else log.debug('queue poll failed again', fields);
      this.lastPollError = code;
      return undefined;
    }
  }

  /** Messages fetched while a drain began are made visible again rather than run. */
  private async releaseAll(messages: readonly ReceivedQueueMessage[]): Promise<void> {
    if (this.abandonController.signal.aborted) return;
    await Promise.all(messages.map((m) => release(this.config, m, 0).catch(() => undefined)));
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = undefined;
        done();
      };
    });
  }

  /** Waits until in-flight messages are at or below the threshold (or the listener stops). */
  private async capacity(threshold: number): Promise<void> {
    while (this.active.size > threshold && !this.stopping) {
      await new Promise<void>((resolve) => {
        this.wakeCapacity = () => {
          this.wakeCapacity = undefined;
          resolve();
        };
      });
    }
  }
}
