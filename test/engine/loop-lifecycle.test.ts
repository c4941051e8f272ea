import { describe, expect, it } from 'vitest';
import { ScaleLoop, type LoopDecision, type ScaleLoopOptions } from '../../src/engine/loop.js';
import { FakeTarget, fakeScaledObject, fakeScalers, ManualClock, START } from './loop-fixtures.js';

const SPEC = '  pollingInterval: 30\n  cooldownPeriod: 60\n  maxReplicaCount: 50\n';
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(options: Partial<ScaleLoopOptions> = {}, replicas = 0) {
  const clock = new ManualClock(START);
  const target = new FakeTarget(replicas);
  const { source, factory } = fakeScalers();
  const seen: LoopDecision[] = [];
  const loop = new ScaleLoop(fakeScaledObject(SPEC), target, { mode: 'keda', scheduler: clock, scalers: factory, onDecision: (d) => seen.push(d), ...options });
  return { loop, clock, target, source, seen, to: (t: number) => clock.runUntil(t, () => loop.idle()) };
}

describe('ScaleLoop push triggers', () => {
  it('a push wakes a poll at once: activation at t=10 instead of the t=30 poll', async () => {
    const run = setup();
    run.loop.start();
    await run.to(5);
    await flush(); // the subscription connects asynchronously
    expect(run.source.onActive).toBeDefined();
    run.source.value = 100;
    await run.to(10);
    run.source.onActive?.();
    await run.loop.idle();
    const woken = run.seen.at(-1);
    expect(woken).toMatchObject({ at: START + 10_000, step: 'poll', cause: 'push', replicasBefore: 0, replicasAfter: 1, reason: 'KEDAScaleTargetActivated' });
    expect(run.target.writes).toEqual([{ replicas: 1, reason: 'KEDAScaleTargetActivated' }]);
    await run.loop.stop();
  });

  it('wake-ups arriving while a poll waits to run join it: 3 calls, 1 poll', async () => {
    const run = setup();
    const polls = await Promise.all([run.loop.pollNow(), run.loop.pollNow(), run.loop.pollNow()]);
    expect(run.seen).toHaveLength(1);
    expect(polls[0]).toBe(run.seen[0]);
    expect(polls[2]).toBe(polls[0]);
    await run.loop.stop();
  });

  it('a wake-up during a running poll queues exactly one more (2 decisions for 1 + 2 calls)', async () => {
    const run = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = run.target.getReplicas.bind(run.target);
    run.target.getReplicas = async () => {
      await gate;
      return read();
    };
    const first = run.loop.pollNow();
    await flush(); // the first poll is now running, stuck reading the target
    const later = [run.loop.pollNow(), run.loop.pollNow()];
    release();
    await Promise.all([first, ...later]);
    expect(run.seen).toHaveLength(2);
    await run.loop.stop();
  });
});

describe('ScaleLoop stop', () => {
  it('clears its timers, unsubscribes, closes scalers, and decides nothing more', async () => {
    const run = setup();
    run.loop.start();
    await run.to(30);
    await flush();
    const decided = run.seen.length;
    expect(run.clock.pending).toBe(2); // next poll and next HPA sync
    expect(run.source.connects).toBe(2); // one for reads, one for the push subscription
    await run.loop.stop();
    expect(run.clock.pending).toBe(0);
    expect(run.source.onActive).toBeUndefined();
    expect(run.source.closes).toBe(2);
    await run.to(300);
    expect(await run.loop.pollNow()).toBeUndefined();
    expect(run.seen).toHaveLength(decided);
  });
});

describe('ScaleLoop decisions', () => {
  it('records each step with what the trigger read, the target and the reason, in a bounded ring', async () => {
    const run = setup({ mode: 'direct', decisionCapacity: 3 });
    run.source.value = 12; // ceil(12 / 5) = 3
    run.loop.start();
    await run.to(120); // polls at 0, 30, 60, 90, 120
    expect(run.seen).toHaveLength(5);
    expect(run.seen[0]).toEqual({
      at: START,
      due: START,
      step: 'poll',
      cause: 'timer',
      replicasBefore: 0,
      replicasAfter: 3,
      desired: 3,
      active: true,
      reason: 'KEDAScaleTargetActivated',
      executorReason: 'KEDAScaleTargetActivated',
      hpaReason: 'SucceededRescale',
      triggers: [{ name: 'orders', type: 'fake', metricName: 's0-fake-orders', valueMilli: 12_000, targetMilli: 5000, targetType: 'AverageValue', active: true, latencyMs: expect.any(Number) as number }],
    });
    expect(run.loop.decisions().map((d) => (d.at - START) / 1000)).toEqual([60, 90, 120]);
    expect(run.loop.decisions(START + 90_000).map((d) => (d.at - START) / 1000)).toEqual([90, 120]);
    await run.loop.stop();
  });

  it('a failed write to the target is recorded with its error and the replicas left as they were', async () => {
    const run = setup({ mode: 'direct' });
    run.target.failWrites = true;
    run.source.value = 12;
    const decision = await run.loop.pollNow();
    expect(decision).toMatchObject({ replicasBefore: 0, replicasAfter: 0, reason: 'KEDAScaleTargetActivated', error: 'the API server said no' });
    await run.loop.stop();
  });

  it('a trigger whose scaler cannot be built is a problem up front and an error result at every poll', async () => {
    const clock = new ManualClock(START);
    const loop = new ScaleLoop(fakeScaledObject(SPEC), new FakeTarget(), { mode: 'direct', scheduler: clock, scalers: () => ({ error: 'trigger "orders" (fake): no such scaler' }) });
    expect(loop.problems).toEqual(['trigger "orders" (fake): no such scaler']);
    const decision = await loop.pollNow();
    expect(decision?.triggers).toEqual([{ name: 'orders', type: 'fake', metricName: 's0-fake', targetMilli: 0, targetType: 'AverageValue', error: 'trigger "orders" (fake): no such scaler' }]);
    expect(decision?.executorReason).toBe('TriggerError');
    await loop.stop();
  });
});
