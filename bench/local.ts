// bench/local: how fast local mode reacts. A backlog appears on a queue at zero replicas; measured is
// the time until the replica count it calls for (maxReplicaCount here) is running and ready, in direct
// mode and in keda mode (HPA on its 15 s sync period with Kubernetes' scale-up limits), side by side in
// one run. Goal: direct within one polling interval plus the replicas' start time.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueClient } from '@azure/storage-queue';
import { parse } from 'yaml';
import { bundleHost } from '../scripts/bundle-host.js';
import type { ScaledObject } from '../src/api/scaled-object.js';
import { parseKedaObject } from '../src/api/validate.js';
import type { LoopMode } from '../src/engine/loop.js';
import { startAzurite, type Azurite } from '../src/local/embedded-azurite.js';
import { LocalUp } from '../src/local/local-up.js';
import { planLocalUp } from '../src/local/up-plan.js';

const POLLING_INTERVAL_S = 2;
const MAX_REPLICAS = 6;
/** 60 messages at 5 per replica call for 12: capped at maxReplicaCount. Each takes a minute, so the backlog stays. */
const BACKLOG = 60;
const HELLO_QUEUE = fileURLToPath(new URL('../examples/hello-queue', import.meta.url));

function app(azurite: Azurite, queue: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tide-bench-local-')), 'app');
  cpSync(HELLO_QUEUE, dir, { recursive: true, filter: (src) => !src.includes('.tide') });
  writeFileSync(join(dir, 'QueueTrigger', 'function.json'), JSON.stringify({ bindings: [{ name: 'myQueueItem', type: 'queueTrigger', direction: 'in', queueName: queue, connection: 'AzureWebJobsStorage' }] }));
  writeFileSync(join(dir, 'QueueTrigger', 'index.js'), 'module.exports = async () => { await new Promise((r) => setTimeout(r, 60_000)); };\n');
  writeFileSync(join(dir, 'local.settings.json'), JSON.stringify({ Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: azurite.connection } }));
  return dir;
}

function scaledObject(queue: string): ScaledObject {
  const yaml = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: bench }
spec:
  scaleTargetRef: { name: bench }
  pollingInterval: ${POLLING_INTERVAL_S}
  cooldownPeriod: 300
  maxReplicaCount: ${MAX_REPLICAS}
  triggers:
    - type: azure-queue
      metadata: { queueName: ${queue}, queueLength: "5", connectionFromEnv: AzureWebJobsStorage }
`;
  return parseKedaObject('ScaledObject', parse(yaml)).value as ScaledObject;
}

interface Reaction {
  readonly toFirstReadyMs: number;
  readonly toAllReadyMs: number;
  readonly startMs: number;
}

async function react(azurite: Azurite, bundle: string, mode: LoopMode): Promise<Reaction> {
  const queue = `bench-local-${mode}-${process.pid}`;
  const client = new QueueClient(azurite.connection, queue);
  await client.createIfNotExists();
  const plan = await planLocalUp({ appDir: app(azurite, queue), env: {}, scaledObject: scaledObject(queue) });
  const starts: number[] = [];
  const up = await LocalUp.start(plan, {
    mode,
    port: 0,
    bundle,
    graceMs: 500,
    writeState: false,
    replicaLogLevel: 'error',
    onEvent: (e) => {
      if (e.source === 'replicas' && e.event.type === 'ready') starts.push(e.event.afterMs);
    },
  });
  try {
    await up.loop.idle();
    // Land the backlog at a random point of the polling (and HPA sync) cycle, as in life.
    await new Promise((r) => setTimeout(r, Math.random() * POLLING_INTERVAL_S * 1000));
    const text = Buffer.from('{"id":"x"}').toString('base64');
    await Promise.all(Array.from({ length: BACKLOG }, () => client.sendMessage(text)));
    const appeared = Date.now();
    let firstReady: number | undefined;
    for (;;) {
      const ready = up.pool.status().filter((r) => r.phase === 'ready').length;
      if (ready > 0) firstReady ??= Date.now();
      if (ready >= MAX_REPLICAS) break;
      if (Date.now() - appeared > 120_000) throw new Error(`${mode} mode: ${ready} of ${MAX_REPLICAS} replicas ready after 120 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const allReady = Date.now();
    return { toFirstReadyMs: (firstReady ?? allReady) - appeared, toAllReadyMs: allReady - appeared, startMs: starts.reduce((a, b) => a + b, 0) / Math.max(1, starts.length) };
  } finally {
    await up.stop();
  }
}

export async function benchLocal(): Promise<string[]> {
  const azurite = await startAzurite();
  const bundle = join(mkdtempSync(join(tmpdir(), 'tide-bench-bundle-')), 'tide-host.mjs');
  await bundleHost(bundle);
  try {
    const direct = await react(azurite, bundle, 'direct');
    const keda = await react(azurite, bundle, 'keda');
    const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    const budget = POLLING_INTERVAL_S * 1000 + direct.startMs;
    return [
      `local: backlog of ${BACKLOG} at 0 replicas → ${MAX_REPLICAS} ready (pollingInterval ${POLLING_INTERVAL_S} s, HPA sync 15 s in keda mode)`,
      `  direct mode: first replica ready ${s(direct.toFirstReadyMs)}, all ${MAX_REPLICAS} ready ${s(direct.toAllReadyMs)} (replica start ≈ ${s(direct.startMs)}; goal ≤ ${s(budget)}: ${direct.toAllReadyMs <= budget ? 'met' : 'missed'})`,
      `  keda mode:   first replica ready ${s(keda.toFirstReadyMs)}, all ${MAX_REPLICAS} ready ${s(keda.toAllReadyMs)}`,
      `  keda / direct time to all ready: ${(keda.toAllReadyMs / direct.toAllReadyMs).toFixed(1)}×`,
    ];
  } finally {
    await azurite.stop();
  }
}
