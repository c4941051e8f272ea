// One local replica: a child process running the functions host on its own port. Knows how to tell
// when it is ready (its ping answers 200), how to stop it gently (SIGTERM, grace, SIGKILL) and how
// it ended; the pool decides what to do about it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** How a replica process ended: exit code or signal, or the spawn error when it never ran. */
export interface ReplicaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

/** What to run for one replica and how to watch it. */
export interface ReplicaLaunch {
  file: string;
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** URL answered with 200 once the host serves (its admin ping). */
  readyUrl: string;
  readyTimeoutMs: number;
  pollIntervalMs: number;
  /** Each complete output line, as it arrives. */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** A free TCP port on the loopback interface (the OS picks it; a small race until the replica binds). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Human words for an exit: "exit code 1", "killed by SIGKILL", "could not start: spawn … ENOENT". */
export function describeExit(exit: ReplicaExit): string {
  if (exit.error !== undefined) return `could not start: ${exit.error}`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}

function forwardLines(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr', onLine: ReplicaLaunch['onLine']): void {
  if (!stream) return;
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(name, line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (pending !== '') onLine(name, pending);
    pending = '';
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A running replica process. */
export class ReplicaProcess {
  /** Settles once, when the process has exited (or failed to spawn). */
  readonly exited: Promise<ReplicaExit>;
  private exit: ReplicaExit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly launch: ReplicaLaunch,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit ??= { code, signal };
        resolve(this.exit);
      });
      // A spawn failure (ENOENT, EACCES) emits 'error' and no 'exit'; later errors (a failed kill) are not exits.
      child.on('error', (error) => {
        if (child.pid !== undefined) return;
        this.exit ??= { code: null, signal: null, error: error.message };
        resolve(this.exit);
      });
    });
  }

  /** Spawns the process; output lines go to `launch.onLine`. */
  static start(launch: ReplicaLaunch): ReplicaProcess {
    const child = spawn(launch.file, [...launch.args], { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', 'pipe'] });
    forwardLines(child.stdout, 'stdout', launch.onLine);
    forwardLines(child.stderr, 'stderr', launch.onLine);
    return new ReplicaProcess(child, launch);
  }

  /** The OS process id (undefined when the spawn failed). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process has ended. */
  isDone(): boolean {
    return this.exit !== undefined;
  }

  /** Polls the ready URL until it answers 200; 'exited' when the process ends first, 'timeout' after readyTimeoutMs. */
  async waitReady(now: () => number): Promise<'ready' | 'exited' | 'timeout'> {
    const deadline = now() + this.launch.readyTimeoutMs;
    while (!this.isDone()) {
      if (now() >= deadline) return 'timeout';
      if (await this.ping()) return this.isDone() ? 'exited' : 'ready';
      await Promise.race([delay(this.launch.pollIntervalMs), this.exited]);
    }
    return 'exited';
  }

  private async ping(): Promise<boolean> {
    try {
      const response = await fetch(this.launch.readyUrl, { signal: AbortSignal.timeout(Math.max(1_000, this.launch.pollIntervalMs)) });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGTERM (the host drains and exits 0), then SIGKILL after `graceMs`; resolves with how it ended and whether it was forced. */
  async stop(graceMs: number): Promise<ReplicaExit & { forced: boolean }> {
    if (this.isDone()) return { ...(await this.exited), forced: false };
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        resolve('expired');
      }, graceMs);
    });
    const first = await Promise.race([this.exited, expired]);
    clearTimeout(timer);
    if (first !== 'expired') return { ...first, forced: false };
    this.kill();
    return { ...(await this.exited), forced: true };
  }

  /** SIGKILL now (no drain). */
  kill(): void {
    if (!this.isDone()) this.child.kill('SIGKILL');
  }
}
