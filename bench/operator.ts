// bench/operator: `tide operator` with BENCH_OPERATOR_OBJECTS (5,000) ScaledObjects on the fake API
// server, each a Deployment at 0 with a cron trigger that is never active — a cluster where nothing
// happens. After the warm-up (every object reconciled, its loop polled once, status settled) it
// measures a steady window of BENCH_OPERATOR_WINDOW_S (120) seconds: the operator's RSS and CPU, API
// requests and status writes per minute, and the scale-loop latency (a poll's due time to its
// decision). The fake runs in a child process, so RSS and CPU here are the operator's (plus this
// small harness). Goals (issue 7): ≤ 300 MiB RSS, no status write when nothing changed, p99 < 100 ms.
// The operator runs with BENCH_OPERATOR_QPS (default 0: no client limit, or the warm-up of 5,000
// objects would take most of an hour at KEDA's 20); the steady rate is printed against 20 QPS.
import { AsyncLocalStorage } from 'node:async_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemScheduler } from '../src/engine/loop-clock.js';
import { loadClientConfig } from '../src/kube/client-config.js';
import { startOperator, type RunningOperator } from '../src/operator/operator.js';

const MiB = 1024 * 1024;
setFlagsFromString('--expose-gc');
/** A full collection before each RSS reading, so garbage of the warm-up is not counted. */
const gc = runInNewContext('gc') as () => void;
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

/**
 * Poll latency without touching the loop: every loop timer runs inside an async context holding its
 * due time, which the loop's promise chain carries to the decision the operator records.
 */
function measureLatency(): { due: AsyncLocalStorage<number>; restore: () => void } {
  const due = new AsyncLocalStorage<number>();
  const original = systemScheduler.setTimeout.bind(systemScheduler);
  systemScheduler.setTimeout = (callback, ms) => {
    const at = Date.now() + ms;
    return original(() => { due.run(at, callback); }, ms);
  };
  return { due, restore: () => { systemScheduler.setTimeout = original; } };
}

const sum = (m: ReadonlyMap<string, number>, skip: string): number => [...m].reduce((a, [verb, n]) => (verb === skip ? a : a + n), 0);
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function warmUp(operator: RunningOperator, objects: number, decisions: () => number): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  let writes = -1;
  for (;;) {
    const settled = operator.controller.loops.size === objects && operator.queue.length === 0 && decisions() >= objects;
    if (settled && operator.status.writes === writes) return;
    writes = settled ? operator.status.writes : -1;
    if (Date.now() > deadline) throw new Error(`warm-up: ${operator.controller.loops.size} of ${objects} loops after 30 minutes`);
    await sleep(5000);
  }
}

export async function benchOperator(): Promise<string[]> {
  const objects = Math.floor(num('BENCH_OPERATOR_OBJECTS', 5000));
  const windowMs = num('BENCH_OPERATOR_WINDOW_S', 120) * 1000;
  const qps = num('BENCH_OPERATOR_QPS', 0);
  const { child, kubeconfig } = await startFake(objects);
  const latency = measureLatency();
  gc();
  const baseline = process.memoryUsage().rss;
  const started = Date.now();
  const operator = await startOperator({ config: loadClientConfig({ kubeconfigYaml: kubeconfig }), qps, burst: Math.max(30, qps), version: 'bench' });
  let decided = 0;
  let samples: number[] | undefined;
  const record = operator.metrics.recordDecision.bind(operator.metrics);
  operator.metrics.recordDecision = (namespace, name, decision) => {
    decided++;
    const at = latency.due.getStore();
    if (samples !== undefined && decision.cause === 'timer' && at !== undefined) samples.push(Date.now() - at);
    record(namespace, name, decision);
  };
  try {
    await warmUp(operator, objects, () => decided);
    const warmUpMs = Date.now() - started;
    const warmUpRequests = sum(operator.api.requests, 'WATCH');
    const before = { requests: warmUpRequests, writes: operator.status.writes, authWrites: operator.triggerAuthentications.writes, cpu: process.cpuUsage(), at: Date.now() };
    samples = [];
    let peak = process.memoryUsage().rss;
    const end = Date.now() + windowMs;
    while (Date.now() < end) {
      await sleep(Math.min(5000, end - Date.now()));
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const minutes = (Date.now() - before.at) / 60_000;
    const cpu = process.cpuUsage(before.cpu);
    const requests = sum(operator.api.requests, 'WATCH') - before.requests;
    const writes = operator.status.writes - before.writes + operator.triggerAuthentications.writes - before.authWrites;
    const sorted = [...samples].sort((a, b) => a - b);
    gc();
    const rss = process.memoryUsage().rss;
    const fakeRss = await childRss(child);
    const perMin = (n: number): string => (n / minutes).toFixed(0);
    return [
      `operator: ${objects} ScaledObjects (cron, never active, pollingInterval 30 s) on the fake API server (own process), client QPS ${qps === 0 ? 'unlimited' : qps}`,
      `  warm-up: ${(warmUpMs / 1000).toFixed(0)} s, ${warmUpRequests} API requests (${(warmUpRequests / objects).toFixed(1)} per object)`,
      `  steady state over ${(minutes * 60).toFixed(0)} s:`,
      `  RSS ${(rss / MiB).toFixed(0)} MiB after a full GC (peak ${(peak / MiB).toFixed(0)}; this process before the operator started, with tsx and every module loaded: ${(baseline / MiB).toFixed(0)}; goal ≤ 300 MiB: ${peak <= 300 * MiB ? 'met' : 'missed'}); heap used ${(process.memoryUsage().heapUsed / MiB).toFixed(0)} MiB; fake API server ${(fakeRss / MiB).toFixed(0)} MiB`,
      `  CPU ${((cpu.user + cpu.system) / 1000 / minutes / 1000).toFixed(1)} s per minute (${(((cpu.user + cpu.system) / 1000) / (minutes * 60_000) * 100).toFixed(0)}% of one core)`,
      `  API requests ${perMin(requests)} per minute (KEDA's default client limit 20 QPS = 1200 per minute), by verb since start: ${[...operator.api.requests].map(([v, n]) => `${v} ${n}`).join(', ')}`,
      `  status writes ${perMin(writes)} per minute (goal 0 when nothing changed: ${writes === 0 ? 'met' : 'missed'})`,
      `  scale-loop latency (due → decision) over ${sorted.length} polls: p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms (goal p99 < 100 ms: ${percentile(sorted, 99) < 100 ? 'met' : 'missed'})`,
    ];
  } finally {
    await operator.stop();
    latency.restore();
    child.send('stop');
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of await benchOperator()) console.log(line);
}
