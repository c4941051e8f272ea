// Listener singleton: with several replicas, one listener of a function holds a blob lease and only
// that one runs (timerTrigger). This is the host's SingletonMode.Listener: blob
// `azure-webjobs-hosts/locks/<hostId>/<lockId>.Listener` in AzureWebJobsStorage, leased for
// host.json `singleton.listenerLockPeriod` (60 s default; a blob lease is 15–60 s), renewed at half
// the period; a replica without the lease retries every `singleton.listenerLockRecoveryPollingInterval`
// (60 s default). A holder that stops releases the lease, so another replica takes over on its next
// try; a holder that is killed keeps it until it expires.
import { randomUUID } from 'node:crypto';
import { BlobLeaseClient, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import { parseTimeSpan } from '../ncrontab.js';
import { BindingConfigError, type HostLogger } from '../contract.js';
import { storageErrorCode, storageStatus } from '../storage-connection.js';

/** The host's container for locks and timer statuses. */
export const HOSTS_CONTAINER = 'azure-webjobs-hosts';

/** Lease timings in ms. */
export interface SingletonOptions {
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly acquireRetryMs: number;
}

/** A lease on one lock; the blob implementation is below, tests may use others. */
export interface LeaseBackend {
  /** The lease id when acquired, undefined when someone else holds it; throws on other errors. */
  tryAcquire(): Promise<string | undefined>;
  /** True when renewed, false when the lease is gone (taken or broken); throws on transient errors. */
  renew(leaseId: string): Promise<boolean>;
  /** Gives the lease up (best effort). */
  release(leaseId: string): Promise<void>;
}

/** What the singleton tells its listener. */
export interface SingletonHooks {
  /** The lease is ours: start running. */
  acquired(): void;
  /** The lease was lost: stop running (resolve once stopped). */
  lost(): Promise<void>;
}

/** host.json `singleton` listener settings: lease clamped to Storage's 15–60 s, renewal at half of it. */
export function singletonOptions(hostJson: Readonly<Record<string, unknown>>): SingletonOptions {
  const section = lookup(hostJson, 'singleton');
  const record = typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : {};
  const lease = Math.min(60_000, Math.max(15_000, timeSpan(record, 'listenerLockPeriod') ?? 60_000));
  const retry = timeSpan(record, 'listenerLockRecoveryPollingInterval') ?? 60_000;
  return { leaseMs: lease, renewMs: lease / 2, acquireRetryMs: Math.max(100, retry) };
}

function lookup(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.entries(record).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

function timeSpan(record: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const raw = lookup(record, key);
  if (raw === undefined || raw === null) return undefined;
  const ms = typeof raw === 'string' ? parseTimeSpan(raw) : { error: 'not a string' };
  if (typeof ms !== 'number') throw new BindingConfigError(`host.json singleton.${key} must be a TimeSpan "hh:mm:ss" (got ${JSON.stringify(raw)})`);
  return ms;
}

/** The lock blob's name: `locks/<hostId>/<lockId>` (lockId already ends in `.Listener`). */
export function lockBlobName(hostId: string, lockId: string): string {
  return `locks/${hostId}/${lockId}`;
}

/** A lease on a blob, creating the (empty) blob and its container on first use; `owner` goes into metadata FunctionInstance. */
export function blobLeaseBackend(container: ContainerClient, blobName: string, leaseMs: number, owner: string): LeaseBackend {
  const blob = container.getBlockBlobClient(blobName);
  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ready ??= ensureBlob(container, blob).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return {
    tryAcquire: async () => {
      await ensure();
      const lease = blob.getBlobLeaseClient(randomUUID());
      try {
        await lease.acquireLease(Math.round(leaseMs / 1_000));
      } catch (error) {
        if (storageStatus(error) === 409) return undefined;
        if (storageStatus(error) === 404) ready = undefined;
        throw error;
      }
      await blob.setMetadata({ FunctionInstance: owner }, { conditions: { leaseId: lease.leaseId } }).catch(() => undefined);
      return lease.leaseId;
    },
    renew: async (leaseId) => {
      try {
        await new BlobLeaseClient(blob, leaseId).renewLease();
        return true;
      } catch (error) {
        const status = storageStatus(error);
        if (status === 409 || status === 412 || status === 404) return false;
        throw error;
      }
    },
    release: async (leaseId) => {
      await new BlobLeaseClient(blob, leaseId).releaseLease().catch(() => undefined);
    },
  };
}

async function ensureBlob(container: ContainerClient, blob: BlockBlobClient): Promise<void> {
  await container.createIfNotExists();
  try {
    await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
  } catch (error) {
    // Already there (maybe leased by another replica): exactly what we need.
    const status = storageStatus(error);
    if (status !== 409 && status !== 412) throw error;
  }
}

/** Holds a listener lock: acquires, renews, reports loss, releases on stop. */
export class ListenerSingleton {
  private stopped = false;
  private leaseId: string | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly backend: LeaseBackend,
    private readonly options: SingletonOptions,
    private readonly log: HostLogger,
    private readonly fields: Record<string, unknown>,
  ) {}

  /** True while this replica holds the lock. */
  get held(): boolean {
    return this.leaseId !== undefined;
  }

  /** Starts competing for the lock in the background. */
  start(hooks: SingletonHooks): void {
    if (this.loop) throw new Error('singleton already started');
    this.loop = this.run(hooks);
  }

  /** Stops renewing and competing, then releases the lock if held (call after the listener stopped running). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    const id = this.leaseId;
    this.leaseId = undefined;
    if (id !== undefined) await this.backend.release(id);
  }

  /** Stops at once without releasing, as a kill would (the lease runs out on its own). */
  abandon(): void {
    this.stopped = true;
    this.leaseId = undefined;
    this.wake?.();
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private async run(hooks: SingletonHooks): Promise<void> {
    while (!this.isStopped()) {
      const id = await this.acquire();
      if (this.isStopped()) {
        if (id !== undefined) this.leaseId = id;
        return;
      }
      if (id === undefined) {
        await this.pause(this.options.acquireRetryMs);
        continue;
      }
      this.leaseId = id;
      this.log.info('listener lock acquired; this replica runs the function', this.fields);
      hooks.acquired();
      if (await this.holdUntilLost(id)) {
        this.leaseId = undefined;
        this.log.warn('listener lock lost; stopping until it can be acquired again', this.fields);
        await hooks.lost();
      }
    }
  }

  private async acquire(): Promise<string | undefined> {
    try {
      const id = await this.backend.tryAcquire();
      this.lastError = undefined;
      return id;
    } catch (error) {
      const code = storageErrorCode(error) ?? String(storageStatus(error) ?? error);
      if (code !== this.lastError) this.log.warn('listener lock could not be acquired; retrying', { ...this.fields, error: code });
      this.lastError = code;
      return undefined;
    }
  }

  /** Renews until the lease is lost (true) or the singleton stops (false). */
  private async holdUntilLost(id: string): Promise<boolean> {
    let renewedAt = Date.now();
    let delay = this.options.renewMs;
    for (;;) {
      await this.pause(delay);
      if (this.isStopped()) return false;
      try {
        if (!(await this.backend.renew(id))) return true;
        renewedAt = Date.now();
        delay = this.options.renewMs;
      } catch (error) {
        // Transient: keep trying quickly while the lease may still be ours.
        if (Date.now() - renewedAt >= this.options.leaseMs) return true;
        this.log.debug('listener lock renewal failed; retrying', { ...this.fields, error: storageErrorCode(error) ?? String(error) });
        delay = Math.min(1_000, this.options.renewMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
