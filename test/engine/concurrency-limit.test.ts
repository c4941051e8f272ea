// The operator's bound on scaler reads at once: never more than max running, waiters served in order,
// a failing call frees its slot, and readAll goes through it.
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/engine/concurrency-limit.js';
import { readAll, type LoopScaler } from '../../src/engine/loop-scalers.js';

/** A call that resolves (or fails) when the test says so. */
function gate(): { promise: Promise<string>; open: (value: string) => void; fail: (error: Error) => void } {
  let open = (_value: string): void => undefined;
  let fail = (_error: Error): void => undefined;
  const promise = new Promise<string>((resolve, reject) => { open = resolve; fail = reject; });
  return { promise, open, fail };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ConcurrencyLimit', () => {
  it('runs at most max calls at once and hands each freed slot to the oldest waiter', async () => {
    const limit = new ConcurrencyLimit(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => limit.run(() => { started.push(i); return g.promise; }));
    for (const run of runs) run.catch(() => undefined); // looked at below, with allSettled
    await tick();
    expect(started).toEqual([0, 1]);
    expect([limit.running, limit.queued]).toEqual([2, 2]);
    gates[1]?.open('b');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.fail(new Error('down'));
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limit.running).toBe(2);
    gates[2]?.open('c');
    gates[3]?.open('d');
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect([limit.running, limit.queued]).toEqual([0, 0]);
  });

  it('a new caller never overtakes a waiter handed a slot', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = gate();
    const order: string[] = [];
    const a = limit.run(async () => { order.push('a'); return first.promise; });
    const b = limit.run(() => { order.push('b'); return Promise.resolve('b'); });
    await tick();
    first.open('a');
    const c = limit.run(() => { order.push('c'); return Promise.resolve('c'); });
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow('the concurrency limit must be a positive integer, got 0');
  });

  it('bounds readAll across loops', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const scaler: LoopScaler = {
      metricSpecs: [],
      async getMetricsAndActivity() {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { metricName: 's0-fake', valueMilli: 1000, active: true };
      },
      close: () => Promise.resolve(),
    };
    // Four "loops" of three triggers each, polling at the same moment.
    const polls = await Promise.all(Array.from({ length: 4 }, () => readAll([scaler, scaler, scaler], 0, undefined, limit)));
    expect(polls.flat()).toHaveLength(12);
    expect(peak).toBe(3);
  });
});
