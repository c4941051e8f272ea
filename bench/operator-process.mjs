// The operator of bench/operator in its own plain-node process, from the compiled sources (dist/),
// so its RSS and CPU are what `tide operator` costs, without tsx or the harness. Started with
// --expose-gc. Talks to the parent over IPC: { start: { kubeconfig, qps } } starts the operator and
// answers 'started'; 'rss' answers the RSS after a full GC (before the start: the baseline; at the end: what stays); 'stats'
// answers the counters below; 'stop' stops it and exits.
import process from 'node:process';
import { loadClientConfig } from '../dist/kube/client-config.js';
import { startOperator } from '../dist/operator/operator.js';

/** @typedef {import('../src/operator/operator.js').RunningOperator} RunningOperator */
/** @typedef {{ start: { kubeconfig: string; qps: number } }} StartMessage */

/** @type {RunningOperator | undefined} */
let operator;
let decided = 0;
/** @type {number[]} Due → run of each timer-driven poll since the last 'stats' (milliseconds). */
let latencies = [];

/** @param {unknown} message */
const isStart = (message) => typeof message === 'object' && message !== null && 'start' in message;

/** @param {unknown} reply */
const send = (reply) => {
  process.send?.(/** @type {import('node:child_process').Serializable} */ (reply));
};

/** @param {unknown} message */
async function handle(message) {
  if (isStart(message)) {
    const { kubeconfig, qps } = /** @type {StartMessage} */ (message).start;
    const running = await startOperator({ config: loadClientConfig({ kubeconfigYaml: kubeconfig }), qps, burst: Math.max(30, qps), version: 'bench' });
    const record = running.metrics.recordDecision.bind(running.metrics);
    /** @type {(namespace: string, name: string, decision: import('../src/engine/loop-decisions.js').LoopDecision) => void} */
    const counting = (namespace, name, decision) => {
      decided++;
      if (decision.cause === 'timer' && decision.step === 'poll' && decision.due !== undefined) latencies.push(decision.at - decision.due);
      record(namespace, name, decision);
    };
    running.metrics.recordDecision = counting;
    operator = running;
    send('started');
  } else if (message === 'rss') {
    globalThis.gc?.();
    send({ rss: process.memoryUsage().rss });
  } else if (message === 'stats' && operator !== undefined) {
    // No GC here: a full collection every few seconds would pause the loops being measured.
    const sample = latencies;
    latencies = [];
    const memory = process.memoryUsage();
    send({
      loops: operator.controller.loops.size,
      queue: operator.queue.length,
      decided,
      statusWrites: operator.status.writes + operator.triggerAuthentications.writes,
      requests: Object.fromEntries(operator.api.requests),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      cpu: process.cpuUsage(),
      latencies: sample,
    });
  } else if (message === 'stop') {
    await operator?.stop();
    process.exit(0);
  }
}

process.on('message', (message) => {
  handle(message).catch((/** @type {unknown} */ error) => {
    send({ error: error instanceof Error ? error.message : String(error) });
  });
});
