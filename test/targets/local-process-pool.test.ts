// The pool with the real runtime bundle and a small v3 HTTP app: scale out, drain on scale-in, crash
// restart, close. The steps share one pool and run in order (each starts from the previous state).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHost } from '../../scripts/bundle-host.js';
import { LocalProcessPool, type PoolEvent } from '../../src/targets/local-process-pool.js';

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function writeApp(dir: string): void {
  const http = (name: string, body: string): void => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'function.json'), JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'anonymous', methods: ['get'] }, { name: '$return', type: 'http', direction: 'out' }] }));
    writeFileSync(join(dir, name, 'index.js'), body);
  };
  writeFileSync(join(dir, 'host.json'), '{"version":"2.0"}');
  http('Who', 'module.exports = async () => ({ body: `replica ${process.env.TIDE_REPLICA_INDEX} ${process.env.GREETING}` });');
  http('Slow', 'module.exports = async () => { await new Promise((r) => setTimeout(r, 1500)); return { body: "slow done" }; };');
}

describe('LocalProcessPool with the runtime bundle', () => {
  let dir: string;
  let pool: LocalProcessPool;
  const events: PoolEvent[] = [];
  const output: string[] = [];
  const seenPids: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tide-pool-'));
    const bundle = join(dir, 'tide-host.mjs');
    await bundleHost(bundle);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeApp(app);
    pool = new LocalProcessPool({
      appDir: app,
      settings: { GREETING: 'hello' },
      bundle,
      logLevel: 'warn',
      graceMs: 10_000,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'started' && e.pid !== undefined) seenPids.push(e.pid);
      },
      onOutput: (index, line) => output.push(`${index}: ${line}`),
    });
  }, 30_000);

  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ports = (): number[] => pool.status().map((s) => s.port ?? 0);

  it('scales 0 → 2: both replicas become ready, on their own ports, with the app settings and their index', async () => {
    expect(await pool.getReplicas()).toEqual({ replicas: 0, readyReplicas: 0 });
    await pool.setReplicas(2, 'test: scale out');
    // Resolved once launched: both exist, not necessarily ready yet.
    expect((await pool.getReplicas()).replicas).toBe(2);
    expect(await until(async () => (await pool.getReplicas()).readyReplicas === 2, 15_000)).toBe(true);
    const [p0, p1] = ports();
    expect(p0).not.toBe(p1);
    for (const [index, port] of [p0, p1].entries()) {
      expect((await fetch(`http://127.0.0.1:${port}/admin/host/ping`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/api/Who`)).text()).toBe(`replica ${index} hello`);
    }
    expect(events.flatMap((e) => (e.type === 'ready' ? [e.index] : [])).sort()).toEqual([0, 1]);
    // The host prints its function list on stderr: forwarded with the replica index.
    expect(output.some((line) => line.startsWith('1: ') && line.includes('Host started'))).toBe(true);
  }, 20_000);

  it('scales 2 → 1: the newest replica drains — a slow request in flight completes before it exits 0', async () => {
    const [, p1] = ports();
    const order: string[] = [];
    const slow = fetch(`http://127.0.0.1:${p1}/api/Slow`).then(async (r) => {
      order.push('response');
      return { status: r.status, body: await r.text() };
    });
    // Let the request reach the handler (it takes 1.5 s there).
    await new Promise((r) => setTimeout(r, 300));
    await pool.setReplicas(1, 'test: scale in');
    expect(pool.draining).toBe(1);
    await pool.drained();
    order.push('scaled in');
    expect(await slow).toEqual({ status: 200, body: 'slow done' });
    expect(order).toEqual(['response', 'scaled in']);
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({ index: 1, code: 0, forced: false });
    expect(await pool.getReplicas()).toEqual({ replicas: 1, readyReplicas: 1 });
    expect(pool.status().map((s) => s.index)).toEqual([0]);
    await expect(fetch(`http://127.0.0.1:${p1}/admin/host/ping`)).rejects.toThrow();
  }, 20_000);

  it('restarts a replica killed with SIGKILL after the 1 s back-off and counts it (restarts = 1)', async () => {
    const before = pool.status()[0];
    expect(before?.pid).toBeDefined();
    process.kill(before?.pid ?? 0, 'SIGKILL');
    expect(await until(() => events.some((e) => e.type === 'exited'), 5_000)).toBe(true);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ index: 0, signal: 'SIGKILL', beforeReady: false, restartInMs: 1_000, consecutive: 1 });
    expect(await until(async () => (await pool.getReplicas()).readyReplicas === 1 && pool.restarts === 1, 15_000)).toBe(true);
    const after = pool.status()[0];
    expect(after).toMatchObject({ index: 0, phase: 'ready', restarts: 1 });
    expect(after?.pid).not.toBe(before?.pid);
    expect(await (await fetch(`http://127.0.0.1:${after?.port ?? 0}/api/Who`)).text()).toBe('replica 0 hello');
  }, 20_000);

  it('close() drains every replica and leaves no process behind', async () => {
    await pool.setReplicas(2, 'test: before close');
    expect(await until(async () => (await pool.getReplicas()).readyReplicas === 2, 15_000)).toBe(true);
    await pool.close();
    // 2 (scale out) + 1 (restart) + 1 (scale out again) processes were started; none is left.
    expect(seenPids).toHaveLength(4);
    expect(seenPids.filter(alive)).toEqual([]);
    expect(await pool.getReplicas()).toEqual({ replicas: 0, readyReplicas: 0 });
    // Replica 1 (scale-in) and then replicas 0 and 1 (close): all drained, exit 0.
    expect(events.flatMap((e) => (e.type === 'stopped' ? [e.code] : []))).toEqual([0, 0, 0]);
  }, 30_000);
});
