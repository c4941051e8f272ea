// rabbitMQTrigger (amqplib): one consumer per function with prefetch (host.json extensions.rabbitMQ
// prefetchCount, 30) as the concurrency bound. A message is acked only after the function succeeded.
// On failure it is republished to the queue with `x-ms-rabbitmq-requeuecount` incremented and the
// original acked (publisher confirm first, so a crash in between duplicates but never loses); the 5th
// failure rejects it without requeue (dead-lettered when the queue has a DLX), as extension 2.x does.
// A process killed before the ack leaves the message unacked: the broker redelivers it.

import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { BindingDefinition, FunctionDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { caseless, rabbitConnection, rabbitExtension, rabbitQueueName, type RabbitConnection } from './rabbitmq-connection.js';
import { MAX_ATTEMPTS, rabbitEvent, republishOptions, requeueCount } from './rabbitmq-message.js';

/** Everything the listener needs, resolved from the binding, settings and host.json. */
export interface RabbitTriggerSettings {
  readonly functionName: string;
  readonly connection: RabbitConnection;
  readonly queueName: string;
  readonly prefetchCount: number;
  readonly binary: boolean;
}

/** Reads a rabbitMQTrigger binding. */
export function rabbitTriggerSettings(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): RabbitTriggerSettings {
  const where = `function ${fn.name} (rabbitMQTrigger)`;
  const prefetch = caseless(rabbitExtension(ctx.hostJson), 'prefetchCount') ?? 30;
  if (typeof prefetch !== 'number' || !Number.isInteger(prefetch) || prefetch < 0 || prefetch > 65535) {
    throw new BindingConfigError(`${where}: host.json extensions.rabbitMQ.prefetchCount must be a whole number 0–65535`);
  }
  return {
    functionName: fn.name,
    connection: rabbitConnection(binding, ctx, where),
    queueName: rabbitQueueName(binding, ctx, where),
    prefetchCount: prefetch,
    binary: binding.dataType === 'binary',
  };
}

/** Consumes one queue for one function. */
export class RabbitMQListener implements TriggerListener {
  private model: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private killed = false;

  constructor(
    private readonly s: RabbitTriggerSettings,
    private readonly ctx: HostContext,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Connects, checks the queue exists, and starts consuming with manual acks. */
  async start(dispatch: Dispatch): Promise<void> {
    const socket = this.s.connection.insecure ? { rejectUnauthorized: false } : {};
    const model = await amqp.connect(this.s.connection.url, socket);
    this.model = model;
    model.on('error', (error: Error) => {
      this.ctx.log.warn(`rabbitMQTrigger ${this.s.functionName}: connection error`, { error: error.message });
    });
    const channel = await model.createConfirmChannel();
    this.channel = channel;
    channel.on('error', (error: Error) => {
      this.ctx.log.error(`rabbitMQTrigger ${this.s.functionName}: channel closed`, { queue: this.s.queueName, error: error.message });
    });
    await this.checkQueue(model);
    await channel.prefetch(this.s.prefetchCount);
    const { consumerTag } = await channel.consume(this.s.queueName, (message) => {
      if (message === null) {
        this.ctx.log.warn(`rabbitMQTrigger ${this.s.functionName}: the broker cancelled the consumer (queue deleted?)`, { queue: this.s.queueName });
        return;
      }
      void this.handle(channel, dispatch, message);
    });
    this.consumerTag = consumerTag;
  }

  /** A missing queue closes the channel it is checked on, so it is checked on a throwaway one. */
  private async checkQueue(model: ChannelModel): Promise<void> {
    const probe = await model.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkQueue(this.s.queueName);
    } catch {
      throw new BindingConfigError(`rabbitMQTrigger ${this.s.functionName}: queue "${this.s.queueName}" does not exist`);
    }
    await probe.close().catch(() => undefined);
  }

  /** Cancels the consumer (no new deliveries) and waits for the in-flight messages to settle. */
  async drain(): Promise<void> {
    if (this.killed) return;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (tag !== undefined) await this.channel?.cancel(tag).catch(() => undefined);
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drains, then closes the channel and the connection. */
  async stop(): Promise<void> {
    await this.drain();
    const model = this.model;
    const channel = this.channel;
    this.model = undefined;
    this.channel = undefined;
    // The channel first: its close-ok comes after the broker took our acks, whereas amqplib may write a
    // connection close ahead of acks still buffered on the channel (they would be lost: redelivery).
    await channel?.close().catch(() => undefined);
    await model?.close().catch(() => undefined);
  }

  /** Simulates a killed process: the connection goes away with every in-flight message unacked. */
  abort(): void {
    this.killed = true;
    const model = this.model;
    this.model = undefined;
    void model?.close().catch(() => undefined);
  }

  private async handle(channel: ConfirmChannel, dispatch: Dispatch, message: ConsumeMessage): Promise<void> {
    this.running++;
    try {
      const outcome = await dispatch(rabbitEvent(message, this.s.binary));
      if (this.killed) return;
      if (outcome.status === 'success') channel.ack(message);
      else await this.retryLater(channel, message, outcome.error);
    } catch (error) {
      // Channel gone (connection lost): the broker requeues the unacked message by itself.
      this.ctx.log.error(`rabbitMQTrigger ${this.s.functionName}: could not settle a message; the broker will redeliver it`, { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async retryLater(channel: ConfirmChannel, message: ConsumeMessage, error: Error): Promise<void> {
    const attempts = requeueCount(message.properties) + 1;
    if (attempts >= MAX_ATTEMPTS) {
      channel.reject(message, false);
      this.ctx.log.error(`rabbitMQTrigger ${this.s.functionName}: message failed ${attempts} times, rejected without requeue (dead-lettered if the queue has a DLX)`, { queue: this.s.queueName, error: error.message });
      return;
    }
    await new Promise<void>((resolve, reject) => {
      channel.publish('', this.s.queueName, message.content, republishOptions(message.properties, attempts), (err: unknown) => {
        if (err) reject(err instanceof Error ? err : new Error('publish not confirmed'));
        else resolve();
      });
    });
    channel.ack(message);
    this.ctx.log.warn(`rabbitMQTrigger ${this.s.functionName}: invocation failed; message requeued (attempt ${attempts} of ${MAX_ATTEMPTS})`, { queue: this.s.queueName, error: error.message });
  }
}

/** The rabbitMQTrigger type. */
export const rabbitMQTrigger: TriggerDefinition = {
  type: 'rabbitMQTrigger',
  create: (fn, binding, ctx) => new RabbitMQListener(rabbitTriggerSettings(fn, binding, ctx), ctx),
};
