// A keyed work queue for the simulated controllers: a key queued many times reconciles once, work
// runs on a later turn of the event loop (so API replies go out first), failures retry after a pause.

/** Deduplicating, asynchronous, retrying queue of string keys. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly work: (key: string) => void,
    private readonly retryMs = 20,
    private readonly onError: (key: string, err: unknown) => void = () => undefined,
  ) {}

  /** Queues a key. */
  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.scheduled ??= setImmediate(() => { this.drain(); });
  }

  /** Queues a key after a delay (pod start, job duration). */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.retries.delete(t);
      this.add(key);
    }, delayMs);
    this.retries.add(t);
  }

  /** Cancels everything queued or waiting. */
  stop(): void {
    this.stopped = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    this.pending.clear();
  }

  private drain(): void {
    this.scheduled = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      try {
        this.work(k);
      } catch (err) {
        this.onError(k, err);
        this.addAfter(k, this.retryMs);
      }
    }
  }
}
