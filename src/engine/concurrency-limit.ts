// At most `max` calls at once, the rest waiting in order. The operator shares one between every scale
// loop, so thousands of loops polling at the same moment (all started together after a restart) make
// a bounded number of scaler calls at a time instead of one burst against the brokers.

export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`the concurrency limit must be a positive integer, got ${max}`);
  }

  /** Calls now running. */
  get running(): number {
    return this.active;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `call` when a slot is free; the slot goes straight to the next waiter when it ends. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((handOver) => this.waiting.push(handOver));
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}
