// Local mode end to end: a queue app on Azurite (this test's own, on free ports), replicas as real
// processes running the runtime bundle, the scale loop deciding. Scale-out and back to zero, scale-in
// while invocations run (drain: nothing lost), a replica that crashes at start, and `tide explain`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ScaledObject } from '../../src/api/scaled-object.js';
import { parseKedaObject } from '../../src/api/validate.js';
import type { LoopDecision } from '../../src/engine/loop-decisions.js';
import { LocalUp, type UpEvent } from '../../src/local/local-up.js';
import { planLocalUp } from '../../src/local/up-plan.js';
import { upStatePath } from '../../src/local/up-state.js';
import { freePort } from '../../src/targets/local-replica.js';
import { runCli } from '../helpers/cli.js';
import { azuriteAndBundle, drainReceipts, queueApp, scaledObjectYaml, sendIds, until, type QueueApp } from './fixtures.js';

const local = azuriteAndBundle();
const eventTimes = new Map<UpEvent, number>();


interface Run {
  readonly up: LocalUp;
  readonly decisions: LoopDecision[];
  readonly events: UpEvent[];
}

async function start(app: QueueApp, soYaml: string, mode: 'direct' | 'keda', port = 7071): Promise<Run> {
  const scaledObject = parseKedaObject('ScaledObject', parse(soYaml)).value as ScaledObject;
  const plan = await planLocalUp({ appDir: app.dir, env: {}, scaledObject });
  const decisions: LoopDecision[] = [];
  const events: UpEvent[] = [];
  const up = await LocalUp.start(plan, {
    mode,
    port,
    bundle: local.bundle,
    graceMs: 20_000,
    replicaLogLevel: 'warn',
    hpaSyncPeriodMs: 2000,
    onDecision: (d) => decisions.push(d),
    onEvent: (e) => {
      events.push(e);
      eventTimes.set(e, Date.now());
    },
  });
  return { up, decisions, events };
}

async function queues(name: string): Promise<{ input: QueueClient; receipts: QueueClient }> {
  const input = new QueueClient(local.azurite.connection, name);
  const receipts = new QueueClient(local.azurite.connection, `${name}-done`);
  await Promise.all([input.createIfNotExists(), receipts.createIfNotExists()]);
  return { input, receipts };
}

describe('tide up: a queue app scaled by local processes', () => {
  it('scales out to several replicas under a backlog, processes every message, and returns to zero', async () => {
    const name = `upa${process.pid}`;
    const app = queueApp({ connection: local.azurite.connection, queue: name, workMs: 100 });
    const { input, receipts } = await queues(name);
    const run = await start(app, scaledObjectYaml(name, { pollingInterval: 1, cooldownPeriod: 3, maxReplicaCount: 4 }), 'direct');
    try {
      expect(existsSync(upStatePath(app.dir))).toBe(true);
      const ids = await sendIds(input, 'a', 300);
      const seen = new Set<string>();
      expect(await until(async () => (await drainReceipts(receipts, seen), seen.size >= ids.length), 90_000)).toBe(true);
      expect(await until(() => run.up.pool.status().length === 0, 30_000)).toBe(true);
      await run.up.pool.drained();
      expect([...seen].sort()).toEqual([...ids].sort());
      const peak = Math.max(...run.decisions.map((d) => d.replicasAfter));
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(4);
      const reasons = run.decisions.map((d) => d.reason);
      expect(reasons).toContain('KEDAScaleTargetActivated');
      expect(reasons).toContain('KEDAScaleTargetDeactivated');
      // Every decision carries what the trigger read, for explain and replay.
      expect(run.decisions.find((d) => d.replicasAfter > d.replicasBefore)?.triggers[0]).toMatchObject({ type: 'azure-queue', metricName: `s0-azure-queue-${name}`, targetMilli: 5000 });

      const explained = await runCli(['explain', app.dir, '--since', '10m']);
      expect(explained.code).toBe(0);
      expect(explained.stdout).toMatch(new RegExp(`scaled 0 → [1-4] at \\d\\d:\\d\\d:\\d\\d \\(poll\\): azure-queue ${name} had \\d+ messages, target 5 per replica`));
      expect(explained.stdout).toContain('no trigger was active for cooldownPeriod (3 s), so KEDA scales to zero');
    } finally {
      await run.up.stop();
    }
    expect(existsSync(upStatePath(app.dir))).toBe(false);
    const gone = await runCli(['explain', app.dir]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no tide up is running');
  }, 150_000);

  it('scales in while invocations run: replicas drain and no message is lost', async () => {
    const name = `upb${process.pid}`;
    // 4 s of work a message: the backlog is picked up at once, the queue looks empty (visible messages
    // only), and after a 1 s cooldown the replicas are told to stop while their invocations still run.
    const app = queueApp({ connection: local.azurite.connection, queue: name, workMs: 4000 });
    const { input, receipts } = await queues(name);
    const run = await start(app, scaledObjectYaml(name, { pollingInterval: 1, cooldownPeriod: 1, maxReplicaCount: 2, metadata: { queueLengthStrategy: 'visibleonly' } }), 'direct');
    try {
      const ids = await sendIds(input, 'b', 20);
      expect(await until(() => run.decisions.some((d) => d.reason === 'KEDAScaleTargetDeactivated'), 60_000)).toBe(true);
      const scaleIn = run.events.find((e) => e.source === 'replicas' && e.event.type === 'scale' && e.event.to === 0);
      expect(scaleIn).toBeDefined();
      const scaleInAt = eventTimes.get(scaleIn as UpEvent) ?? Infinity;
      expect(run.up.pool.status()).toEqual([]);
      const seen = new Set<string>();
      const receivedAt: number[] = [];
      expect(await until(async () => (await drainReceipts(receipts, seen, receivedAt), seen.size >= ids.length), 30_000)).toBe(true);
      expect([...seen].sort()).toEqual([...ids].sort());
      // The drain let work finish that was under way when scale-in began: receipts written after it.
      expect(receivedAt.filter((t) => t > scaleInAt).length).toBeGreaterThan(0);
      const stopped = run.events.flatMap((e) => (e.source === 'replicas' && e.event.type === 'stopped' ? [e.event] : []));
      expect(stopped.length).toBeGreaterThan(0);
      // Every replica exited by itself, cleanly (the failure shows which did not, and how).
      expect(stopped.filter((e) => e.forced || e.code !== 0)).toEqual([]);
    } finally {
      await run.up.stop();
    }
  }, 120_000);

  it('restarts a replica that crashes at start with back-off and says why, without a restart storm', async () => {
    const name = `upc${process.pid}`;
    const app = queueApp({ connection: local.azurite.connection, queue: name, workMs: 0 });
    writeFileSync(join(app.dir, 'QueueTrigger', 'index.js'), "throw new Error('boom at load');\n");
    await queues(name);
    const run = await start(app, scaledObjectYaml(name, { pollingInterval: 1, cooldownPeriod: 1, minReplicaCount: 1, maxReplicaCount: 2 }), 'direct');
    try {
      const crashLoop = (): UpEvent | undefined => run.events.find((e) => e.source === 'replicas' && e.event.type === 'crash-loop');
      expect(await until(() => crashLoop() !== undefined, 60_000)).toBe(true);
      expect(crashLoop()?.message).toMatch(/replica 0 keeps failing: 3 exits in a row \(last: exit code 1\); retrying with back-off up to 30 s; last output:[\s\S]*boom at load/);
      const starts = run.events.filter((e) => e.source === 'replicas' && e.event.type === 'started').length;
      // 1 s, then 2 s of back-off: three starts, not a storm.
      expect(starts).toBe(3);
      expect(run.up.pool.restarts).toBe(2);
      expect(run.up.status().replicas[0]?.phase).toBe('backoff');
    } finally {
      await run.up.stop();
    }
  }, 90_000);

  it('runs HTTP functions unscaled in their own replica on --port, with keys unchecked like func start', async () => {
    const name = `upd${process.pid}`;
    const app = queueApp({ connection: local.azurite.connection, queue: name, workMs: 0 });
    mkdirSync(join(app.dir, 'Hello'));
    writeFileSync(join(app.dir, 'Hello', 'function.json'), JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'function', methods: ['get'] }, { name: '$return', type: 'http', direction: 'out' }] }));
    writeFileSync(join(app.dir, 'Hello', 'index.js'), 'module.exports = async () => ({ body: `hello from ${process.env.TIDE_REPLICA_INDEX}` });');
    await queues(name);
    const port = await freePort();
    const run = await start(app, scaledObjectYaml(name, { pollingInterval: 1, cooldownPeriod: 1, maxReplicaCount: 2 }), 'direct', port);
    try {
      expect(await until(() => run.up.status().http?.replica?.phase === 'ready', 20_000)).toBe(true);
      const response = await fetch(`http://127.0.0.1:${port}/api/Hello`);
      expect([response.status, await response.text()]).toEqual([200, 'hello from 0']);
      expect(run.up.status().http?.functions).toEqual(['Hello']);
      // The queue function scales on its own: nothing to do, so no scaled replica runs.
      expect(run.up.status().replicas).toEqual([]);
      expect(run.up.plan.scaledFunctions).toEqual(['QueueTrigger']);
    } finally {
      await run.up.stop();
    }
    await expect(fetch(`http://127.0.0.1:${port}/api/Hello`)).rejects.toThrow();
  }, 60_000);
});
