// The behavior path (spec.behavior set): API defaults, separate up/down stabilization windows and the
// per-period rate policies that read the recorded scale events.
import { describe, expect, it } from 'vitest';
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../src/api/hpa-behavior.js';
import {
  limitWithBehavior,
  replicasChangedInPeriod,
  resolveBehavior,
  scaleDownLimitWithRules,
  scaleUpLimitWithRules,
  stabilizeWithBehavior,
  syncHpa,
  type HpaState,
  type HpaSyncInput,
  type HpaSyncResult,
  type TimedScaleEvent,
} from '../../src/scaling/hpa.js';

const T0 = 1_700_000_000_000;
const s = (seconds: number): number => T0 + seconds * 1000;
const ev = (...pairs: [number, number][]): TimedScaleEvent[] => pairs.map(([seconds, replicas]) => ({ at: s(seconds), replicas }));
const rules = (r: HPAScalingRules, down = 300) => resolveBehavior({ scaleUp: r, scaleDown: r }, down).scaleUp;
const downRules = (r: HPAScalingRules, down = 300) => resolveBehavior({ scaleDown: r }, down).scaleDown;

function sync(current: number, proposal: number, behavior: HorizontalPodAutoscalerBehavior, extra: Partial<HpaSyncInput> = {}): HpaSyncResult {
  return syncHpa({
    spec: { minReplicas: 1, maxReplicas: 100, behavior },
    currentReplicas: current,
    statusReplicas: current,
    readyPods: current,
    metrics: [{ name: 's0-queue', targetType: 'AverageValue', targetMilli: 1000, valueMilli: proposal * 1000 }],
    now: s(0),
    ...extra,
  });
}

const state = (recs: [number, number][], up: [number, number][] = [], down: [number, number][] = []): HpaState => ({
  recommendations: recs.map(([seconds, replicas]) => ({ at: s(seconds), replicas })),
  scaleUpEvents: ev(...up),
  scaleDownEvents: ev(...down),
});

describe('resolveBehavior fills API defaults', () => {
  it('empty behavior → up {0 s, Max, Pods 4/15 + Percent 100/15}, down {300 s flag, Max, Percent 100/15}', () => {
    const r = resolveBehavior({}, 300);
    expect(r.scaleUp).toMatchObject({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      tolerance: undefined,
    });
    expect(r.scaleDown).toMatchObject({ stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    expect(r.recommendationWindowMs).toBe(300_000);
    expect(r.eventWindowMs).toBe(15_000);
  });

  it('scaleDown window unset takes the downscaleStabilizationSeconds flag (120), set one wins', () => {
    expect(resolveBehavior({ scaleDown: { selectPolicy: 'Min' } }, 120).scaleDown.stabilizationWindowSeconds).toBe(120);
    expect(resolveBehavior({ scaleDown: { stabilizationWindowSeconds: 30 } }, 120).scaleDown.stabilizationWindowSeconds).toBe(30);
  });

  it('partial rules keep the given fields and default the rest; longest period 60 s drives the event window', () => {
    const r = resolveBehavior({ scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } }, 300);
    expect(r.scaleUp).toMatchObject({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', longestPeriodMs: 60_000 });
    expect(r.eventWindowMs).toBe(60_000);
  });

  it.each([
    ['"0.05" → 0.05', '0.05', 0.05],
    ['"50m" → 0.05', '50m', 0.05],
    ['"0" → 0', '0', 0],
    ['not a quantity → undefined (controller tolerance)', 'five', undefined],
  ])('tolerance %s', (_label, text, expected) => {
    expect(resolveBehavior({ scaleUp: { tolerance: text } }, 300).scaleUp.tolerance).toBe(expected);
  });

  it.each([
    [0.05, 0.05],
    [0.07, 0.07], // 0.07 × 1000 is 70.00000000000001 in float64: must not round up to 0.071
  ])('a bare YAML number %f works like the string', (value, expected) => {
    const rules = { tolerance: value } as unknown as HPAScalingRules; // the interface says string; YAML may carry a number
    expect(resolveBehavior({ scaleDown: rules }, 300).scaleDown.tolerance).toBe(expected);
  });

  it('is cached per behavior object and per downscale flag', () => {
    const b: HorizontalPodAutoscalerBehavior = {};
    expect(resolveBehavior(b, 300)).toBe(resolveBehavior(b, 300));
    expect(resolveBehavior(b, 60).scaleDown.stabilizationWindowSeconds).toBe(60);
  });
});

describe('replicasChangedInPeriod counts events strictly newer than now − period', () => {
  it.each([
    ['events 5 s and 10 s ago in 15 s → 2 + 3 = 5', [[-5, 2], [-10, 3]], 15, 5],
    ['event exactly 15 s ago is out → 2', [[-5, 2], [-15, 3]], 15, 2],
    ['period 60 s sees both → 5', [[-5, 2], [-15, 3]], 60, 5],
    ['no events → 0', [], 15, 0],
  ] as const)('%s', (_label, pairs, period, expected) => {
    expect(replicasChangedInPeriod(ev(...(pairs as unknown as [number, number][])), s(0), period)).toBe(expected);
  });
});

describe('scaleUpLimitWithRules: start = current − added + removed in period', () => {
  const defaults = resolveBehavior({}, 300).scaleUp;
  it.each([
    ['Percent 100/15s from 4 → 8 (Pods 4 also 8)', defaults, 4, [], [], 8],
    ['defaults from 1: Pods 1+4 = 5, Percent 2 → Max 5', defaults, 1, [], [], 5],
    ['defaults from 10: Pods 14, Percent 20 → Max 20', defaults, 10, [], [], 20],
    ['two policies selectPolicy Min from 10: min(14, 20) = 14', rules({ selectPolicy: 'Min', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] }), 10, [], [], 14],
    ['Percent 50 from 3 → ceil(4.5) = 5', rules({ policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] }), 3, [], [], 5],
    ['Percent 10 from 1 → ceil(1.1) = 2 (rounding up lets it grow)', rules({ policies: [{ type: 'Percent', value: 10, periodSeconds: 15 }] }), 1, [], [], 2],
    ['current 8 after +4 10 s ago: start 4 → 8 (budget used)', defaults, 8, [[-10, 4]], [], 8],
    ['current 8 after +4 exactly 15 s ago: start 8 → 16', defaults, 8, [[-15, 4]], [], 16],
    ['current 6 after −2 5 s ago: start 8 → Percent 16', defaults, 6, [], [[-5, 2]], 16],
    ['Pods 1/60s after +1 30 s ago from 3: start 2 → 3', rules({ policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }), 3, [[-30, 1]], [], 3],
    ['selectPolicy Disabled → current 7', rules({ selectPolicy: 'Disabled' }), 7, [], [], 7],
  ] as const)('%s', (_label, r, current, up, down, expected) => {
    expect(scaleUpLimitWithRules(current, ev(...(up as unknown as [number, number][])), ev(...(down as unknown as [number, number][])), r, s(0))).toBe(expected);
  });
});

describe('scaleDownLimitWithRules: Max → lowest limit, Min → highest', () => {
  const pods2Percent50 = [
    { type: 'Pods', value: 2, periodSeconds: 60 },
    { type: 'Percent', value: 50, periodSeconds: 60 },
  ] as const;
  it.each([
    ['default Percent 100/15s from 10 → 0', downRules({}), 10, [], [], 0],
    ['Pods 2 and Percent 50 from 10, Max → min(8, 5) = 5', downRules({ policies: pods2Percent50 }), 10, [], [], 5],
    ['Pods 2 and Percent 50 from 10, Min → max(8, 5) = 8', downRules({ selectPolicy: 'Min', policies: pods2Percent50 }), 10, [], [], 8],
    ['Percent 30 from 7 → trunc(4.9) = 4', downRules({ policies: [{ type: 'Percent', value: 30, periodSeconds: 15 }] }), 7, [], [], 4],
    ['Pods 2/60s after −2 10 s ago at 8: start 10 → 8 (budget used)', downRules({ policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }), 8, [], [[-10, 2]], 8],
    ['Pods 2/60s after +3 10 s ago at 8: start 5 → 3', downRules({ policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }), 8, [[-10, 3]], [], 3],
    ['selectPolicy Disabled → current 9', downRules({ selectPolicy: 'Disabled' }), 9, [], [], 9],
  ] as const)('%s', (_label, r, current, up, down, expected) => {
    expect(scaleDownLimitWithRules(current, ev(...(up as unknown as [number, number][])), ev(...(down as unknown as [number, number][])), r, s(0))).toBe(expected);
  });
});

describe('stabilizeWithBehavior: current raised to min(up window), lowered to max(down window)', () => {
  const recsOf = (pairs: [number, number][]) => state(pairs).recommendations;
  it.each([
    ['up 0 s: old 3 ignored for up, 5 → 10', [[-100, 3]], 5, 10, 0, 300, 10],
    ['up 60 s: a 7 from 30 s ago caps the rise at 7', [[-30, 7]], 5, 10, 60, 300, 7],
    ['up 60 s: a 4 from 30 s ago (below current 5) keeps 5', [[-30, 4]], 5, 10, 60, 300, 5],
    ['up 60 s: a 7 from 61 s ago is forgotten → 10', [[-61, 7]], 5, 10, 60, 300, 10],
    ['down 300 s: an 8 from 100 s ago holds 10 → 4 at 8', [[-100, 8]], 10, 4, 0, 300, 8],
    ['down 300 s: a 12 from 100 s ago keeps current 10', [[-100, 12]], 10, 4, 0, 300, 10],
    ['down 300 s: a 12 from exactly 300 s ago is out (strictly newer only) → 4', [[-300, 12]], 10, 4, 0, 300, 4],
    ['no history: desired 4 from 10 → 4', [], 10, 4, 0, 300, 4],
  ] as const)('%s', (_label, pairs, current, desired, up, down, expected) => {
    expect(stabilizeWithBehavior(recsOf(pairs as unknown as [number, number][]), s(0), current, desired, up, down)).toBe(expected);
  });
});

describe('limitWithBehavior: rate policies then [min, max]', () => {
  const defaults = resolveBehavior({}, 300);
  const pods2 = resolveBehavior({ scaleDown: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } }, 300);
  it.each([
    ['defaults from 4 wanting 20 → 8', defaults, 4, 20, 1, 100, [], 8, 'ScaleUpLimit'],
    ['defaults from 4 wanting 20, max 6 (≤ rate 8) → 6', defaults, 4, 20, 1, 6, [], 6, 'TooManyReplicas'],
    ['defaults from 4 wanting 7 → 7', defaults, 4, 7, 1, 100, [], 7, 'DesiredWithinRange'],
    ['scaleDown Pods 2/60s from 10 wanting 2 → 8', pods2, 10, 2, 1, 100, [], 8, 'ScaleDownLimit'],
    ['default Percent 100 from 10 wanting 0, min 5 → 5', defaults, 10, 0, 5, 100, [], 5, 'TooFewReplicas'],
    ['rate below current (+8 10 s ago, now 5: start −3 → 1) holds 5', defaults, 5, 20, 1, 100, [[-10, 8]], 5, 'ScaleUpLimit'],
  ] as const)('%s', (_label, b, current, stabilized, min, max, up, replicas, reason) => {
    expect(limitWithBehavior(current, stabilized, min, max, b, ev(...(up as unknown as [number, number][])), [], s(0))).toEqual({ replicas, reason });
  });
});

describe('syncHpa, behavior path', () => {
  it('behavior {}: Percent 100/15s from 4 → 8, ScaleUpLimit, scale-up event +4 recorded', () => {
    const r = sync(4, 20, {}, { state: state([]) });
    expect(r).toMatchObject({ desiredReplicas: 8, reason: 'ScaleUpLimit', rescaleReason: 'external metric s0-queue above target' });
    expect(r.state.scaleUpEvents).toEqual([{ at: s(0), replicas: 4 }]);
    expect(r.state.scaleDownEvents).toEqual([]);
  });

  it('next sync 10 s later sees the +4 (start 4 → limit 8): stays 8, no new event', () => {
    const first = sync(4, 20, {}, { state: state([]) });
    const second = sync(8, 20, {}, { state: first.state, now: s(10) });
    expect(second).toMatchObject({ desiredReplicas: 8, reason: 'ScaleUpLimit' });
    expect(second.state.scaleUpEvents).toEqual([{ at: s(0), replicas: 4 }]);
  });

  it('next sync 15 s later: the +4 is exactly at the cutoff, start 8 → 16, and the old event is pruned', () => {
    const first = sync(4, 20, {}, { state: state([]) });
    const second = sync(8, 20, {}, { state: first.state, now: s(15) });
    expect(second.desiredReplicas).toBe(16);
    expect(second.state.scaleUpEvents).toEqual([{ at: s(15), replicas: 8 }]);
  });

  it('first sync from 10 wanting 2: the initial recommendation 10 sits in the 300 s down window → ScaleDownStabilized', () => {
    const r = sync(10, 2, {});
    expect(r).toMatchObject({ desiredReplicas: 10, reason: 'ScaleDownStabilized' });
    expect(r.conditions).toContainEqual(expect.objectContaining({ type: 'AbleToScale', reason: 'ScaleDownStabilized' }));
  });

  it('down window passed (10 from 301 s ago): Percent 100/15s lets 10 → 2, down event −8 recorded', () => {
    const r = sync(10, 2, {}, { state: state([[-301, 10]]) });
    expect(r).toMatchObject({ desiredReplicas: 2, reason: 'SucceededRescale', rescaleReason: 'All metrics below target' });
    expect(r.state.scaleDownEvents).toEqual([{ at: s(0), replicas: 8 }]);
  });

  it('scaleDown window 0 and Pods 1/60s: 10 → 9 at once, ScaleDownLimit', () => {
    const r = sync(10, 2, { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
    expect(r).toMatchObject({ desiredReplicas: 9, reason: 'ScaleDownLimit' });
  });

  it('scaleUp window 60 s: a 4 recommended 30 s ago holds the rise from 2 at 4 → ScaleUpStabilized', () => {
    const r = sync(2, 10, { scaleUp: { stabilizationWindowSeconds: 60 } }, { state: state([[-30, 4]]) });
    expect(r).toMatchObject({ desiredReplicas: 4, proposal: 10, reason: 'ScaleUpStabilized' });
  });

  it('scaleUp window 60 s whose only recommendation (12) is higher: no hold, then the rate limit max(Pods 2+4, Percent 4) = 6', () => {
    const r = sync(2, 10, { scaleUp: { stabilizationWindowSeconds: 60 } }, { state: state([[-30, 12]]) });
    expect(r).toMatchObject({ desiredReplicas: 6, reason: 'ScaleUpLimit' });
  });

  it.each([
    ['scaleUp selectPolicy Disabled keeps 3 (wants 10) → ScaleUpLimit', { scaleUp: { selectPolicy: 'Disabled' } }, 3, 10, 3, 'ScaleUpLimit'],
    ['scaleDown selectPolicy Disabled keeps 10 (wants 2) → ScaleDownLimit', { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } }, 10, 2, 10, 'ScaleDownLimit'],
  ] as const)('%s', (_label, behavior, current, proposal, desired, reason) => {
    expect(sync(current, proposal, behavior, { state: state([]) })).toMatchObject({ desiredReplicas: desired, reason });
  });

  it('clamps to [min, max]: window 0, from 10 wanting 0 with min 3 → TooFewReplicas 3; from 10 wanting 50 with max 12 → TooManyReplicas 12', () => {
    const b = { scaleDown: { stabilizationWindowSeconds: 0 } };
    const spec = { minReplicas: 3, maxReplicas: 12, behavior: b };
    expect(sync(10, 0, b, { spec, state: state([]) })).toMatchObject({ desiredReplicas: 3, reason: 'TooFewReplicas' });
    expect(sync(10, 50, b, { spec, state: state([]) })).toMatchObject({ desiredReplicas: 12, reason: 'TooManyReplicas' });
  });

  it('downscaleStabilizationSeconds 60 fills an unset scaleDown window: a 10 from 100 s ago no longer holds', () => {
    const r = sync(10, 4, {}, { state: state([[-100, 10]]), options: { downscaleStabilizationSeconds: 60 } });
    expect(r.desiredReplicas).toBe(4);
  });

  it('per-direction tolerance: scaleUp "0.02" turns ratio 1.05 into ceil(10.5) = 11; without it 10 is kept', () => {
    const metrics = [{ name: 'm', targetType: 'AverageValue' as const, targetMilli: 5000, valueMilli: 52_500 }];
    expect(sync(10, 0, { scaleUp: { tolerance: '0.02' } }, { metrics, state: state([]) }).desiredReplicas).toBe(11);
    expect(sync(10, 0, {}, { metrics, state: state([]) }).desiredReplicas).toBe(10);
  });

  it('per-direction tolerance: scaleDown "0.3" keeps 10 at ratio 0.75; the default 0.1 would go to ceil(7.5) = 8', () => {
    const metrics = [{ name: 'm', targetType: 'AverageValue' as const, targetMilli: 5000, valueMilli: 37_500 }];
    const b = { scaleDown: { tolerance: '0.3', stabilizationWindowSeconds: 0 } };
    expect(sync(10, 0, b, { metrics, state: state([]) }).desiredReplicas).toBe(10);
    expect(sync(10, 0, { scaleDown: { stabilizationWindowSeconds: 0 } }, { metrics, state: state([]) }).desiredReplicas).toBe(8);
  });

  it('state is pruned: recommendations to the longest window (300 s), events to the longest period (15 s)', () => {
    const r = sync(4, 20, {}, { state: state([[-301, 1], [-299, 2]], [[-16, 1], [-14, 1]], [[-20, 1], [-3, 1]]) });
    // start = 4 − 1 (up 14 s ago) + 1 (down 3 s ago) = 4 → 8.
    expect(r.desiredReplicas).toBe(8);
    expect(r.state).toEqual({
      recommendations: [
        { at: s(-299), replicas: 2 },
        { at: s(0), replicas: 20 },
      ],
      scaleUpEvents: [
        { at: s(-14), replicas: 1 },
        { at: s(0), replicas: 4 },
      ],
      scaleDownEvents: [{ at: s(-3), replicas: 1 }],
    });
  });
});

describe('multi-sync sequence, behavior path', () => {
  it('scaleUp Pods 2/60s: 1 → 3 at 0 s, held through 59 s, 3 → 5 at 60 s', () => {
    const b = { scaleUp: { policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] } };
    let current = 1;
    let st: HpaState | undefined;
    const seen: number[] = [];
    for (const t of [0, 15, 30, 45, 60]) {
      const r = sync(current, 20, b, { now: s(t), state: st });
      seen.push(r.desiredReplicas);
      current = r.desiredReplicas;
      st = r.state;
    }
    expect(seen).toEqual([3, 3, 3, 3, 5]);
  });
});
