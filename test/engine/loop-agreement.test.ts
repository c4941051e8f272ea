// The loop and `tide simulate` must decide alike (issue 6: a `tide up` run replayed through simulate
// gives the same decisions). Here the loop's scaler reads the very trace simulate replays.
import { describe, expect, it } from 'vitest';
import { ScaleLoop, type LoopDecision, type LoopMode } from '../../src/engine/loop.js';
import { simulate, type SimulationStep } from '../../src/engine/simulate.js';
import { buildSimulationModel } from '../../src/engine/simulation-model.js';
import { parseTrace, TraceCursor } from '../../src/engine/trace.js';
import { milliFromFloat } from '../../src/api/quantity.js';
import { scalerFor } from '../../src/scalers/index.js';
import type { ScalerFactory } from '../../src/engine/loop-scalers.js';
import { loadYaml } from '../../src/api/load.js';
import { parseKedaObject } from '../../src/api/validate.js';
import { FakeTarget, ManualClock, START } from './loop-fixtures.js';

const YAML = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: so
spec:
  scaleTargetRef:
    name: app
  pollingInterval: 30
  cooldownPeriod: 300
  maxReplicaCount: 50
  triggers:
    - type: azure-queue
      name: orders
      metadata:
        queueName: orders
        queueLength: "5"
        connectionFromEnv: STORAGE
`;
// 200 messages from t=50 to t=360 (40 replicas wanted), then nothing until t=1200.
const TRACE = 't,orders\n0,0\n50,200\n360,0\n1200,0\n';

function scaledObject() {
  const [object] = loadYaml('so.yaml', YAML).objects;
  const parsed = parseKedaObject('ScaledObject', object?.value);
  if (!parsed.value) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

function traceOf() {
  const trace = parseTrace(TRACE, 'trace.csv');
  if (!trace.ok) throw new Error(trace.errors.join('\n'));
  return trace.trace;
}

/** azure-queue's real metric spec, with values from the trace at the loop's clock. */
function traceScalers(): ScalerFactory {
  const cursor = new TraceCursor(traceOf());
  return (trigger) => {
    const parsed = scalerFor(trigger.type)?.parse({ metadata: trigger.metadata, triggerIndex: trigger.index, assume: { env: true } });
    if (!parsed?.ok) throw new Error('azure-queue did not parse');
    const spec = parsed.metricSpecs[0];
    if (!spec) throw new Error('no metric spec');
    return {
      metricSpecs: parsed.metricSpecs,
      getMetricsAndActivity: (now) => {
        const valueMilli = milliFromFloat(cursor.at((now - START) / 1000)[0] ?? 0);
        return Promise.resolve({ metricName: spec.metricName, valueMilli, active: valueMilli > spec.activationMilli });
      },
      close: () => Promise.resolve(),
    };
  };
}

async function runLoop(mode: LoopMode): Promise<LoopDecision[]> {
  const clock = new ManualClock(START);
  const loop = new ScaleLoop(scaledObject(), new FakeTarget(), { mode, scheduler: clock, scalers: traceScalers() });
  loop.start();
  await clock.runUntil(1200, () => loop.idle());
  await loop.stop();
  return loop.decisions();
}

function runSimulate(mode: LoopMode): SimulationStep[] {
  const model = buildSimulationModel(scaledObject(), traceOf(), 'trace.csv');
  if (!model.ok) throw new Error(model.errors.join('\n'));
  return simulate(model.model, traceOf(), { mode, start: START, hpaSyncPeriodSeconds: 15, readyDelaySeconds: 0 });
}

describe('ScaleLoop agrees with tide simulate on the same trace', () => {
  it.each(['keda', 'direct'] as const)('%s mode: every step, replica count, proposal and reason', async (mode) => {
    const loop = (await runLoop(mode)).map((d) => [(d.at - START) / 1000, d.step, d.replicasAfter, d.desired, d.active, d.reason]);
    const simulated = runSimulate(mode).map((s) => [s.t, s.step, s.replicas, s.desired, s.active, s.reason]);
    // Not trivially equal: the run goes 0 → 40 and back to 0 (cooldown 300 s after t=360).
    expect(Math.max(...loop.map((r) => Number(r[2])))).toBe(40);
    expect(loop.at(-1)?.[2]).toBe(0);
    expect(loop).toEqual(simulated);
  });
});
