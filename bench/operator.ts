// bench/operator: `tide operator` with BENCH_OPERATOR_OBJECTS (5,000) ScaledObjects on the fake API
// server, each a Deployment at 0 with a cron trigger that is never active — a cluster where nothing
// happens. After the warm-up (every object reconciled, its loop polled, no status write for 40 s) it
// measures a steady window of BENCH_OPERATOR_WINDOW_S (120) seconds: the operator's RSS and CPU, API
// requests and status writes per minute, and the scale-loop latency (a poll's due time to its
// decision). The fake and the operator run in processes of their own, the operator as users run it:
// plain node on the compiled sources (dist/, rebuilt first), so RSS and CPU are the operator's alone.
// Goals (issue 7): ≤ 300 MiB RSS, no status write when nothing changed, p99 < 100 ms.
// The operator runs with BENCH_OPERATOR_QPS (default 0: no client limit, or the warm-up of 5,000
// objects would take most of an hour at KEDA's 20); the steady rate is printed against 20 QPS.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};

function startFake(objects: number): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = fork(fileURLToPath(new URL('./operator-apiserver.ts', import.meta.url)), [], { env: { ...process.env, BENCH_OPERATOR_OBJECTS: String(objects) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => { reject(new Error(`the fake API server exited (${String(code)})`)); });
    child.once('message', (m) => { resolve({ child, kubeconfig: (m as { kubeconfig: string }).kubeconfig }); });
  });
}

function childRss(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => { resolve((m as { rss: number }).rss); });
    child.send('rss');
  });
}

const sum = (m: ReadonlyMap<string, number>, skip: string): number => [...m].reduce((a, [verb, n]) => (verb === skip ? a : a + n), 0);
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface OperatorStats {
  loops: number;
  queue: number;
  decided: number;
  statusWrites: number;
  requests: Record<string, number>;
  rss: number;
  heapUsed: number;
  cpu: NodeJS.CpuUsage;
  latencies: number[];
}

/** The compiled operator in a plain-node child (bench/operator-process.mjs). */
class OperatorProcess {
  private constructor(private readonly child: ChildProcess) {}

  static start(): OperatorProcess {
    const root = fileURLToPath(new URL('..', import.meta.url));
    // dist/ from the current sources: the measured operator is the code in this tree.
    execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    const child = fork(fileURLToPath(new URL('./operator-process.mjs', import.meta.url)), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new OperatorProcess(child);
  }

  private ask<T>(message: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => { reject(new Error(`the operator process exited (${String(code)})`)); };
      this.child.once('exit', onExit);
      this.child.once('message', (m) => {
        this.child.off('exit', onExit);
        const error = (m as { error?: string } | null)?.error;
        if (error !== undefined) reject(new Error(error));
        else resolve(m as T);
      });
      this.child.send(message as string);
    });
  }

  /** RSS after a full GC. */
  async baselineRss(): Promise<number> {
    return (await this.ask<{ rss: number }>('rss')).rss;
  }

  async startOperator(kubeconfig: string, qps: number): Promise<void> {
    await this.ask({ start: { kubeconfig, qps } });
  }

  stats(): Promise<OperatorStats> {
    return this.ask('stats');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => { resolve(); });
      this.child.send('stop');
    });
  }
}

/** Settled: every loop running and polled, the queue empty, and no status write for 40 s (a 30 s poll of each object, and the HPAs' first syncs). */
async function warmUp(operator: OperatorProcess, objects: number): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  let writes = -1;
  let quietSince = Date.now();
  for (;;) {
    const s = await operator.stats();
    const settled = s.loops === objects && s.queue === 0 && s.decided >= objects;
    if (!settled || s.statusWrites !== writes) quietSince = Date.now();
    writes = s.statusWrites;
    if (settled && Date.now() - quietSince >= 40_000) return;
    if (Date.now() > deadline) throw new Error(`warm-up: ${s.loops} of ${objects} loops after 30 minutes`);
    await sleep(5000);
  }
}

export async function benchOperator(): Promise<string[]> {
  const objects = Math.floor(num('BENCH_OPERATOR_OBJECTS', 5000));
  const windowMs = num('BENCH_OPERATOR_WINDOW_S', 120) * 1000;
  const qps = num('BENCH_OPERATOR_QPS', 0);
  const operator = OperatorProcess.start();
  const { child, kubeconfig } = await startFake(objects);
  try {
    const baseline = await operator.baselineRss();
    const started = Date.now();
    await operator.startOperator(kubeconfig, qps);
    await warmUp(operator, objects);
    const warmUpMs = Date.now() - started;
    const first = await operator.stats();
    const warmUpRequests = sum(new Map(Object.entries(first.requests)), 'WATCH');
    const before = { at: Date.now(), cpu: first.cpu };
    const samples: number[] = [];
    let peak = first.rss;
    let last = first;
    const end = Date.now() + windowMs;
    while (Date.now() < end) {
      await sleep(Math.min(5000, end - Date.now()));
      last = await operator.stats();
      samples.push(...last.latencies);
      peak = Math.max(peak, last.rss);
    }
    const minutes = (Date.now() - before.at) / 60_000;
    const cpuUs = last.cpu.user + last.cpu.system - (before.cpu.user + before.cpu.system);
    const requests = sum(new Map(Object.entries(last.requests)), 'WATCH') - warmUpRequests;
    const writes = last.statusWrites - first.statusWrites;
    const sorted = [...samples].sort((a, b) => a - b);
    const settledRss = await operator.baselineRss();
    const fakeRss = await childRss(child);
    const perMin = (n: number): string => (n / minutes).toFixed(0);
    return [
      `operator: ${objects} ScaledObjects (cron, never active, pollingInterval 30 s) on the fake API server (own process), client QPS ${qps === 0 ? 'unlimited' : qps}; the operator compiled, in a plain node process of its own`,
      `  warm-up: ${(warmUpMs / 1000).toFixed(0)} s, ${warmUpRequests} API requests (${(warmUpRequests / objects).toFixed(1)} per object)`,
      `  steady state over ${(minutes * 60).toFixed(0)} s:`,
      `  RSS ${(settledRss / MiB).toFixed(0)} MiB after a full GC (peak ${(peak / MiB).toFixed(0)}; the process before the operator started, modules loaded: ${(baseline / MiB).toFixed(0)}; goal ≤ 300 MiB: ${peak <= 300 * MiB ? 'met' : 'missed'}); heap used ${(last.heapUsed / MiB).toFixed(0)} MiB; fake API server ${(fakeRss / MiB).toFixed(0)} MiB`,
      `  CPU ${(cpuUs / 1e6 / minutes).toFixed(1)} s per minute (${((cpuUs / 1000) / (minutes * 60_000) * 100).toFixed(0)}% of one core)`,
      `  API requests ${perMin(requests)} per minute (KEDA's default client limit 20 QPS = 1200 per minute), by verb since start: ${Object.entries(last.requests).map(([v, n]) => `${v} ${n}`).join(', ')}`,
      `  status writes ${perMin(writes)} per minute (goal 0 when nothing changed: ${writes === 0 ? 'met' : 'missed'})`,
      `  scale-loop latency (due → decision) over ${sorted.length} polls: p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms (goal p99 < 100 ms: ${percentile(sorted, 99) < 100 ? 'met' : 'missed'})`,
    ];
  } finally {
    await operator.stop();
    child.send('stop');
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of await benchOperator()) console.log(line);
}
