// One message from fetch to settle, the way the Storage extension's QueueProcessor does it:
// decode → dispatch → success: delete; failure: poison once DequeueCount reaches maxDequeueCount,
// else visible again after visibilityTimeout. Nothing is settled before the dispatch resolved, and a
// listener that is abandoned (killed) settles nothing, so the message comes back after its lease.
import type { QueueClient } from '@azure/storage-queue';
import type { Dispatch, HostLogger } from '../contract.js';
import { storageStatus } from '../storage-connection.js';
import { MessageLease, type LeaseHandle } from './queue-lease.js';
import { decodeMessageText, queueTriggerEvent, type ReceivedQueueMessage } from './queue-message.js';
import type { QueueListenerOptions } from './queue-options.js';

/** What processing a message needs from its listener. */
export interface QueueProcessorContext {
  readonly client: QueueClient;
  readonly queueName: string;
  /** Undefined when the queue has no poison queue (its name ends -poison or would be too long). */
  readonly poison: PoisonQueue | undefined;
  readonly options: QueueListenerOptions;
  readonly log: HostLogger;
  readonly functionName: string;
  /** Aborted when the listener is abandoned: outcomes that arrive afterwards are not settled. */
  readonly abandoned: AbortSignal;
}

/** The `<queue>-poison` queue, created on first use. */
export class PoisonQueue {
  private created: Promise<unknown> | undefined;

  constructor(readonly client: QueueClient) {}

  /** Copies the stored text (still encoded) to the poison queue; the caller deletes the original. */
  async add(messageText: string): Promise<void> {
    this.created ??= this.client.createIfNotExists().catch((error: unknown) => {
      this.created = undefined;
      throw error;
    });
    await this.created;
    await this.client.sendMessage(messageText);
  }
}

/** Processes one fetched message end to end; never throws (failures are logged, the message comes back). */
export async function processQueueMessage(ctx: QueueProcessorContext, message: ReceivedQueueMessage, dispatch: Dispatch): Promise<void> {
  const fields = { function: ctx.functionName, queue: ctx.queueName, messageId: message.messageId, dequeueCount: message.dequeueCount };
  const lease = new MessageLease(ctx.client, message.messageId, message.popReceipt, ctx.options.leaseMs, ctx.log, fields);
  const endLease = (): void => {
    lease.end();
  };
  ctx.abandoned.addEventListener('abort', endLease, { once: true });
  try {
    if (ctx.poison && message.dequeueCount > ctx.options.maxDequeueCount) {
      await lease.settle((handle) => movePoison(ctx, ctx.poison, message, handle, fields));
      return;
    }
    const text = decodeMessageText(message.messageText, ctx.options.messageEncoding);
    if (text === undefined) {
      ctx.log.error('queue message is not valid base64 (host.json extensions.queues.messageEncoding is "base64")', fields);
      // Without a poison queue the message stays invisible until its lease runs out, as in the real host.
      if (ctx.poison) await lease.settle((handle) => movePoison(ctx, ctx.poison, message, handle, fields));
      return;
    }
    const outcome = await dispatch(queueTriggerEvent(message, text), ctx.abandoned);
    if (ctx.abandoned.aborted) return;
    if (outcome.status === 'success') {
      await lease.settle((handle) => deleteMessage(ctx, handle, fields));
    } else if (!ctx.poison) {
      ctx.log.warn('queue function failed; the message stays invisible (no poison queue for this queue)', { ...fields, error: outcome.error.message });
    } else if (message.dequeueCount >= ctx.options.maxDequeueCount) {
      await lease.settle((handle) => movePoison(ctx, ctx.poison, message, handle, fields));
    } else {
      await lease.settle((handle) => release(ctx, handle, ctx.options.visibilityTimeoutMs));
    }
  } catch (error) {
    ctx.log.error('queue message could not be settled; it will reappear when its lease runs out', { ...fields, error: String(error) });
  } finally {
    lease.end();
    ctx.abandoned.removeEventListener('abort', endLease);
  }
}

async function deleteMessage(ctx: QueueProcessorContext, handle: LeaseHandle, fields: Record<string, unknown>): Promise<void> {
  try {
    await ctx.client.deleteMessage(handle.messageId, handle.popReceipt);
  } catch (error) {
    // 404: the lease ran out and another consumer holds the message; it will run again there.
    if (storageStatus(error) !== 404) throw error;
    ctx.log.warn('queue message was already gone or re-fetched when deleting it', fields);
  }
}

/** Makes a fetched message visible again after `visibilityMs` (0 = at once). */
export async function release(ctx: Pick<QueueProcessorContext, 'client'>, handle: LeaseHandle, visibilityMs: number): Promise<void> {
  try {
    // Storage takes whole seconds; .NET truncates the TimeSpan the same way.
    await ctx.client.updateMessage(handle.messageId, handle.popReceipt, undefined, Math.floor(visibilityMs / 1_000));
  } catch (error) {
    if (storageStatus(error) !== 404) throw error;
  }
}

async function movePoison(
  ctx: QueueProcessorContext,
  poison: PoisonQueue | undefined,
  message: ReceivedQueueMessage,
  handle: LeaseHandle,
  fields: Record<string, unknown>,
): Promise<void> {
  if (!poison) return;
  ctx.log.warn(`queue message reached MaxDequeueCount of ${ctx.options.maxDequeueCount}; moving it to queue "${ctx.queueName}-poison"`, fields);
  // Copy first, then delete: a crash in between leaves a duplicate, never a loss.
  await poison.add(message.messageText);
  await deleteMessage(ctx, handle, fields);
}
