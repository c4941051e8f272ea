import { describe, expect, it } from 'vitest';
import { loadYaml } from '../../src/api/load.js';
import type { ScaledObject } from '../../src/api/scaled-object.js';
import { parseKedaObject } from '../../src/api/validate.js';
import { simulate, type SimulationOptions, type SimulationStep } from '../../src/engine/simulate.js';
import { buildSimulationModel } from '../../src/engine/simulation-model.js';
import { summarize } from '../../src/engine/simulation-summary.js';
import { parseTrace } from '../../src/engine/trace.js';

const START = Date.parse('2026-01-01T00:00:00Z');

function scaledObject(spec: string, annotations = ''): ScaledObject {
  const yaml = `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so\n${annotations}spec:\n  scaleTargetRef:\n    name: app\n${spec}`;
  const [object] = loadYaml('so.yaml', yaml).objects;
  const parsed = parseKedaObject('ScaledObject', object?.value);
  if (!parsed.value) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

function run(so: ScaledObject, traceText: string, options: Partial<SimulationOptions> = {}): SimulationStep[] {
  const trace = parseTrace(traceText, 'trace.csv');
  if (!trace.ok) throw new Error(trace.errors.join('\n'));
  const model = buildSimulationModel(so, trace.trace, 'trace.csv');
  if (!model.ok) throw new Error(model.errors.join('\n'));
  return simulate(model.model, trace.trace, { mode: 'keda', start: START, hpaSyncPeriodSeconds: 15, readyDelaySeconds: 0, ...options });
}

const QUEUE = `  pollingInterval: 30
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
// 200 messages from t=50 to t=360: proposal ceil(200 / 5) = 40.
const BURST = 't,orders\n0,0\n50,200\n360,0\n1200,0\n';

const at = (steps: readonly SimulationStep[], t: number, step: 'poll' | 'hpa') => steps.find((s) => s.t === t && s.step === step);

describe('simulate, keda mode (a cluster: KEDA polls 0↔1, the HPA syncs every 15 s)', () => {
  const steps = run(scaledObject(QUEUE), BURST);

  it('activates 0 → 1 at the first poll after the backlog appears (t=60, not t=50)', () => {
    expect(at(steps, 30, 'poll')).toMatchObject({ replicas: 0, active: false, reason: 'ScalerNotActive' });
    expect(at(steps, 45, 'hpa')).toMatchObject({ replicas: 0, reason: 'ScalingDisabled' });
    expect(at(steps, 60, 'poll')).toMatchObject({ replicas: 1, desired: 40, active: true, reason: 'KEDAScaleTargetActivated' });
  });

  it('climbs the HPA staircase 1 → 4 → 8 → 16 → 32 → 40 (max(2 × current, 4) per 15 s sync)', () => {
    const hpa = steps.filter((s) => s.step === 'hpa' && s.t >= 60 && s.t <= 120).map((s) => [s.t, s.replicas, s.reason]);
    expect(hpa).toEqual([
      [60, 4, 'ScaleUpLimit'],
      [75, 8, 'ScaleUpLimit'],
      [90, 16, 'ScaleUpLimit'],
      [105, 32, 'ScaleUpLimit'],
      [120, 40, 'SucceededRescale'],
    ]);
  });

  it('returns to 0 only after the cooldown (300 s after the last active poll at t=330) and the HPA downscale stabilization', () => {
    const firstZero = steps.find((s) => s.t > 60 && s.replicas === 0);
    expect(firstZero).toMatchObject({ t: 660, step: 'poll', reason: 'KEDAScaleTargetDeactivated' });
    // Until then the HPA's 300 s stabilization window holds the replicas up after the queue empties at t=360.
    expect(at(steps, 630, 'poll')).toMatchObject({ replicas: 40, reason: 'ScalerCooldown' });
    expect(steps.filter((s) => s.t > 360 && s.t < 660).every((s) => s.replicas === 40)).toBe(true);
  });

  it('summarises first replica, peak and return to zero', () => {
    expect(summarize(steps, 0, 1200)).toMatchObject({ firstActiveAt: 60, firstReplicaAt: 60, peakReplicas: 40, peakAt: 120, backToZeroAt: 660, finalReplicas: 0 });
  });
});

describe('simulate, direct mode (tide: each poll goes straight to the proposal)', () => {
  const steps = run(scaledObject(QUEUE), BURST, { mode: 'direct' });

  it('reaches the peak of 40 at the first poll after the backlog appears', () => {
    expect(steps.every((s) => s.step === 'poll')).toBe(true);
    expect(at(steps, 60, 'poll')).toMatchObject({ replicas: 40, reason: 'KEDAScaleTargetActivated' });
  });

  it('still waits for the cooldown before going back to zero', () => {
    expect(steps.find((s) => s.t > 60 && s.replicas === 0)?.t).toBe(660);
  });
});

describe('simulate rules', () => {
  it('fallback: after failureThreshold 2 failures in a row the HPA is fed fallback.replicas 6 × target', () => {
    const so = scaledObject(`  fallback:\n    failureThreshold: 2\n    replicas: 6\n${QUEUE}`);
    const steps = run(so, 't,orders\n0,10\n40,\n300,\n');
    // t=0 poll: 10 messages → 1 replica; the HPA takes it to ceil(10/5) = 2.
    expect(at(steps, 15, 'hpa')?.replicas).toBe(2);
    // Errors from t=40: failures at hpa t=45 (1), poll t=60 (2), hpa t=60 (3 > 2) → fallback value 6 × 5 = 30
    // → ceil(30 / 5) = 6, reached in two syncs because the legacy limit allows max(2 × 2, 4) = 4 first.
    expect(at(steps, 45, 'hpa')).toMatchObject({ replicas: 2, reason: 'FailedGetExternalMetric' });
    expect(at(steps, 60, 'hpa')).toMatchObject({ replicas: 4, reason: 'ScaleUpLimit' });
    expect(at(steps, 75, 'hpa')).toMatchObject({ replicas: 6, desired: 6 });
  });

  it('cron: 5 replicas inside the window 08:00–09:00 Europe/Amsterdam, 0 outside', () => {
    const so = scaledObject(`  cooldownPeriod: 60
  triggers:
    - type: cron
      metadata:
        timezone: Europe/Amsterdam
        start: 0 8 * * *
        end: 0 9 * * *
        desiredReplicas: "5"
`);
    // 06:30Z = 07:30 in Amsterdam (UTC+1 in March): the window is t=1800..5400.
    const steps = run(so, 't\n0\n7200\n', { start: Date.parse('2026-03-02T06:30:00Z') });
    expect(at(steps, 1770, 'poll')?.replicas).toBe(0);
    expect(at(steps, 1800, 'poll')).toMatchObject({ replicas: 1, active: true });
    expect(at(steps, 1815, 'hpa')?.replicas).toBe(5);
    expect(at(steps, 5370, 'poll')?.replicas).toBe(5);
    expect(steps.find((s) => s.t > 5400 && s.replicas === 0)?.t).toBeGreaterThanOrEqual(5400 + 60);
  });

  it('scalingModifiers: the composite metric drives the HPA (max(a, b) with target 10)', () => {
    const so = scaledObject(`  advanced:
    scalingModifiers:
      formula: "max(a, b)"
      target: "10"
  triggers:
    - type: rabbitmq
      name: a
      metadata: { queueName: a, hostFromEnv: RABBIT }
    - type: rabbitmq
      name: b
      metadata: { queueName: b, hostFromEnv: RABBIT }
`);
    const steps = run(so, 't,a,b\n0,30,70\n120,30,70\n', { mode: 'direct' });
    // max(30, 70) = 70, target 10 → 7 replicas.
    expect(at(steps, 0, 'poll')).toMatchObject({ replicas: 7, desired: 7 });
  });

  it('paused-replicas pins the target and ignores the metrics', () => {
    const so = scaledObject(QUEUE, '  annotations:\n    autoscaling.keda.sh/paused-replicas: "3"\n');
    const steps = run(so, BURST);
    expect(steps.every((s) => s.replicas === 3)).toBe(true);
    expect(at(steps, 60, 'poll')?.reason).toBe('PausedReplicas');
  });

  it('minReplicaCount 2 is kept through idle periods', () => {
    const so = scaledObject(QUEUE.replace('maxReplicaCount: 50', 'minReplicaCount: 2\n  maxReplicaCount: 50'));
    const steps = run(so, BURST);
    expect(Math.min(...steps.map((s) => s.replicas))).toBe(2);
  });
});

describe('buildSimulationModel errors', () => {
  it.each([
    ['t,order\n0,1\n', 'trace.csv: column "order" matches no trigger; did you mean "orders"?'],
    ['t\n0\n', 'trace.csv: no column for trigger "orders" (azure-queue); the header has: t'],
  ])('%j → %s', (text, message) => {
    const trace = parseTrace(text, 'trace.csv');
    if (!trace.ok) throw new Error('trace');
    const model = buildSimulationModel(scaledObject(QUEUE), trace.trace, 'trace.csv');
    expect(model.ok ? '' : model.errors.join('\n')).toContain(message);
  });
});
