// The visibility lease of one fetched message. The message stays invisible while its invocation runs:
// the lease is renewed at half its length (Update Message), sooner after a failed renewal. Every
// renewal returns a new pop receipt, so renewals and the final settle run one after another on one
// chain and the settle always uses the newest receipt. If the process dies, renewals stop and the
// message reappears when the lease runs out: that is how a kill loses nothing.
import type { QueueClient } from '@azure/storage-queue';
import type { HostLogger } from '../contract.js';
import { storageStatus } from '../storage-connection.js';

/** What a settle step gets: the message id and its current pop receipt. */
export interface LeaseHandle {
  readonly messageId: string;
  readonly popReceipt: string;
}

export class MessageLease {
  private popReceipt: string;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  /** False once the service said the receipt is stale: another consumer owns the message now. */
  private owned = true;

  constructor(
    private readonly client: QueueClient,
    private readonly messageId: string,
    popReceipt: string,
    private readonly leaseMs: number,
    private readonly log: HostLogger,
    private readonly logFields: Record<string, unknown>,
  ) {
    this.popReceipt = popReceipt;
    this.schedule(leaseMs / 2);
  }

  /** Whether this process still holds the message (no renewal was refused). */
  get held(): boolean {
    return this.owned;
  }

  /** Stops renewing without touching the message: it reappears when the lease runs out. */
  end(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs the settle step after any renewal in progress, with the newest pop receipt; renewals stop. */
  settle(step: (handle: LeaseHandle) => Promise<void>): Promise<void> {
    this.end();
    const run = this.chain.then(() => step({ messageId: this.messageId, popReceipt: this.popReceipt }));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.ended) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.renew());
    }, delayMs);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.ended) return;
    try {
      const seconds = Math.max(1, Math.ceil(this.leaseMs / 1_000));
      const answer = await this.client.updateMessage(this.messageId, this.popReceipt, undefined, seconds);
      if (answer.popReceipt !== undefined) this.popReceipt = answer.popReceipt;
      this.schedule(this.leaseMs / 2);
    } catch (error) {
      const status = storageStatus(error);
      if (status === 404 || status === 400) {
        // The receipt is stale (the lease ran out and someone else fetched it) or the message is gone.
        this.owned = false;
        this.log.warn('queue message lease lost; another consumer may process it again', { ...this.logFields, status });
        return;
      }
      this.log.warn('queue message lease renewal failed; retrying', { ...this.logFields, error: String(error) });
      this.schedule(Math.max(500, this.leaseMs / 10));
    }
  }
}
