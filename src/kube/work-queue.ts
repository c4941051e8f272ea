// A keyed work queue as client-go's: a key waits at most once however often it is added, one
// reconcile per key runs at a time (a key added while it runs is run again after), failures back off
// per key exponentially (base × 2^failures, capped), and the whole queue is rate limited.
import { TokenBucket } from './token-bucket.js';

/** What a reconcile asks for besides success: run again after a delay. */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/** Reconciles one key; a rejection requeues it with back-off. */
export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>;

export interface WorkQueueOptions {
  /** Keys reconciled at once (KEDA: 5 for ScaledObjects). */
  readonly concurrency?: number;
  /** First retry delay; default 5 ms (client-go). */
  readonly baseDelayMs?: number;
  /** Longest retry delay; default 1000 s (client-go). */
  readonly maxDelayMs?: number;
  /** Overall retry rate: default 10 per second with a burst of 100 (client-go). */
  readonly qps?: number;
  readonly burst?: number;
  /** A reconcile threw: for logs (the key is retried). */
  readonly onError?: (key: string, error: unknown) => void;
}

export class WorkQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly bucket: TokenBucket;
  private readonly idleWaiters: (() => void)[] = [];
  private reconcile: Reconciler | undefined;
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions = {}) {
    this.bucket = new TokenBucket(options.qps ?? 10, options.burst ?? 100);
  }

  /** Starts the workers. */
  start(reconcile: Reconciler): void {
    this.reconcile = reconcile;
    this.pump();
  }

  /** Queues a key now (a no-op when it is already waiting). */
  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.waiting.push(key);
    this.pump();
  }

  /** Queues a key after `ms`; an earlier pending time for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const due = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending !== undefined && pending.due <= due) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { due, timer });
  }

  /** Queues a key after its back-off (which doubles with every failure since the last forget). */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const base = this.options.baseDelayMs ?? 5;
    const perKey = Math.min(base * 2 ** failures, this.options.maxDelayMs ?? 1_000_000);
    this.addAfter(key, Math.max(perKey, this.bucket.reserve()));
  }

  /** Clears a key's back-off (after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures since the last forget. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting or running. */
  get length(): number {
    return this.waiting.length + this.running.size;
  }

  /** Resolves when nothing is waiting or running (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((done) => this.idleWaiters.push(done));
  }

  /** Drops waiting and delayed keys and waits for running reconciles to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    this.queued.clear();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.idle();
  }

  private pump(): void {
    const reconcile = this.reconcile;
    if (reconcile === undefined) return;
    const limit = this.options.concurrency ?? 1;
    while (this.running.size < limit && this.waiting.length > 0) {
      const key = this.waiting.shift() as string;
      this.queued.delete(key);
      this.running.add(key);
      void this.runOne(reconcile, key);
    }
    if (this.length === 0) for (const done of this.idleWaiters.splice(0)) done();
  }

  private async runOne(reconcile: Reconciler, key: string): Promise<void> {
    try {
      const result = await reconcile(key);
      this.forget(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      this.options.onError?.(key, error);
      if (!this.stopped) this.addRateLimited(key);
    } finally {
      this.running.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
