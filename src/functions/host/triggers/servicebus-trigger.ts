// serviceBusTrigger (@azure/service-bus 7.x): one peek-lock receiver per function, subscribed with
// automatic completion off, so a message is settled only after the dispatch resolved: success →
// complete, failure → abandon (the broker redelivers it with DeliveryCount + 1 and dead-letters it
// after the entity's MaxDeliveryCount; the host never dead-letters by itself). The SDK renews locks
// for up to maxAutoLockRenewalDuration while the function runs. A killed process settles nothing:
// its locks expire and the broker hands the messages out again. Drain stops the credit flow and
// waits for the in-flight messages to be settled over the still-open link.

import { ServiceBusClient } from '@azure/service-bus';
import type { ProcessErrorArgs, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import type { BindingDefinition, FunctionDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { serviceBusEvent } from './servicebus-message.js';
import { serviceBusConnection, serviceBusEntity, serviceBusProcessorOptions, type ServiceBusEntity, type ServiceBusProcessorOptions } from './servicebus-options.js';

/** Everything the listener needs, resolved from the binding, settings and host.json. */
export interface ServiceBusTriggerSettings {
  readonly functionName: string;
  readonly connectionString: string;
  readonly entity: ServiceBusEntity;
  readonly processor: ServiceBusProcessorOptions;
  readonly binary: boolean;
}

/** Reads a serviceBusTrigger binding; unsupported modes are BindingConfigErrors, not silent surprises. */
export function serviceBusTriggerSettings(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): ServiceBusTriggerSettings {
  const where = `function ${fn.name} (serviceBusTrigger)`;
  const sessions = binding.options['isSessionsEnabled'];
  if (sessions === true || sessions === 'true') throw new BindingConfigError(`${where}: isSessionsEnabled is not supported yet`);
  const cardinality = binding.options['cardinality'];
  if (typeof cardinality === 'string' && cardinality.toLowerCase() === 'many') throw new BindingConfigError(`${where}: cardinality "many" is not supported yet; use "one"`);
  const processor = serviceBusProcessorOptions(ctx.hostJson);
  const autoComplete = binding.options['autoCompleteMessages'];
  if (!processor.autoCompleteMessages || autoComplete === false || autoComplete === 'false') {
    // A Node function has no message actions to settle with; leaving messages unsettled would only
    // make them come back until they are dead-lettered.
    ctx.log.warn(`${where}: autoCompleteMessages false is ignored; the host completes after success and abandons after failure`);
  }
  return {
    functionName: fn.name,
    connectionString: serviceBusConnection(binding, ctx, where),
    entity: serviceBusEntity(binding, ctx, where),
    processor,
    binary: binding.dataType === 'binary' || binding.dataType === 'stream',
  };
}

/** The entity path for log lines (`queue` or `topic/Subscriptions/sub`). */
export function entityPath(entity: ServiceBusEntity): string {
  return entity.kind === 'queue' ? entity.queueName : `${entity.topicName}/Subscriptions/${entity.subscriptionName}`;
}

/** Receives one queue or subscription for one function. */
export class ServiceBusListener implements TriggerListener {
  private client: ServiceBusClient | undefined;
  private receiver: ServiceBusReceiver | undefined;
  private subscription: { close(): Promise<void> } | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private killed = false;

  constructor(
    private readonly s: ServiceBusTriggerSettings,
    private readonly ctx: HostContext,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Opens the receiver and subscribes; connection problems surface (and are retried) through processError. */
  start(dispatch: Dispatch): Promise<void> {
    const client = new ServiceBusClient(this.s.connectionString);
    this.client = client;
    const options = { receiveMode: 'peekLock' as const, skipParsingBodyAsJson: true, maxAutoLockRenewalDurationInMs: this.s.processor.maxAutoLockRenewalDurationMs };
    const receiver = this.s.entity.kind === 'queue'
      ? client.createReceiver(this.s.entity.queueName, options)
      : client.createReceiver(this.s.entity.topicName, this.s.entity.subscriptionName, options);
    this.receiver = receiver;
    this.subscription = receiver.subscribe(
      {
        processMessage: (message) => this.handle(receiver, dispatch, message),
        processError: (args) => this.onError(args),
      },
      { autoCompleteMessages: false, maxConcurrentCalls: this.s.processor.maxConcurrentCalls },
    );
    return Promise.resolve();
  }

  /** Stops the credit flow (no new messages) and waits for the in-flight ones to be settled. */
  async drain(): Promise<void> {
    if (this.killed) return;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close().catch(() => undefined);
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drains, then closes the receiver and the connection. */
  async stop(): Promise<void> {
    await this.drain();
    const [receiver, client] = [this.receiver, this.client];
    this.receiver = undefined;
    this.client = undefined;
    await receiver?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  /** Simulates a killed process: the connection goes away with every in-flight message still locked. */
  abort(): void {
    this.killed = true;
    const client = this.client;
    this.client = undefined;
    this.receiver = undefined;
    void client?.close().catch(() => undefined);
  }

  private async onError(args: ProcessErrorArgs): Promise<void> {
    if (this.killed) return;
    this.ctx.log.warn(`serviceBusTrigger ${this.s.functionName}: ${args.errorSource} error (the SDK retries)`, { entity: entityPath(this.s.entity), error: args.error.message });
    return Promise.resolve();
  }

  private async handle(receiver: ServiceBusReceiver, dispatch: Dispatch, message: ServiceBusReceivedMessage): Promise<void> {
    this.running++;
    try {
      const outcome = await dispatch(serviceBusEvent(message, this.s.binary));
      if (this.killed) return;
      if (outcome.status === 'success') {
        await receiver.completeMessage(message);
        return;
      }
      await receiver.abandonMessage(message);
      this.ctx.log.warn(`serviceBusTrigger ${this.s.functionName}: invocation failed; message abandoned (delivery ${message.deliveryCount ?? '?'}; the broker dead-letters after MaxDeliveryCount)`, { entity: entityPath(this.s.entity), messageId: message.messageId, error: outcome.error.message });
    } catch (error) {
      // Lock lost or link gone: the broker hands the message out again once its lock expires.
      this.ctx.log.error(`serviceBusTrigger ${this.s.functionName}: could not settle a message; it will be redelivered`, { entity: entityPath(this.s.entity), error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}

/** The serviceBusTrigger type. */
export const serviceBusTrigger: TriggerDefinition = {
  type: 'serviceBusTrigger',
  create: (fn, binding, ctx) => new ServiceBusListener(serviceBusTriggerSettings(fn, binding, ctx), ctx),
};
