// kafkaTrigger (kafkajs): a consumer in `consumerGroup` with auto-commit off. Records are dispatched
// one at a time (cardinality one) or in chunks of maxBatchSize (many), partition by partition in order;
// the offset after a record/chunk is committed only once it succeeded. A failure is retried in place
// up to maxRetries (the function's retry policy, else host.json extensions.kafka.maxRetries, 5); then,
// as the extension's commitOnFailure (default true) says, it is committed and logged, or (false) the
// consumer seeks back and tries it again forever. A killed process commits nothing: the group hands
// the uncommitted records to the next member.

import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { BindingDefinition, FunctionDefinition, RetryPolicy } from '../../../app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { enumText, kafkaClientConfig, kafkaExtension, settingOrLiteral, type KafkaExtensionOptions } from './kafka-config.js';
import { chunks, kafkaManyEvent, kafkaOneEvent, type KafkaRecord } from './kafka-event.js';

/** Everything the listener needs, resolved from the binding, settings and host.json. */
export interface KafkaTriggerSettings {
  readonly functionName: string;
  readonly client: KafkaConfig;
  readonly topic: string;
  readonly consumerGroup: string;
  readonly many: boolean;
  readonly binary: boolean;
  readonly ext: KafkaExtensionOptions;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly retry?: RetryPolicy | undefined;
}

/** Reads a kafkaTrigger binding. */
export function kafkaTriggerSettings(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): KafkaTriggerSettings {
  const where = `function ${fn.name} (kafkaTrigger)`;
  const topic = settingOrLiteral(binding.options['topic'], ctx, where);
  if (topic === undefined) throw new BindingConfigError(`${where}: "topic" is required`);
  const consumerGroup = settingOrLiteral(binding.options['consumerGroup'], ctx, where);
  if (consumerGroup === undefined) throw new BindingConfigError(`${where}: "consumerGroup" is required`);
  const cardinality = enumText(binding.options['cardinality'], 'one');
  if (cardinality !== 'one' && cardinality !== 'many') throw new BindingConfigError(`${where}: "cardinality" must be one or many`);
  const ext = kafkaExtension(ctx.hostJson, where);
  return {
    functionName: fn.name,
    client: kafkaClientConfig(binding, ctx, where),
    topic,
    consumerGroup,
    many: cardinality === 'many',
    binary: binding.dataType === 'binary',
    ext,
    maxRetries: fn.retry?.maxRetryCount ?? ext.maxRetries,
    retry: fn.retry,
  };
}

/** Milliseconds to wait before retry number `retry` (1-based) under the function's retry policy; 0 without one. */
export function retryDelayMs(policy: RetryPolicy | undefined, retry: number): number {
  if (!policy) return 0;
  if (policy.strategy === 'fixedDelay') return policy.delayInterval ?? 0;
  const min = policy.minimumInterval ?? 0;
  const max = policy.maximumInterval ?? Number.MAX_SAFE_INTEGER;
  return Math.min(max, min * 2 ** (retry - 1));
}

/** Consumes one topic for one function. */
export class KafkaListener implements TriggerListener {
  private consumer: Consumer | undefined;
  private running = 0;
  private draining = false;
  private killed = false;
  private disconnecting: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly s: KafkaTriggerSettings,
    private readonly ctx: HostContext,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Connects, subscribes and starts the consumer (the group join finishes in the background). */
  async start(dispatch: Dispatch): Promise<void> {
    const log = (entry: LogEntry): void => {
      this.ctx.log.warn(`kafkaTrigger ${this.s.functionName}: ${entry.log.message}`, { topic: this.s.topic });
    };
    const kafka = new Kafka({ ...this.s.client, logLevel: logLevel.ERROR, logCreator: () => log });
    const consumer = kafka.consumer({ groupId: this.s.consumerGroup, sessionTimeout: this.s.ext.sessionTimeoutMs, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.s.topic, fromBeginning: this.s.ext.fromBeginning });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(consumer, payload, dispatch) });
  }

  /** Stops fetching, lets the running record or chunk finish and commit. */
  async drain(): Promise<void> {
    if (this.killed) return;
    this.draining = true;
    // kafkajs refuses commits once stop() began, so the running record commits first.
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.consumer?.stop();
  }

  /** Drains, then leaves the group and disconnects. */
  async stop(): Promise<void> {
    if (this.killed) return;
    await this.drain();
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /** Simulates a killed process: commits nothing more and leaves once running invocations return. */
  abort(): Promise<void> {
    this.killed = true;
    this.disconnecting ??= this.consumer?.disconnect().catch(() => undefined) ?? Promise.resolve();
    return this.disconnecting;
  }

  private async onBatch(consumer: Consumer, payload: EachBatchPayload, dispatch: Dispatch): Promise<void> {
    const { batch } = payload;
    const records: KafkaRecord[] = batch.messages.map((message) => ({ topic: batch.topic, partition: batch.partition, message }));
    const groups = this.s.many ? chunks(records, this.s.ext.maxBatchSize) : records.map((r) => [r]);
    for (const group of groups) {
      if (this.killed || this.draining || !payload.isRunning() || payload.isStale()) return;
      this.running += group.length;
      try {
        if (!(await this.settle(consumer, payload, group, dispatch))) return;
      } finally {
        this.running -= group.length;
        if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
      await payload.heartbeat();
    }
  }

  /** Runs a record or chunk and commits after it unless killed or (commitOnFailure false) failed; false = stop this batch. */
  private async settle(consumer: Consumer, payload: EachBatchPayload, group: KafkaRecord[], dispatch: Dispatch): Promise<boolean> {
    const first = group[0] as KafkaRecord;
    const last = group[group.length - 1] as KafkaRecord;
    const ok = await this.process(group, dispatch);
    if (this.killed) return false; // killed while the invocation ran: commit nothing
    if (!ok && !this.s.ext.commitOnFailure) {
      consumer.seek({ topic: first.topic, partition: first.partition, offset: first.message.offset });
      return false;
    }
    payload.resolveOffset(last.message.offset);
    await this.commit(consumer, last);
    return true;
  }

  /** Dispatches one record or chunk with in-place retries; true when an attempt succeeded. */
  private async process(group: KafkaRecord[], dispatch: Dispatch): Promise<boolean> {
    for (let attempt = 0; attempt <= this.s.maxRetries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs(this.s.retry, attempt)));
      const retryContext = attempt === 0 ? undefined : { retryCount: attempt, maxRetryCount: this.s.maxRetries };
      const event = this.s.many ? kafkaManyEvent(group, this.s.binary, retryContext) : kafkaOneEvent(group[0] as KafkaRecord, this.s.binary, retryContext);
      const outcome = await dispatch(event);
      if (outcome.status === 'success' || this.killed) return outcome.status === 'success';
      this.ctx.log.warn(`kafkaTrigger ${this.s.functionName}: invocation failed (attempt ${attempt + 1} of ${this.s.maxRetries + 1})`, { topic: this.s.topic, error: outcome.error.message });
    }
    const at = `partition ${group[0]?.partition ?? '?'} offsets ${group[0]?.message.offset ?? '?'}–${group[group.length - 1]?.message.offset ?? '?'}`;
    if (this.s.ext.commitOnFailure) this.ctx.log.error(`kafkaTrigger ${this.s.functionName}: giving up on ${at} after ${this.s.maxRetries + 1} attempts; committing (commitOnFailure)`, { topic: this.s.topic });
    else this.ctx.log.error(`kafkaTrigger ${this.s.functionName}: ${at} failed ${this.s.maxRetries + 1} times; not committed, trying again (commitOnFailure false)`, { topic: this.s.topic });
    return false;
  }

  /** Commits the offset after `record` (the next to read); a failed commit means redelivery, never loss. */
  private async commit(consumer: Consumer, record: KafkaRecord): Promise<void> {
    try {
      await consumer.commitOffsets([{ topic: record.topic, partition: record.partition, offset: (BigInt(record.message.offset) + 1n).toString() }]);
    } catch (error) {
      this.ctx.log.error(`kafkaTrigger ${this.s.functionName}: commit failed; the records will be delivered again`, { topic: this.s.topic, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** The kafkaTrigger type. */
export const kafkaTrigger: TriggerDefinition = {
  type: 'kafkaTrigger',
  create: (fn, binding, ctx) => new KafkaListener(kafkaTriggerSettings(fn, binding, ctx), ctx),
};
