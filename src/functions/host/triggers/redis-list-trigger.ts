// redisListTrigger: entries of a Redis list, delivered at least once. The Functions extension pops
// entries (LPOP/RPOP) and loses them when the process dies mid-invocation; tide instead moves each entry
// atomically (LMOVE) to a processing list owned by this instance, deletes it there only after the
// function succeeded, and puts back whatever a dead instance left behind:
// - `<key>:processing:<instanceId>`: entries being processed by that instance.
// - `<key>:alive:<instanceId>`: a lease refreshed while the instance runs; a processing list whose lease
//   expired belongs to a dead instance and is moved back to `<key>` (at the end entries are popped from,
//   so they come first). An instance also recovers its own list at start (same id after a restart).
// - failures: the entry goes back to the far end of `<key>` (the others get their turn) and its attempts
//   are counted in the hash `<key>:attempts` (field = entry text; equal entries share a count); the 5th
//   failure moves it to the list `<key>:poison` instead. Nothing is ever dropped.

import type { Redis, RedisOptions } from 'ioredis';
import type { BindingDefinition, FunctionDefinition } from '../../../app/function-model.js';
import type { RpcTypedData } from '../../../app/rpc.js';
import { BindingConfigError, type Dispatch, type HostContext, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { connectTriggerClient, positiveIntOption, redisTriggerBase } from './redis-connection.js';
import { errorText, InFlight, pause } from './redis-poll.js';
import { FAIL_SCRIPT, listKeys, RECOVER_SCRIPT, scanPattern, type ListKeys } from './redis-list-keys.js';

/** Everything the list listener needs, resolved from the binding and settings. */
export interface RedisListSettings {
  readonly functionName: string;
  readonly connection: RedisOptions;
  readonly key: string;
  /** The end entries are taken from: LEFT (head, LPOP order) or RIGHT. */
  readonly direction: 'LEFT' | 'RIGHT';
  readonly pollingIntervalMs: number;
  readonly maxBatchSize: number;
  /** Failures after which an entry goes to `<key>:poison`. */
  readonly maxAttempts: number;
  /** How long a silent instance's processing list is left alone before others recover it. */
  readonly leaseMs: number;
  readonly binary: boolean;
  readonly instanceId: string;
}

/** Reads a redisListTrigger binding: connection, key, listDirection (or the older listPopFromBeginning), polling, batch. */
export function redisListSettings(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext): RedisListSettings {
  const where = `function ${fn.name} (redisListTrigger)`;
  return {
    ...redisTriggerBase(fn.name, binding, ctx, where),
    direction: listDirection(binding.options, where),
    maxAttempts: positiveIntOption(binding.options, 'maxDequeueCount', 5, where),
    leaseMs: positiveIntOption(binding.options, 'processingLeaseInMs', 30_000, where),
    binary: binding.dataType === 'binary',
    instanceId: ctx.instanceId,
  };
}

function listDirection(options: Readonly<Record<string, unknown>>, where: string): 'LEFT' | 'RIGHT' {
  const raw = options['listDirection'];
  if (raw === undefined || raw === null) return options['listPopFromBeginning'] === false ? 'RIGHT' : 'LEFT';
  const text = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (text === 'LEFT' || text === 'RIGHT') return text;
  throw new BindingConfigError(`${where}: "listDirection" must be LEFT or RIGHT, got ${JSON.stringify(raw)}`);
}

/** Listens to one Redis list for one function. */
export class RedisListListener implements TriggerListener {
  private readonly keys: ListKeys;
  private readonly inflight = new InFlight();
  private readonly stopping = new AbortController();
  private client: Redis | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private leaseTimer: NodeJS.Timeout | undefined;
  private killed = false;

  constructor(
    private readonly s: RedisListSettings,
    private readonly ctx: HostContext,
  ) {
    this.keys = listKeys(s.key, s.instanceId);
  }

  get inFlight(): number {
    return this.inflight.count;
  }

  /** Connects, takes the lease, recovers this instance's and dead instances' entries, then polls. */
  async start(dispatch: Dispatch): Promise<void> {
    const client = await connectTriggerClient(this.s.connection, this.ctx, this.s.functionName);
    this.client = client;
    await this.refreshLease();
    const own = await this.recover(this.keys.processing, undefined);
    if (own > 0) this.ctx.log.warn(`redisListTrigger ${this.s.functionName}: put back ${own} unfinished entries of a previous run`, { key: this.s.key });
    await this.recoverOrphans();
    let beat = 0;
    this.leaseTimer = setInterval(() => {
      beat++;
      const warn = (what: string) => (e: unknown) => {
        this.ctx.log.warn(`redisListTrigger ${this.s.functionName}: ${what} failed`, { error: errorText(e) });
      };
      void this.refreshLease().catch(warn('lease refresh'));
      if (beat % 3 === 0) void this.recoverOrphans().catch(warn('recovery'));
    }, Math.max(1, Math.floor(this.s.leaseMs / 3)));
    this.leaseTimer.unref();
    this.loopDone = this.loop(client, dispatch);
  }

  /** Stops polling and waits for the current batch to finish and settle. */
  async drain(): Promise<void> {
    this.stopping.abort();
    if (this.killed) return; // a killed process waits for nothing
    await this.loopDone;
    await this.inflight.idle();
  }

  /** Drains, gives up the lease and disconnects. */
  async stop(): Promise<void> {
    await this.drain();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.del(this.keys.alive).catch(() => undefined);
    await client.quit().catch(() => undefined);
  }

  /** Simulates a killed process: drops the connection at once and settles nothing still running. */
  abort(): void {
    this.killed = true;
    this.stopping.abort();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.client?.disconnect();
    this.client = undefined;
  }

  private async loop(client: Redis, dispatch: Dispatch): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let batch: Buffer[];
      try {
        batch = await this.fetch(client);
      } catch (error) {
        if (this.killed) return;
        this.ctx.log.warn(`redisListTrigger ${this.s.functionName}: fetch failed`, { key: this.s.key, error: errorText(error) });
        await pause(this.s.pollingIntervalMs, this.stopping.signal);
        continue;
      }
      if (batch.length === 0) {
        await pause(this.s.pollingIntervalMs, this.stopping.signal);
        continue;
      }
      await Promise.all(batch.map((entry) => this.inflight.track(() => this.handle(client, dispatch, entry))));
    }
  }

  /** Moves up to maxBatchSize entries to the processing list, each move atomic. */
  private async fetch(client: Redis): Promise<Buffer[]> {
    const pipeline = client.pipeline();
    for (let i = 0; i < this.s.maxBatchSize; i++) {
      // ioredis types LMOVE's directions as literals, so each direction is its own call.
      if (this.s.direction === 'LEFT') pipeline.lmoveBuffer(this.s.key, this.keys.processing, 'LEFT', 'RIGHT');
      else pipeline.lmoveBuffer(this.s.key, this.keys.processing, 'RIGHT', 'RIGHT');
    }
    const results = (await pipeline.exec()) ?? [];
    const entries: Buffer[] = [];
    for (const [error, value] of results) {
      if (error) throw error;
      if (!Buffer.isBuffer(value)) break;
      entries.push(value);
    }
    return entries;
  }

  private async handle(client: Redis, dispatch: Dispatch, entry: Buffer): Promise<void> {
    const value: RpcTypedData = this.s.binary ? { bytes: entry } : { string: entry.toString('utf8') };
    const outcome = await dispatch({ value, metadata: { Key: { string: this.s.key } } });
    if (this.killed) return;
    try {
      if (outcome.status === 'success') {
        await client.multi().lrem(this.keys.processing, 1, entry).hdel(this.keys.attempts, entry).exec();
        return;
      }
      const pushBack = this.s.direction === 'LEFT' ? 'RPUSH' : 'LPUSH';
      const k = this.keys;
      const result = await client.eval(FAIL_SCRIPT, 4, k.processing, this.s.key, k.attempts, k.poison, entry, this.s.maxAttempts, pushBack);
      if (result === 0) this.ctx.log.error(`redisListTrigger ${this.s.functionName}: entry failed ${this.s.maxAttempts} times, moved to ${k.poison}`, { error: outcome.error.message });
      else this.ctx.log.warn(`redisListTrigger ${this.s.functionName}: invocation failed, entry put back (attempt ${String(result)} of ${this.s.maxAttempts})`, { error: outcome.error.message });
    } catch (error) {
      // The entry stays in the processing list; a restart (or another instance after the lease) puts it back.
      this.ctx.log.error(`redisListTrigger ${this.s.functionName}: could not settle an entry`, { key: this.s.key, error: errorText(error) });
    }
  }

  private async refreshLease(): Promise<void> {
    await this.client?.set(this.keys.alive, '1', 'PX', this.s.leaseMs);
  }

  /** Moves a processing list back to the source unless its owner's lease (when given) is alive; returns the count moved. */
  private async recover(processing: string, alive: string | undefined): Promise<number> {
    const client = this.client;
    if (!client) return 0;
    const keys = alive === undefined ? [processing, this.s.key] : [processing, this.s.key, alive];
    const result = await client.eval(RECOVER_SCRIPT, keys.length, ...keys, this.s.direction);
    return typeof result === 'number' ? result : 0;
  }

  /** Puts back the processing lists of instances whose lease expired. */
  private async recoverOrphans(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', scanPattern(this.s.key), 'COUNT', 200, 'TYPE', 'list');
      cursor = next;
      for (const processing of found) {
        const id = processing.slice(`${this.s.key}:processing:`.length);
        if (id === this.s.instanceId) continue;
        const moved = await this.recover(processing, listKeys(this.s.key, id).alive);
        if (moved > 0) this.ctx.log.warn(`redisListTrigger ${this.s.functionName}: put back ${moved} entries left by instance ${id}`, { key: this.s.key });
      }
    } while (cursor !== '0');
  }
}

/** The redisListTrigger type. */
export const redisListTrigger: TriggerDefinition = {
  type: 'redisListTrigger',
  create: (fn, binding, ctx) => new RedisListListener(redisListSettings(fn, binding, ctx), ctx),
};
