// The local-mode ScaleTarget: replicas are child processes running the functions host for one app,
// each on its own port. Scale-out launches processes, scale-in drains the newest ones, a replica that
// dies on its own is restarted with back-off (never a restart storm) and counted.
//
// setReplicas(n) resolves once the new processes are launched (not yet ready: getReplicas reports
// readiness) or the removed ones were told to stop: like terminating pods, they drain in the
// background (no longer counted) so the scale loop keeps polling; drained() waits for them.
import { crashBackoff, DEFAULT_BACKOFF } from './local-backoff.js';
import { replicaEnv, type LocalProcessPoolOptions, type PoolEvent, type ReplicaPhase, type ReplicaStatus } from './local-pool-options.js';
import { describeExit, freePort, ReplicaProcess, type ReplicaExit } from './local-replica.js';
import type { ScaleTarget } from './scale-target.js';

export type { LocalProcessPoolOptions, PoolEvent, ReplicaStatus } from './local-pool-options.js';

const LAST_LINES = 10;

interface Slot {
  index: number;
  phase: ReplicaPhase;
  process: ReplicaProcess | undefined;
  port: number | undefined;
  restarts: number;
  /** Exits in a row without staying up resetAfterMs. */
  consecutive: number;
  readyAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  removed: boolean;
  lastLines: string[];
}

/** Replicas of a function app as local child processes. */
export class LocalProcessPool implements ScaleTarget {
  private readonly slots = new Map<number, Slot>();
  /** The latest drain of each index: a new replica on the same fixed port waits for it. */
  private readonly stopping = new Map<number, Promise<void>>();
  /** Every drain under way. */
  private readonly drains = new Set<Promise<void>>();
  private totalRestarts = 0;
  private closed = false;
  private readonly now: () => number;
  /** Every process not yet exited, draining ones included. */
  private readonly live = new Set<ReplicaProcess>();
  private readonly killAllOnExit = (): void => {
    for (const replica of this.live) replica.kill();
  };

  constructor(private readonly options: LocalProcessPoolOptions) {
    if (options.bundle === undefined && options.command === undefined) throw new TypeError('LocalProcessPool: give a bundle path or a command');
    this.now = options.now ?? Date.now;
    // If this process dies without close(), do not leave orphaned hosts behind.
    process.on('exit', this.killAllOnExit);
  }

  /** replicas: launched or waiting to restart; readyReplicas: answering their ping. */
  getReplicas(): Promise<{ replicas: number; readyReplicas: number }> {
    const slots = [...this.slots.values()];
    return Promise.resolve({ replicas: slots.length, readyReplicas: slots.filter((s) => s.phase === 'ready').length });
  }

  /** Scales to `n`: launches the missing replicas in parallel, or drains the newest ones and waits for them to exit. */
  async setReplicas(n: number, reason: string): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`replica count must be a non-negative integer, got ${n}`);
    if (this.closed) throw new Error('the process pool is closed');
    const from = this.slots.size;
    if (n === from) return;
    this.emit({ type: 'scale', from, to: n, reason, message: `scaling ${from} → ${n}: ${reason}` });
    if (n > from) {
      const added: Slot[] = [];
      for (let index = from; index < n; index++) added.push(this.addSlot(index));
      await Promise.all(added.map((slot) => this.launch(slot)));
      return;
    }
    const removed = [...this.slots.values()].filter((s) => s.index >= n);
    for (const slot of removed) void this.stopSlot(slot);
  }

  /** Replicas told to stop that have not exited yet. */
  get draining(): number {
    return this.drains.size;
  }

  /** Resolves when every replica told to stop has exited. */
  async drained(): Promise<void> {
    while (this.drains.size > 0) await Promise.all(this.drains);
  }

  /** Every replica's phase, pid, port and restart count, by index. */
  status(): ReplicaStatus[] {
    return [...this.slots.values()]
      .sort((a, b) => a.index - b.index)
      .map((s) => ({ index: s.index, phase: s.phase, pid: s.process?.pid, port: s.port, restarts: s.restarts }));
  }

  /** Restarts after unexpected exits, over the life of the pool (replicas since removed included). */
  get restarts(): number {
    return this.totalRestarts;
  }

  /** Drains every replica (SIGTERM, grace, SIGKILL) and refuses further scaling. */
  async close(): Promise<void> {
    if (this.closed) {
      await this.drained();
      return;
    }
    this.closed = true;
    await Promise.all([...this.slots.values()].map((slot) => this.stopSlot(slot)));
    await this.drained();
    process.off('exit', this.killAllOnExit);
  }

  private addSlot(index: number): Slot {
    const slot: Slot = { index, phase: 'starting', process: undefined, port: undefined, restarts: 0, consecutive: 0, readyAt: undefined, timer: undefined, removed: false, lastLines: [] };
    this.slots.set(index, slot);
    return slot;
  }

  private emit(event: PoolEvent): void {
    this.options.onEvent?.(event);
  }

  private gone(slot: Slot): boolean {
    return this.closed || slot.removed;
  }

  /** Starts (or restarts) the process of a slot and watches it in the background. */
  private async launch(slot: Slot): Promise<void> {
    const fixedPort = this.options.portFor?.(slot.index);
    // A replica on a fixed port waits for its draining predecessor to free the port.
    const previous = fixedPort === undefined ? undefined : this.stopping.get(slot.index);
    if (previous) await previous;
    const port = fixedPort ?? (await freePort());
    if (this.gone(slot)) return;
    const { file, args } = this.options.bundle !== undefined ? { file: process.execPath, args: [this.options.bundle] } : (this.options.command ?? { file: '', args: [] });
    const replica = ReplicaProcess.start({
      file,
      args,
      cwd: this.options.appDir,
      env: replicaEnv(this.options, slot.index, port, process.env),
      readyUrl: `http://127.0.0.1:${port}${this.options.readyPath ?? '/admin/host/ping'}`,
      readyTimeoutMs: this.options.readyTimeoutMs ?? 30_000,
      pollIntervalMs: this.options.pollIntervalMs ?? 100,
      onLine: (stream, line) => {
        slot.lastLines.push(line);
        if (slot.lastLines.length > LAST_LINES) slot.lastLines.shift();
        this.options.onOutput?.(slot.index, line, stream);
      },
    });
    this.live.add(replica);
    void replica.exited.then(() => this.live.delete(replica));
    Object.assign(slot, { process: replica, port, phase: 'starting', readyAt: undefined });
    this.emit({ type: 'started', index: slot.index, pid: replica.pid, port, message: `replica ${slot.index} started (pid ${replica.pid ?? '-'}, port ${port})` });
    void this.watch(slot, replica);
  }

  private async watch(slot: Slot, replica: ReplicaProcess): Promise<void> {
    const startedAt = this.now();
    const outcome = await replica.waitReady(this.now);
    if (slot.process !== replica) return;
    if (outcome === 'ready' && slot.phase === 'starting') {
      slot.phase = 'ready';
      slot.readyAt = this.now();
      const afterMs = slot.readyAt - startedAt;
      this.emit({ type: 'ready', index: slot.index, port: slot.port ?? 0, afterMs, message: `replica ${slot.index} ready on port ${slot.port ?? 0} after ${afterMs} ms` });
    } else if (outcome === 'timeout' && slot.phase === 'starting') {
      slot.lastLines.push(`(not ready after ${this.options.readyTimeoutMs ?? 30_000} ms: killed)`);
      replica.kill();
    }
    const exit = await replica.exited;
    if (slot.process !== replica || slot.phase === 'stopping' || this.gone(slot)) return;
    this.crashed(slot, exit);
  }

  /** An exit nobody asked for: schedule the restart after the back-off and report it. */
  private crashed(slot: Slot, exit: ReplicaExit): void {
    const beforeReady = slot.readyAt === undefined;
    const upForMs = slot.readyAt === undefined ? 0 : this.now() - slot.readyAt;
    const { delayMs, consecutive } = crashBackoff(this.options.backoff ?? DEFAULT_BACKOFF, slot.consecutive, upForMs);
    Object.assign(slot, { consecutive, phase: 'backoff', process: undefined, readyAt: undefined });
    const what = beforeReady ? 'failed to start' : 'exited unexpectedly';
    this.emit({
      type: 'exited',
      index: slot.index,
      code: exit.code,
      signal: exit.signal,
      beforeReady,
      consecutive,
      restartInMs: delayMs,
      message: `replica ${slot.index} ${what} (${describeExit(exit)}); restarting in ${delayMs / 1000} s`,
    });
    if (consecutive === (this.options.crashLoopAfter ?? 3)) {
      const lastOutput = [...slot.lastLines];
      const tail = lastOutput.length > 0 ? `; last output:\n  ${lastOutput.join('\n  ')}` : '';
      this.emit({
        type: 'crash-loop',
        index: slot.index,
        consecutive,
        lastOutput,
        message: `replica ${slot.index} keeps failing: ${consecutive} exits in a row (last: ${describeExit(exit)}); retrying with back-off up to ${(this.options.backoff ?? DEFAULT_BACKOFF).maxMs / 1000} s${tail}`,
      });
    }
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.gone(slot)) return;
      slot.restarts++;
      this.totalRestarts++;
      this.emit({ type: 'restarting', index: slot.index, restarts: slot.restarts, message: `replica ${slot.index}: restart #${slot.restarts}` });
      void this.launch(slot);
    }, delayMs);
  }

  /** Removes a slot: cancels a pending restart, drains its process and waits for it to exit. */
  private async stopSlot(slot: Slot): Promise<void> {
    slot.removed = true;
    this.slots.delete(slot.index);
    clearTimeout(slot.timer);
    const replica = slot.process;
    if (!replica) return;
    slot.phase = 'stopping';
    const stopped = replica.stop(this.options.graceMs ?? 30_000).then((exit) => {
      this.emit({
        type: 'stopped',
        index: slot.index,
        code: exit.code,
        signal: exit.signal,
        forced: exit.forced,
        message: `replica ${slot.index} stopped (${describeExit(exit)}${exit.forced ? ', killed after the grace period' : ''})`,
      });
    });
    this.stopping.set(slot.index, stopped);
    this.drains.add(stopped);
    await stopped;
    this.drains.delete(stopped);
    if (this.stopping.get(slot.index) === stopped) this.stopping.delete(slot.index);
  }
}
