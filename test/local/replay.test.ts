// A live `tide up --output json` run, replayed through `tide simulate` with the same ScaledObject and
// mode, makes the same replica changes within one polling interval: the simulator and the live loop
// share the decision path, and the decision lines carry every metric value the loop saw.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { runUp } from '../../src/cli/up.js';
import type { DecisionLine } from '../../src/engine/decision-lines.js';
import { runCli } from '../helpers/cli.js';
import { azuriteAndBundle, drainReceipts, queueApp, scaledObjectYaml, sendIds, until } from './fixtures.js';

const POLLING_INTERVAL = 1;

const local = azuriteAndBundle();


interface Change {
  readonly t: number;
  readonly replicas: number;
}

/** Runs `tide up --output json` through a burst and back to zero; returns the app folder and the printed lines. */
async function liveRun(mode: 'direct' | 'keda'): Promise<{ dir: string; lines: string[] }> {
  const name = `replay${mode}${process.pid}`;
  const app = queueApp({ connection: local.azurite.connection, queue: name, workMs: 150, scaledObject: scaledObjectYaml(name, { pollingInterval: POLLING_INTERVAL, cooldownPeriod: 3, maxReplicaCount: 4 }) });
  const input = new QueueClient(local.azurite.connection, name);
  const receipts = new QueueClient(local.azurite.connection, `${name}-done`);
  await Promise.all([input.createIfNotExists(), receipts.createIfNotExists()]);
  let stdout = '';
  let stderr = '';
  const stop = new AbortController();
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), isTTY: false, cwd: app.dir, env: { TIDE_HOST_BUNDLE: local.bundle } };
  const running = runUp(['--scaledobject', 'scaledobject.yaml', '--mode', mode, '--output', 'json', '--hpa-sync-period', '2'], io, stop.signal);
  const lines = (): DecisionLine[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DecisionLine);
  try {
    expect(await until(() => lines().length > 0, 20_000)).toBe(true);
    const ids = await sendIds(input, 'r', 120);
    const seen = new Set<string>();
    expect(await until(async () => (await drainReceipts(receipts, seen), seen.size >= ids.length), 60_000)).toBe(true);
    expect(await until(() => lines().some((d, i) => d.replicasAfter === 0 && lines().slice(0, i).some((e) => e.replicasAfter > 0)), 30_000)).toBe(true);
    // A few more polls, so the replayed trace runs past the scale-in as well.
    await new Promise((r) => setTimeout(r, 3 * POLLING_INTERVAL * 1000));
  } finally {
    stop.abort();
  }
  expect(await running).toBe(0);
  expect(stderr).toContain('stopped: every replica drained');
  return { dir: app.dir, lines: stdout.split('\n').filter((l) => l !== '') };
}

function changes(points: readonly { t: number; replicas: number }[], initial: number): Change[] {
  const out: Change[] = [];
  let current = initial;
  for (const p of points) {
    if (p.replicas !== current) out.push({ t: p.t, replicas: p.replicas });
    current = p.replicas;
  }
  return out;
}

describe.each(['direct', 'keda'] as const)('tide up --output json replayed by tide simulate (%s mode)', (mode) => {
  it('gives the same replica changes within one polling interval', async () => {
    const { dir, lines } = await liveRun(mode);
    const decisions = lines.map((l) => JSON.parse(l) as DecisionLine);
    // Timer steps say how late they ran; the replay reads each sample at its due time.
    expect(decisions.filter((d) => d.cause === 'timer').every((d) => typeof d.late === 'number')).toBe(true);
    const dueTimes = decisions.map((d) => d.t - (d.late ?? 0));
    const start = Math.min(...dueTimes);
    const live = changes(decisions.map((d, i) => ({ t: (dueTimes[i] ?? 0) - start, replicas: d.replicasAfter })), 0);
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...live.map((c) => c.replicas))).toBeGreaterThan(1);

    const trace = join(dir, 'run.jsonl');
    writeFileSync(trace, `${lines.join('\n')}\n`);
    const replay = await runCli(['simulate', join(dir, 'scaledobject.yaml'), '--trace', trace, '--mode', mode, '--hpa-sync-period', '2', '--output', 'json']);
    expect(replay.code).toBe(0);
    const steps = replay.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { t: number; replicas: number });
    const simulated = changes(steps, 0);

    expect(simulated.map((c) => c.replicas)).toEqual(live.map((c) => c.replicas));
    simulated.forEach((c, i) => {
      // Times in whole milliseconds: 1.0000000000000009 is one interval.
      expect(Math.round(Math.abs(c.t - (live[i]?.t ?? Infinity)) * 1000)).toBeLessThanOrEqual(POLLING_INTERVAL * 1000);
    });
  }, 150_000);
});
