// The operator's use of the scale loop: a real HPA acts on the target (externalHpa), the executor's
// decisions come out whole (conditions, events), and what the object's status remembers seeds it.
import { describe, expect, it } from 'vitest';
import { ScaleLoop, type ExecutorStep, type LoopDecision } from '../../src/engine/loop.js';
import { FakeTarget, fakeScaledObject, fakeScalers, ManualClock, START } from './loop-fixtures.js';

const SPEC = '  pollingInterval: 30\n  cooldownPeriod: 60\n  maxReplicaCount: 50\n';

describe('ScaleLoop with externalHpa (the operator in keda mode)', () => {
  it('only polls: 0 → 1 on activity, never 1 → N (the real HPA does that), back to 0 after the cooldown', async () => {
    const clock = new ManualClock(START);
    const target = new FakeTarget(0);
    const { source, factory } = fakeScalers();
    const seen: LoopDecision[] = [];
    const steps: ExecutorStep[] = [];
    const loop = new ScaleLoop(fakeScaledObject(SPEC), target, {
      mode: 'keda', externalHpa: true, scheduler: clock, scalers: factory,
      initialState: { target: { kind: 'apps/v1.Deployment', namespace: 'default', name: 'web' } },
      onDecision: (d) => seen.push(d), onExecutor: (s) => steps.push(s),
    });
    loop.start();
    source.value = 200;
    await clock.runUntil(60, () => loop.idle());
    source.value = 0;
    await clock.runUntil(180, () => loop.idle());
    await loop.stop();
    expect(seen.every((d) => d.step === 'poll')).toBe(true);
    expect(target.writes.map((w) => w.replicas)).toEqual([1, 0]);
    const events = steps.flatMap((s) => (s.decision.event ? [s.decision.event] : []));
    expect(events).toEqual([
      { type: 'Normal', reason: 'KEDAScaleTargetActivated', message: 'Scaled apps/v1.Deployment default/web from 0 to 1, triggered by orders' },
      { type: 'Normal', reason: 'KEDAScaleTargetDeactivated', message: 'Deactivated apps/v1.Deployment default/web from 1 to 0' },
    ]);
    expect(steps[0]?.decision.conditions).toMatchObject({ ready: { reason: 'ScaledObjectReady' }, active: { reason: 'ScalerActive' } });
    expect(steps.at(-1)?.state.conditions.active?.reason).toBe('ScalerNotActive');
  });

  it('a lastActiveTime carried over from status keeps the cooldown running (no scale-in right after a restart)', async () => {
    const clock = new ManualClock(START);
    const target = new FakeTarget(1);
    const { factory } = fakeScalers();
    const loop = new ScaleLoop(fakeScaledObject(SPEC), target, {
      mode: 'keda', externalHpa: true, scheduler: clock, scalers: factory,
      initialState: { lastActiveTime: START - 10_000 },
    });
    loop.start();
    await clock.runUntil(30, () => loop.idle());
    expect(target.writes).toEqual([]);
    expect(loop.decisions().map((d) => d.reason)).toEqual(['ScalerCooldown', 'ScalerCooldown']);
    await clock.runUntil(60, () => loop.idle());
    await loop.stop();
    expect(target.writes.map((w) => w.replicas)).toEqual([0]);
  });

  it('a failed /scale write is reported with the decision, so the caller can record the …Failed event', async () => {
    const clock = new ManualClock(START);
    const target = new FakeTarget(0);
    target.failWrites = true;
    const { source, factory } = fakeScalers();
    const steps: ExecutorStep[] = [];
    const loop = new ScaleLoop(fakeScaledObject(SPEC), target, { mode: 'keda', externalHpa: true, scheduler: clock, scalers: factory, onExecutor: (s) => steps.push(s) });
    source.value = 10;
    loop.start();
    await clock.runUntil(0, () => loop.idle());
    await loop.stop();
    expect(steps.map((s) => [s.decision.reason, s.replicasBefore, s.error])).toEqual([['KEDAScaleTargetActivated', 0, 'the API server said no']]);
  });
});
