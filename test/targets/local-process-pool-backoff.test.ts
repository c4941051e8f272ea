// Back-off, environment and the failure paths of the pool, with tiny stand-in commands instead of the host.
import { describe, expect, it } from 'vitest';
import { crashBackoff, DEFAULT_BACKOFF } from '../../src/targets/local-backoff.js';
import { replicaEnv } from '../../src/targets/local-pool-options.js';
import { LocalProcessPool, type PoolEvent } from '../../src/targets/local-process-pool.js';

describe('crashBackoff (1 s doubling to 30 s, reset after 60 s up)', () => {
  it.each([
    { name: 'first crash: 1 s', before: 0, up: 0, delay: 1_000, consecutive: 1 },
    { name: 'second in a row: 2 s', before: 1, up: 5_000, delay: 2_000, consecutive: 2 },
    { name: 'fifth in a row: 2^4 = 16 s', before: 4, up: 0, delay: 16_000, consecutive: 5 },
    { name: 'sixth: 2^5 = 32 s capped to 30 s', before: 5, up: 0, delay: 30_000, consecutive: 6 },
    { name: 'hundredth: still 30 s (no overflow)', before: 99, up: 0, delay: 30_000, consecutive: 100 },
    { name: 'up 59.999 s: no reset, 4th → 8 s', before: 3, up: 59_999, delay: 8_000, consecutive: 4 },
    { name: 'up exactly 60 s: reset to 1 s', before: 7, up: 60_000, delay: 1_000, consecutive: 1 },
  ])('$name', ({ before, up, delay, consecutive }) => {
    expect(crashBackoff(DEFAULT_BACKOFF, before, up)).toEqual({ delayMs: delay, consecutive });
  });
});

describe('replicaEnv', () => {
  const options = { appDir: '/apps/a', settings: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', PORT: '1', FUNCTIONS_WORKER_RUNTIME: 'node' } };
  it('puts settings over the parent env and the host variables over the settings', () => {
    const env = replicaEnv(options, 2, 41234, { PATH: '/bin', HOME: '/root', FUNCTIONS_WORKER_RUNTIME: 'python' });
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/root',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsScriptRoot: '/apps/a',
      PORT: '41234',
      TIDE_LOG_LEVEL: 'info',
      TIDE_REPLICA_INDEX: '2',
    });
  });
  it('keeps only PATH of the parent when inheritEnv is false', () => {
    const env = replicaEnv({ ...options, inheritEnv: false, logLevel: 'warn' }, 0, 7071, { PATH: '/bin', HOME: '/root' });
    expect(env.HOME).toBeUndefined();
    expect(env.PATH).toBe('/bin');
    expect(env.TIDE_LOG_LEVEL).toBe('warn');
  });
});

function node(script: string): { file: string; args: string[] } {
  return { file: process.execPath, args: ['-e', script] };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('LocalProcessPool failure paths', () => {
  it('a replica that fails on start backs off (50, 100, 200 ms …), reports a crash loop once, and forwards its stderr', async () => {
    const events: PoolEvent[] = [];
    const lines: string[] = [];
    const pool = new LocalProcessPool({
      appDir: process.cwd(),
      settings: {},
      command: node('console.error("boom: missing setting"); process.exit(3)'),
      backoff: { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 },
      onEvent: (e) => events.push(e),
      onOutput: (index, line) => lines.push(`${index}:${line}`),
    });
    await pool.setReplicas(1, 'test');
    const exits = (): Extract<PoolEvent, { type: 'exited' }>[] => events.filter((e): e is Extract<PoolEvent, { type: 'exited' }> => e.type === 'exited');
    expect(await until(() => exits().length >= 4, 10_000)).toBe(true);
    await pool.close();
    // Delays double: 50, 100, 200, 400 (the cap) — no restart storm.
    expect(exits().slice(0, 4).map((e) => e.restartInMs)).toEqual([50, 100, 200, 400]);
    expect(exits().every((e) => e.beforeReady && e.code === 3)).toBe(true);
    const loops = events.filter((e) => e.type === 'crash-loop');
    expect(loops).toHaveLength(1);
    expect(loops[0]?.message).toMatch(/replica 0 keeps failing: 3 exits in a row \(last: exit code 3\).*boom: missing setting/s);
    expect(lines).toContain('0:boom: missing setting');
    expect(pool.restarts).toBeGreaterThanOrEqual(3);
  });

  it('a replica never ready within readyTimeoutMs is killed and counts as a failed start', async () => {
    const events: PoolEvent[] = [];
    const pool = new LocalProcessPool({ appDir: process.cwd(), settings: {}, command: node('setInterval(() => {}, 1000)'), readyTimeoutMs: 300, backoff: { initialMs: 5_000, maxMs: 5_000, resetAfterMs: 60_000 }, onEvent: (e) => events.push(e) });
    await pool.setReplicas(1, 'test');
    expect(await until(() => events.some((e) => e.type === 'exited'), 5_000)).toBe(true);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ beforeReady: true, signal: 'SIGKILL', restartInMs: 5_000 });
    expect(await pool.getReplicas()).toEqual({ replicas: 1, readyReplicas: 0 });
    await pool.close();
    expect(pool.restarts).toBe(0);
  });

  it('scale-in SIGKILLs a replica that ignores SIGTERM after the grace period (200 ms)', async () => {
    const events: PoolEvent[] = [];
    const lines: string[] = [];
    const pool = new LocalProcessPool({ appDir: process.cwd(), settings: {}, command: node('process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'), graceMs: 200, onEvent: (e) => events.push(e), onOutput: (_i, line) => lines.push(line) });
    await pool.setReplicas(1, 'test');
    // The child prints "up" once its SIGTERM handler is installed.
    expect(await until(() => lines.includes('up'), 5_000)).toBe(true);
    const started = Date.now();
    await pool.setReplicas(0, 'idle');
    await pool.drained();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({ forced: true, signal: 'SIGKILL' });
    expect(await pool.getReplicas()).toEqual({ replicas: 0, readyReplicas: 0 });
    await pool.close();
  });

  it('rejects bad counts and scaling after close', async () => {
    const pool = new LocalProcessPool({ appDir: process.cwd(), settings: {}, command: node('') });
    await expect(pool.setReplicas(-1, 'x')).rejects.toThrow(RangeError);
    await expect(pool.setReplicas(1.5, 'x')).rejects.toThrow(RangeError);
    await pool.close();
    await expect(pool.setReplicas(1, 'x')).rejects.toThrow(/closed/);
  });
});
