// `npm start`: tide's whole job on one machine. Runs examples/hello-queue in local mode (embedded
// Azurite, direct mode), sends bursts of messages with unique ids, counts the function's receipts,
// and ends with a summary once the backlog is gone and the replicas are back to zero. The observed
// metrics are then replayed through the keda-mode simulation for comparison.
//
// Usage: npm start [-- --output json] [--messages 2000] [--mode direct|keda] [--timeout 170]
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { scaledObjectSettings } from '../src/api/defaults.js';
import { loadYaml } from '../src/api/load.js';
import type { ScaledObject } from '../src/api/scaled-object.js';
import { parseKedaObject } from '../src/api/validate.js';
import { checkObject } from '../src/engine/check-object.js';
import type { LoopDecision } from '../src/engine/loop-decisions.js';
import type { LoopMode } from '../src/engine/loop.js';
import { replayDecisions } from '../src/engine/replay.js';
import { findHostBundle } from '../src/local/host-bundle.js';
import { LiveView } from '../src/local/live-view.js';
import { explainContext } from '../src/local/explain.js';
import { LocalUp } from '../src/local/local-up.js';
import { planLocalUp } from '../src/local/up-plan.js';

const APP_DIR = fileURLToPath(new URL('../examples/hello-queue', import.meta.url));
const SCALED_OBJECT = `${APP_DIR}/scaledobject.yaml`;
const INPUT_QUEUE = 'js-queue-items';
const RECEIPT_QUEUE = 'js-queue-done';
/** Three bursts: share of the messages and when (seconds after the first). */
const BURSTS = [
  { share: 0.25, atSeconds: 0 },
  { share: 0.35, atSeconds: 12 },
  { share: 0.4, atSeconds: 26 },
];

export interface DemoOptions {
  readonly messages: number;
  readonly mode: LoopMode;
  readonly timeoutSeconds: number;
  /** Live view / progress lines. */
  readonly write: (text: string) => void;
  readonly tty: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface DemoSummary {
  readonly sent: number;
  readonly processed: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly peakReplicas: number;
  readonly timeToFirstReplicaSeconds: number | null;
  readonly timeToPeakSeconds: number | null;
  readonly finalReplicas: number;
  readonly restarts: number;
  readonly mode: LoopMode;
  readonly durationSeconds: number;
  readonly finished: boolean;
  /** The same observed metrics replayed in keda mode: seconds from first activity to peak. */
  readonly kedaMode: { readonly peakReplicas: number; readonly timeToPeakSeconds: number | null } | { readonly error: string };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number): number => Math.round(ms / 100) / 10;

async function readScaledObject(): Promise<ScaledObject> {
  const loaded = loadYaml(SCALED_OBJECT, await readFile(SCALED_OBJECT, 'utf8'));
  const object = loaded.objects.find((o) => o.kind === 'ScaledObject');
  const problems = object ? checkObject('ScaledObject', object.value).filter((p) => p.severity === 'error') : [];
  if (!object || problems.length > 0) throw new Error(`${SCALED_OBJECT} is not a valid ScaledObject: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return parseKedaObject('ScaledObject', object.value).value as ScaledObject;
}

/** Sends `count` messages with ids from `first`, 32 at a time. */
async function send(queue: QueueClient, first: number, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `hello-${String(first + i).padStart(5, '0')}`);
  for (let i = 0; i < ids.length; i += 32) {
    await Promise.all(ids.slice(i, i + 32).map((id) => queue.sendMessage(Buffer.from(JSON.stringify({ id, sentAt: Date.now() })).toString('base64'))));
  }
}

/** Drains the receipt queue in the background, counting ids (and repeats, which at-least-once delivery allows). */
function collectReceipts(queue: QueueClient): { ids: Set<string>; duplicates: () => number; stop: () => Promise<void> } {
  const ids = new Set<string>();
  let duplicates = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const batch = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 }).catch(() => undefined);
      const items = batch?.receivedMessageItems ?? [];
      for (const item of items) {
        const text = Buffer.from(item.messageText, 'base64').toString();
        const id = (JSON.parse(text.startsWith('{') ? text : '{}') as { id?: string }).id;
        if (id !== undefined) {
          if (ids.has(id)) duplicates++;
          ids.add(id);
        }
        await queue.deleteMessage(item.messageId, item.popReceipt).catch(() => undefined);
      }
      if (items.length === 0) await delay(200);
    }
  })();
  return {
    ids,
    duplicates: () => duplicates,
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}

/** Runs the demo to the end (or the timeout) and returns its summary; everything it started is stopped. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const env = options.env ?? process.env;
  const bundle = findHostBundle(env);
  if (bundle === undefined) throw new Error('the runtime bundle dist/runtime/tide-host.mjs is missing: run "npm run build" (npm ci does it)');
  const scaledObject = await readScaledObject();
  const plan = await planLocalUp({ appDir: APP_DIR, env, scaledObject });
  const decisions: LoopDecision[] = [];
  const readyMs: number[] = [];
  const view = new LiveView({
    write: options.write,
    tty: options.tty,
    source: 'examples/hello-queue/scaledobject.yaml',
    explain: explainContext(scaledObjectSettings(scaledObject), options.mode),
    ...(options.tty && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
  });

  const up = await LocalUp.start(plan, {
    mode: options.mode,
    port: 7071,
    bundle,
    replicaLogLevel: 'warn',
    onDecision: (d) => {
      decisions.push(d);
      view.decision(d);
    },
    onEvent: (e) => {
      if (e.source !== 'storage' && e.event.type === 'ready') readyMs.push(e.event.afterMs);
      view.event(e);
    },
  });

  view.start(() => up.status());

  const service = QueueServiceClient.fromConnectionString(plan.settings.AzureWebJobsStorage ?? 'UseDevelopmentStorage=true');
  const input = service.getQueueClient(INPUT_QUEUE);
  const receipts = service.getQueueClient(RECEIPT_QUEUE);
  await Promise.all([input.createIfNotExists(), receipts.createIfNotExists()]);
  await Promise.all([input.clearMessages(), receipts.clearMessages()]);
  const collector = collectReceipts(receipts);

  // Replicas counted as running (ready) over time: the peak and when it was first reached.
  let peak = 0;
  let peakAt: number | undefined;
  let firstReadyAt: number | undefined;
  const firstSendAt = Date.now();
  const sampler = setInterval(() => {
    const ready = up.pool.status().filter((r) => r.phase === 'ready').length;
    if (ready > 0) firstReadyAt ??= Date.now();
    if (ready > peak) {
      peak = ready;
      peakAt = Date.now();
    }
  }, 50);

  let sent = 0;
  const deadline = firstSendAt + options.timeoutSeconds * 1000;
  const sending = (async () => {
    for (const [i, burst] of BURSTS.entries()) {
      const count = i === BURSTS.length - 1 ? options.messages - sent : Math.round(options.messages * burst.share);
      await delay(Math.max(0, firstSendAt + burst.atSeconds * 1000 - Date.now()));
      await send(input, sent, count);
      sent += count;
    }
  })();
  await sending;
  let finished = false;
  while (Date.now() < deadline) {
    if (collector.ids.size >= sent && up.pool.status().length === 0) {
      finished = true;
      break;
    }
    await delay(250);
  }
  clearInterval(sampler);
  await up.stop();
  await collector.stop();
  view.stop(up.status());

  const replay = replayDecisions(scaledObject, decisions, {
    mode: 'keda',
    hpaSyncPeriodSeconds: 15,
    readyDelaySeconds: readyMs.length > 0 ? Math.round(readyMs.reduce((a, b) => a + b, 0) / readyMs.length / 100) / 10 : 0,
  });
  const s = replay.ok ? replay.summary : undefined;
  return {
    sent,
    processed: collector.ids.size,
    lost: sent - collector.ids.size,
    duplicates: collector.duplicates(),
    peakReplicas: peak,
    timeToFirstReplicaSeconds: firstReadyAt === undefined ? null : seconds(firstReadyAt - firstSendAt),
    timeToPeakSeconds: peakAt === undefined ? null : seconds(peakAt - firstSendAt),
    finalReplicas: up.pool.status().length,
    restarts: up.pool.restarts,
    mode: options.mode,
    durationSeconds: seconds(Date.now() - firstSendAt),
    finished,
    kedaMode: replay.ok && s
      ? { peakReplicas: s.peakReplicas, timeToPeakSeconds: s.peakAt !== null && s.firstActiveAt !== null ? s.peakAt - s.firstActiveAt : null }
      : { error: replay.ok ? 'no summary' : replay.errors.join('; ') },
  };
}

/** The summary lines (the exact words the README promises). */
export function summaryLines(s: DemoSummary): string[] {
  const time = (v: number | null): string => (v === null ? 'n/a' : `${v} s`);
  const keda = 'error' in s.kedaMode
    ? `in keda mode: could not replay (${s.kedaMode.error})`
    : `in keda mode the same burst would reach peak (${s.kedaMode.peakReplicas} replicas) in ${time(s.kedaMode.timeToPeakSeconds)} after the first activity (simulated from the metrics observed here, HPA sync 15 s)`;
  return [
    `sent: ${s.sent}`,
    `processed: ${s.processed}`,
    `lost: ${s.lost}`,
    `peak replicas: ${s.peakReplicas}`,
    `time to first replica: ${time(s.timeToFirstReplicaSeconds)}`,
    `time to peak: ${time(s.timeToPeakSeconds)}`,
    `final replicas: ${s.finalReplicas}`,
    keda,
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { output: { type: 'string', short: 'o' }, messages: { type: 'string' }, mode: { type: 'string' }, timeout: { type: 'string' } },
  });
  const json = values.output === 'json';
  if (values.output !== undefined && !json) throw new Error(`--output must be json, got "${values.output}"`);
  const mode = values.mode ?? 'direct';
  if (mode !== 'direct' && mode !== 'keda') throw new Error(`--mode must be direct or keda, got "${mode}"`);
  const messages = Number(values.messages ?? 2000);
  if (!Number.isInteger(messages) || messages < BURSTS.length) throw new Error(`--messages must be an integer ≥ ${BURSTS.length}, got "${values.messages ?? ''}"`);
  const timeoutSeconds = Number(values.timeout ?? 170);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout must be a number of seconds, got "${values.timeout ?? ''}"`);
  const write = (text: string): boolean => (json ? process.stderr : process.stdout).write(text);
  write(`tide demo: examples/hello-queue, ${messages} messages in ${BURSTS.length} bursts, ${mode} mode\n`);
  const summary = await runDemo({ messages, mode, timeoutSeconds, write, tty: !json && process.stdout.isTTY });
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`\n${summaryLines(summary).join('\n')}\n`);
  if (!summary.finished) process.stderr.write(`the demo did not finish within ${timeoutSeconds} s\n`);
  return summary.finished && summary.lost === 0 && summary.finalReplicas === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tide demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
