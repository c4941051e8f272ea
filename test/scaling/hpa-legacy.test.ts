// The legacy path (spec.behavior unset, KEDA's default HPA): one 300 s downscale window and a fixed
// scale-up limit of max(2 × current, 4).
import { describe, expect, it } from 'vitest';
import {
  legacyScaleUpLimit,
  limitLegacy,
  stabilizeLegacy,
  syncHpa,
  type HpaState,
  type HpaSyncInput,
  type HpaSyncResult,
} from '../../src/scaling/hpa.js';

const T0 = 1_700_000_000_000;
const s = (seconds: number): number => T0 + seconds * 1000;

/** One AverageValue metric with target 1: the proposal is simply the sum (outside tolerance). */
function sync(current: number, proposal: number, extra: Partial<HpaSyncInput> = {}): HpaSyncResult {
  return syncHpa({
    spec: { minReplicas: 1, maxReplicas: 100 },
    currentReplicas: current,
    statusReplicas: current,
    readyPods: current,
    metrics: [{ name: 's0-queue', targetType: 'AverageValue', targetMilli: 1000, valueMilli: proposal * 1000 }],
    now: s(0),
    ...extra,
  });
}

const recs = (...pairs: [number, number][]): HpaState => ({
  recommendations: pairs.map(([seconds, replicas]) => ({ at: s(seconds), replicas })),
  scaleUpEvents: [],
  scaleDownEvents: [],
});

describe('legacyScaleUpLimit = max(2 × current, 4)', () => {
  it.each([
    [0, 4],
    [1, 4], // max(2, 4)
    [2, 4], // max(4, 4)
    [3, 6],
    [10, 20],
  ])('current %i → %i', (current, expected) => {
    expect(legacyScaleUpLimit(current)).toBe(expected);
  });
});

describe('limitLegacy clamps to [min, min(max, max(2 × current, 4))]', () => {
  it.each([
    ['legacy up limit current 1 → max(2,4) = 4', 1, 20, 1, 100, 4, 'ScaleUpLimit'],
    ['current 10 wants 30 → 2 × 10 = 20', 10, 30, 1, 100, 20, 'ScaleUpLimit'],
    ['current 10 wants 15 (≤ 20) → 15', 10, 15, 1, 100, 15, 'DesiredWithinRange'],
    ['max 12 below the up limit 20 → TooManyReplicas 12', 10, 30, 1, 12, 12, 'TooManyReplicas'],
    ['max 20 equal to the up limit 20 → TooManyReplicas 20', 10, 30, 1, 20, 20, 'TooManyReplicas'],
    ['wants 0, min 2 → TooFewReplicas 2', 5, 0, 2, 10, 2, 'TooFewReplicas'],
    ['wants 3 at 3 → 3', 3, 3, 1, 10, 3, 'DesiredWithinRange'],
  ] as const)('%s', (_label, current, stabilized, min, max, replicas, reason) => {
    expect(limitLegacy(current, stabilized, min, max)).toEqual({ replicas, reason });
  });
});

describe('stabilizeLegacy = max of desired and recommendations within the window', () => {
  it.each([
    ['a 10 from 200 s ago holds 10 over desired 3', [[-200, 10]], 3, 10],
    ['a 10 from 301 s ago is forgotten → 3', [[-301, 10]], 3, 3],
    ['a 10 from exactly 300 s ago still counts (cutoff kept)', [[-300, 10]], 3, 10],
    ['recommendations below desired never lower it → 9', [[-10, 2], [-20, 4]], 9, 9],
    ['max of several within the window: 6, 8, 7 → 8', [[-10, 6], [-100, 8], [-250, 7]], 3, 8],
  ] as const)('%s', (_label, pairs, desired, expected) => {
    expect(stabilizeLegacy(recs(...(pairs as unknown as [number, number][])).recommendations, s(0), desired, 300)).toBe(expected);
  });
});

describe('syncHpa, legacy path', () => {
  it('AverageValue sum 47 target 5 at 5 pods → ceil(9.4) = 10 (≤ limit 10)', () => {
    const r = syncHpa({
      spec: { minReplicas: 1, maxReplicas: 100 },
      currentReplicas: 5,
      statusReplicas: 5,
      readyPods: 5,
      metrics: [{ name: 's0-queue', targetType: 'AverageValue', targetMilli: 5000, valueMilli: 47_000 }],
      now: s(0),
    });
    expect(r).toMatchObject({ desiredReplicas: 10, proposal: 10, reason: 'SucceededRescale', rescaleReason: 'external metric s0-queue above target' });
  });

  it.each([
    ['legacy up limit current 1 → max(2,4) = 4', 1, 20, 4, 'ScaleUpLimit'],
    ['legacy up limit current 6 → 12', 6, 20, 12, 'ScaleUpLimit'],
    ['current 6 wants 11 (< 12) → 11', 6, 11, 11, 'SucceededRescale'],
    ['current 50 wants 200, max 100 ≤ limit 100 → TooManyReplicas 100', 50, 200, 100, 'TooManyReplicas'],
  ] as const)('%s', (_label, current, proposal, desired, reason) => {
    const r = sync(current, proposal);
    expect(r.desiredReplicas).toBe(desired);
    expect(r.reason).toBe(reason);
    expect(r.proposal).toBe(proposal);
  });

  it('tolerance 0.1: ratio 1.08 keeps 10 → DesiredWithinRange, nothing to rescale', () => {
    const r = syncHpa({
      spec: { maxReplicas: 100 },
      currentReplicas: 10,
      statusReplicas: 10,
      readyPods: 10,
      metrics: [{ name: 'm', targetType: 'AverageValue', targetMilli: 5000, valueMilli: 54_000 }],
      now: s(0),
    });
    expect(r).toMatchObject({ desiredReplicas: 10, proposal: 10, reason: 'DesiredWithinRange', rescaleReason: '' });
  });

  it('tolerance option 0.2: ratio 1.15 keeps 10; with 0.1 it would go to ceil(11.5) = 12', () => {
    const base = {
      spec: { maxReplicas: 100 },
      currentReplicas: 10,
      statusReplicas: 10,
      readyPods: 10,
      metrics: [{ name: 'm', targetType: 'AverageValue' as const, targetMilli: 5000, valueMilli: 57_500 }],
      now: s(0),
    };
    expect(syncHpa({ ...base, options: { tolerance: 0.2 } }).desiredReplicas).toBe(10);
    expect(syncHpa(base).desiredReplicas).toBe(12);
  });

  it('stabilization window 300 s holds 10 while a recommendation 200 s ago was 10', () => {
    const r = sync(10, 3, { state: recs([-200, 10]) });
    expect(r).toMatchObject({ desiredReplicas: 10, proposal: 3, reason: 'ScaleDownStabilized' });
    expect(r.conditions).toContainEqual(expect.objectContaining({ type: 'AbleToScale', reason: 'ScaleDownStabilized' }));
  });

  it('partial hold: recommendations 6 (100 s ago) and 10 (301 s ago) → 6, reason ScaleDownStabilized', () => {
    const r = sync(10, 3, { state: recs([-301, 10], [-100, 6]) });
    expect(r).toMatchObject({ desiredReplicas: 6, reason: 'ScaleDownStabilized', rescaleReason: 'All metrics below target' });
  });

  it('first sync from 10 with proposal 3: the initial recommendation (current 10, now) holds 10', () => {
    expect(sync(10, 3)).toMatchObject({ desiredReplicas: 10, reason: 'ScaleDownStabilized' });
  });

  it('all recommendations older than 300 s → scale down to 4, rescale reason "All metrics below target"', () => {
    const r = sync(10, 4, { state: recs([-301, 10], [-400, 12]) });
    expect(r).toMatchObject({ desiredReplicas: 4, reason: 'SucceededRescale', rescaleReason: 'All metrics below target' });
  });

  it('downscaleStabilizationSeconds 60: a 10 from 61 s ago no longer holds → 4', () => {
    expect(sync(10, 4, { state: recs([-61, 10]), options: { downscaleStabilizationSeconds: 60 } }).desiredReplicas).toBe(4);
    expect(sync(10, 4, { state: recs([-59, 10]), options: { downscaleStabilizationSeconds: 60 } }).desiredReplicas).toBe(10);
  });

  it('proposal 0 with min 2 → TooFewReplicas 2', () => {
    const r = sync(3, 0, { spec: { minReplicas: 2, maxReplicas: 10 }, state: recs() });
    expect(r).toMatchObject({ desiredReplicas: 2, reason: 'TooFewReplicas' });
    expect(r.conditions).toContainEqual(expect.objectContaining({ type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas' }));
  });

  it('state keeps the raw proposal and only recommendations within 300 s; legacy records no scale events', () => {
    const r = sync(1, 20, { state: recs([-301, 9], [-300, 8], [-10, 3]) });
    expect(r.desiredReplicas).toBe(4);
    expect(r.state).toEqual({
      recommendations: [
        { at: s(-300), replicas: 8 },
        { at: s(-10), replicas: 3 },
        { at: s(0), replicas: 20 }, // raw, not the limited 4
      ],
      scaleUpEvents: [],
      scaleDownEvents: [],
    });
  });
});

describe('multi-sync sequence, legacy path (15 s sync period)', () => {
  it('from 1 with a constant proposal of 20: 4 → 8 → 16 → 20, then down only after 300 s', () => {
    let current = 1;
    let state: HpaState | undefined;
    const seen: [number, number, string][] = [];
    const step = (seconds: number, proposal: number): void => {
      const r = sync(current, proposal, { now: s(seconds), state });
      seen.push([seconds, r.desiredReplicas, r.reason]);
      current = r.desiredReplicas;
      state = r.state;
    };
    // Up: 1 → max(2,4)=4 → 8 → 16 → 20 (limit 32, proposal 20).
    for (const t of [0, 15, 30, 45]) step(t, 20);
    expect(seen).toEqual([
      [0, 4, 'ScaleUpLimit'],
      [15, 8, 'ScaleUpLimit'],
      [30, 16, 'ScaleUpLimit'],
      [45, 20, 'SucceededRescale'],
    ]);
    // Load drops to 2 at 60 s; the last 20 was recommended at 45 s, so it holds through 45 + 300 = 345 s.
    seen.length = 0;
    for (let t = 60; t <= 360; t += 15) step(t, 2);
    const held = seen.filter(([t]) => t <= 345);
    expect(held).toHaveLength(20); // 60, 75, …, 345
    expect(held.every(([, replicas, reason]) => replicas === 20 && reason === 'ScaleDownStabilized')).toBe(true);
    expect(held.at(-1)).toEqual([345, 20, 'ScaleDownStabilized']); // 45 s is exactly at the cutoff: still counts
    expect(seen.at(-1)).toEqual([360, 2, 'SucceededRescale']);
    // The state never grows past the window: 300 s / 15 s + this sync = 21 recommendations.
    expect(state?.recommendations.length).toBeLessThanOrEqual(21);
  });
});
