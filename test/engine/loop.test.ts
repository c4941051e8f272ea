import { describe, expect, it } from 'vitest';
import { ScaleLoop, type LoopDecision, type LoopMode } from '../../src/engine/loop.js';
import { FakeTarget, fakeScaledObject, fakeScalers, ManualClock, START, type FakeSource } from './loop-fixtures.js';

// pollingInterval 30 s, cooldown 60 s, max 50; the fake trigger's target is 5 per replica.
const SPEC = '  pollingInterval: 30\n  cooldownPeriod: 60\n  maxReplicaCount: 50\n';

interface Run {
  loop: ScaleLoop;
  clock: ManualClock;
  target: FakeTarget;
  source: FakeSource;
  seen: LoopDecision[];
  /** Advances virtual time to t seconds. */
  to(t: number): Promise<void>;
}

function setup(mode: LoopMode, spec = SPEC, initialReplicas = 0): Run {
  const clock = new ManualClock(START);
  const target = new FakeTarget(initialReplicas);
  const { source, factory } = fakeScalers();
  const seen: LoopDecision[] = [];
  const loop = new ScaleLoop(fakeScaledObject(spec), target, { mode, scheduler: clock, scalers: factory, onDecision: (d) => seen.push(d) });
  expect(loop.problems).toEqual([]);
  return { loop, clock, target, source, seen, to: (t) => clock.runUntil(t, () => loop.idle()) };
}

const t = (d: LoopDecision): number => (d.at - START) / 1000;
const row = (d: LoopDecision) => [t(d), d.step, d.replicasBefore, d.replicasAfter, d.reason];

describe('ScaleLoop, keda mode (KEDA polls 0 ↔ 1, the HPA syncs every 15 s)', () => {
  it('activates 0 → 1 at the first poll after the backlog appears (t=60, not t=50), then climbs the HPA staircase 4, 8, 16, 32, 40', async () => {
    const run = setup('keda');
    run.loop.start();
    await run.to(50);
    run.source.value = 200; // ceil(200 / 5) = 40 replicas wanted
    await run.to(120);
    expect(run.seen.filter((d) => t(d) >= 30).map(row)).toEqual([
      [30, 'poll', 0, 0, 'ScalerNotActive'],
      [30, 'hpa', 0, 0, 'ScalingDisabled'],
      [45, 'hpa', 0, 0, 'ScalingDisabled'],
      [60, 'poll', 0, 1, 'KEDAScaleTargetActivated'],
      // The HPA's scale-up limit: max(2 × current, 4) per sync.
      [60, 'hpa', 1, 4, 'ScaleUpLimit'],
      [75, 'hpa', 4, 8, 'ScaleUpLimit'],
      [90, 'poll', 8, 8, 'ScalerActive'],
      [90, 'hpa', 8, 16, 'ScaleUpLimit'],
      [105, 'hpa', 16, 32, 'ScaleUpLimit'],
      [120, 'poll', 32, 32, 'ScalerActive'],
      [120, 'hpa', 32, 40, 'SucceededRescale'],
    ]);
    expect(run.target.writes.map((w) => w.replicas)).toEqual([1, 4, 8, 16, 32, 40]);
    expect(run.seen.find((d) => t(d) === 60 && d.step === 'poll')).toMatchObject({ desired: 40, active: true, cause: 'timer' });
    await run.loop.stop();
  });
});

describe('ScaleLoop, direct mode (the HPA step at every poll, no scale-up limit)', () => {
  it('goes 0 → 40 in one poll at t=60, holds through the cooldown, and returns to 0 once 60 s have passed since the last activity', async () => {
    const run = setup('direct');
    run.loop.start();
    await run.to(50);
    run.source.value = 200;
    await run.to(70);
    run.source.value = 0; // last active at the t=60 poll
    await run.to(150);
    expect(run.seen.map(row)).toEqual([
      [0, 'poll', 0, 0, 'ScalerNotActive'],
      [30, 'poll', 0, 0, 'ScalerNotActive'],
      [60, 'poll', 0, 40, 'KEDAScaleTargetActivated'],
      // Inactive: the legacy HPA's 300 s downscale stabilization holds 40 while the cooldown runs.
      [90, 'poll', 40, 40, 'ScaleDownStabilized'],
      // 60 + 60 < 120 is false: KEDA needs the cooldown strictly passed.
      [120, 'poll', 40, 40, 'ScaleDownStabilized'],
      [150, 'poll', 40, 0, 'KEDAScaleTargetDeactivated'],
    ]);
    expect(run.seen.slice(3, 5).map((d) => d.executorReason)).toEqual(['ScalerCooldown', 'ScalerCooldown']);
    expect(run.target.writes).toEqual([
      { replicas: 40, reason: 'KEDAScaleTargetActivated' },
      { replicas: 0, reason: 'KEDAScaleTargetDeactivated' },
    ]);
    await run.loop.stop();
  });

  it('scales 1..N straight to the clamped proposal: 300 messages / 5 = 60 → maxReplicaCount 50', async () => {
    const run = setup('direct', SPEC, 2);
    run.source.value = 300;
    const decision = await run.loop.pollNow();
    expect(decision).toMatchObject({ replicasBefore: 2, replicasAfter: 50, desired: 60, reason: 'TooManyReplicas', cause: 'manual' });
    await run.loop.stop();
  });
});

describe('ScaleLoop, a failing scaler is an error result, never a crash', () => {
  const cases = [
    {
      name: 'no fallback: TriggerError, replicas left at 2',
      spec: SPEC,
      replicas: [2, 2, 2, 2],
      executor: ['TriggerError', 'TriggerError', 'TriggerError', 'TriggerError'],
      reasons: ['FailedGetExternalMetric', 'FailedGetExternalMetric', 'FailedGetExternalMetric', 'FailedGetExternalMetric'],
    },
    {
      // Fallback serves 6 × 5 = 30 once failures exceed the threshold (4 > 3): the HPA lands on 6.
      name: 'fallback {failureThreshold 3, replicas 6}: held for 3 failures, then 6 at the 4th',
      spec: `${SPEC}  fallback:\n    failureThreshold: 3\n    replicas: 6\n`,
      replicas: [2, 2, 2, 6],
      // Failing and inactive: KEDA keeps the target up for the HPA; the 4th poll serves the fallback value,
      // which counts as active while the trigger still errs.
      executor: ['FallbackPending', 'FallbackPending', 'FallbackPending', 'PartialTriggerError'],
      reasons: ['FailedGetExternalMetric', 'FailedGetExternalMetric', 'FailedGetExternalMetric', 'SucceededRescale'],
    },
  ];
  it.each(cases)('$name', async ({ spec, replicas, executor, reasons }) => {
    const run = setup('direct', spec, 2);
    run.source.fail = 'queue not found';
    run.loop.start();
    await run.to(90); // polls at 0, 30, 60, 90
    expect(run.seen.map((d) => d.replicasAfter)).toEqual(replicas);
    expect(run.seen.map((d) => d.reason)).toEqual(reasons);
    expect(run.seen.map((d) => d.executorReason)).toEqual(executor);
    expect(run.seen[0]?.triggers).toEqual([
      { name: 'orders', type: 'fake', metricName: 's0-fake-orders', targetMilli: 5000, targetType: 'AverageValue', error: 'trigger "orders" (fake): queue not found', latencyMs: expect.any(Number) as number },
    ]);
    await run.loop.stop();
  });
});
