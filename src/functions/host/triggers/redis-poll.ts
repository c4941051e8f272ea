// What the two polling Redis listeners share: counting in-flight invocations so drain can wait for
// them, and a polling pause that drain cuts short.

/** Counts running invocations; `idle()` resolves once none is left. */
export class InFlight {
  private running = 0;
  private waiters: (() => void)[] = [];

  /** Invocations running now. */
  get count(): number {
    return this.running;
  }

  /** Runs `work` counted as in flight. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Waits `ms`, or less when `signal` aborts (drain must not wait out a polling interval). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Text of an unknown thrown value, for logs. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
