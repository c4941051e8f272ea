// redisStreamTrigger: entries of a Redis stream read through a consumer group named after the function
// (created with MKSTREAM from the beginning of the stream), one consumer per host instance. An entry is
// XACKed only after the function succeeded. A failed entry stays pending and is claimed again (XCLAIM)
// once it has been idle for `pendingIdleTimeInMs` — by this or any other instance, so a killed
// instance's entries are processed elsewhere. While an invocation runs its entry's idle time is reset
// (XCLAIM … JUSTID, the lease renewal), so a slow invocation is not claimed twice. An entry delivered
// `maxDeliveryCount` (5) times is copied to the stream `<key>:poison` and acknowledged.

import type { Redis, RedisOptions } from 'ioredis';
import type { BindingDefinition, FunctionDefinition } from '../../../app/function-model.js';
import type { Dispatch, HostContext, TriggerDefinition, TriggerListener } from '../contract.js';
import { connectTriggerClient, positiveIntOption, redisTriggerBase } from './redis-connection.js';
import { errorText, InFlight, pause } from './redis-poll.js';
import { parseEntries, parsePending, streamEvent, type StreamEntry } from './redis-stream-entries.js';

/** Everything the stream listener needs, resolved from the binding and settings. */
export interface RedisStreamSettings {
  readonly functionName: string;
  readonly connection: RedisOptions;
  readonly key: string;
  /** The consumer group: the function name, as the extension does. */
  readonly group: string;
  /** The consumer: this host instance. */
  readonly consumer: string;
  readonly pollingIntervalMs: number;
  readonly maxBatchSize: number;
  readonly maxDeliveryCount: number;
  /** A pending entry idle this long belongs to a dead or failed invocation and is claimed again. */
  readonly pendingIdleMs: number;
}

/** Reads a redisStreamTrigger binding. */
export function redisStreamSettings(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): RedisStreamSettings {
  const where = `function ${fn.name} (redisStreamTrigger)`;
  return {
    ...redisTriggerBase(fn.name, binding, ctx, where),
    group: fn.name,
    consumer: ctx.instanceId,
    maxDeliveryCount: positiveIntOption(binding.options, 'maxDeliveryCount', 5, where),
    pendingIdleMs: positiveIntOption(binding.options, 'pendingIdleTimeInMs', 30_000, where),
  };
}

/** Listens to one Redis stream for one function. */
export class RedisStreamListener implements TriggerListener {
  private readonly inflight = new InFlight();
  private readonly stopping = new AbortController();
  private client: Redis | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private killed = false;

  constructor(
    private readonly s: RedisStreamSettings,
    private readonly ctx: HostContext,
  ) {}

  get inFlight(): number {
    return this.inflight.count;
  }

  /** Connects, creates the group if needed, and polls. */
  async start(dispatch: Dispatch): Promise<void> {
    const client = await connectTriggerClient(this.s.connection, this.ctx, this.s.functionName);
    this.client = client;
    try {
      await client.xgroup('CREATE', this.s.key, this.s.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!errorText(error).includes('BUSYGROUP')) throw error;
    }
    this.loopDone = this.loop(client, dispatch);
  }

  /** Stops polling and waits for the current batch to finish and settle. */
  async drain(): Promise<void> {
    this.stopping.abort();
    if (this.killed) return;
    await this.loopDone;
    await this.inflight.idle();
  }

  /** Drains and disconnects. */
  async stop(): Promise<void> {
    await this.drain();
    const client = this.client;
    this.client = undefined;
    await client?.quit().catch(() => undefined);
  }

  /** Simulates a killed process: drops the connection at once and acknowledges nothing still running. */
  abort(): void {
    this.killed = true;
    this.stopping.abort();
    this.client?.disconnect();
    this.client = undefined;
  }

  private async loop(client: Redis, dispatch: Dispatch): Promise<void> {
    // The first pass claims this consumer's own pending entries at once (a restart with the same id).
    let ownIdle: number | undefined = 0;
    while (!this.stopping.signal.aborted) {
      let batch: StreamEntry[];
      try {
        batch = [...(await this.claimStale(client, ownIdle)), ...(await this.readNew(client))];
        ownIdle = undefined;
      } catch (error) {
        if (this.killed) return;
        this.ctx.log.warn(`redisStreamTrigger ${this.s.functionName}: read failed`, { key: this.s.key, error: errorText(error) });
        await pause(this.s.pollingIntervalMs, this.stopping.signal);
        continue;
      }
      if (batch.length === 0) {
        await pause(this.s.pollingIntervalMs, this.stopping.signal);
        continue;
      }
      const renew = this.renewWhileRunning(client, batch.map((e) => e.id));
      try {
        await Promise.all(batch.map((entry) => this.inflight.track(() => this.handle(client, dispatch, entry))));
      } finally {
        clearInterval(renew);
      }
    }
  }

  private async readNew(client: Redis): Promise<StreamEntry[]> {
    const reply: unknown = await client.xreadgroup('GROUP', this.s.group, this.s.consumer, 'COUNT', this.s.maxBatchSize, 'STREAMS', this.s.key, '>');
    return parseEntries(reply, 1);
  }

  /**
   * Claims entries idle longer than pendingIdleMs (own entries with `ownIdle` when given); those
   * already delivered maxDeliveryCount times go to the poison stream instead of being returned.
   */
  private async claimStale(client: Redis, ownIdle: number | undefined): Promise<StreamEntry[]> {
    const idle = ownIdle ?? this.s.pendingIdleMs;
    const args = ['XPENDING', this.s.key, this.s.group, 'IDLE', String(idle), '-', '+', String(this.s.maxBatchSize), ...(ownIdle === undefined ? [] : [this.s.consumer])];
    const pending = parsePending(await client.call(...(args as [string, ...string[]])));
    if (pending.length === 0) return [];
    const counts = new Map(pending.map((p) => [p.id, p.deliveries]));
    const claimed: unknown = await client.xclaim(this.s.key, this.s.group, this.s.consumer, idle, ...pending.map((p) => p.id));
    const entries = parseEntries(claimed, 0).map((e) => ({ ...e, deliveries: (counts.get(e.id) ?? 0) + 1 }));
    const fresh: StreamEntry[] = [];
    for (const entry of entries) {
      if (entry.deliveries <= this.s.maxDeliveryCount) fresh.push(entry);
      else await this.poison(client, entry);
    }
    return fresh;
  }

  private async poison(client: Redis, entry: StreamEntry): Promise<void> {
    const poison = `${this.s.key}:poison`;
    const fields = Object.entries(entry.values).flat();
    await client.multi().xadd(poison, '*', ...(fields.length > 0 ? fields : ['$id', entry.id])).xack(this.s.key, this.s.group, entry.id).exec();
    this.ctx.log.error(`redisStreamTrigger ${this.s.functionName}: entry ${entry.id} failed ${this.s.maxDeliveryCount} times, copied to ${poison} and acknowledged`, { key: this.s.key });
  }

  /** Resets the idle time of running entries every third of pendingIdleMs, so no one claims them meanwhile. */
  private renewWhileRunning(client: Redis, ids: string[]): NodeJS.Timeout {
    const timer = setInterval(() => {
      if (this.killed) return;
      client.xclaim(this.s.key, this.s.group, this.s.consumer, 0, ...ids, 'JUSTID').catch((error: unknown) => {
        this.ctx.log.warn(`redisStreamTrigger ${this.s.functionName}: lease renewal failed`, { error: errorText(error) });
      });
    }, Math.max(1, Math.floor(this.s.pendingIdleMs / 3)));
    timer.unref();
    return timer;
  }

  private async handle(client: Redis, dispatch: Dispatch, entry: StreamEntry): Promise<void> {
    const outcome = await dispatch(streamEvent(this.s.key, entry, this.s.maxDeliveryCount));
    if (this.killed) return;
    if (outcome.status === 'failure') {
      this.ctx.log.warn(`redisStreamTrigger ${this.s.functionName}: invocation failed; entry ${entry.id} stays pending (delivery ${entry.deliveries} of ${this.s.maxDeliveryCount})`, {
        error: outcome.error.message,
      });
      return;
    }
    try {
      await client.xack(this.s.key, this.s.group, entry.id);
    } catch (error) {
      this.ctx.log.error(`redisStreamTrigger ${this.s.functionName}: could not acknowledge ${entry.id}; it will be delivered again`, { error: errorText(error) });
    }
  }
}

/** The redisStreamTrigger type. */
export const redisStreamTrigger: TriggerDefinition = {
  type: 'redisStreamTrigger',
  create: (fn, binding, ctx) => new RedisStreamListener(redisStreamSettings(fn, binding, ctx), ctx),
};
