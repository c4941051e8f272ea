// syncHpa rules shared by both paths: zero state, out-of-range targets, metric failures, max over
// metrics, conditions, direct mode and purity.
import { describe, expect, it } from 'vitest';
import { syncHpa, type ExternalMetricObservation, type HpaState, type HpaSyncInput } from '../../src/scaling/hpa.js';

const T0 = 1_700_000_000_000;
const s = (seconds: number): number => T0 + seconds * 1000;
/** AverageValue target 1: the proposal is the sum (outside tolerance). */
const m = (name: string, proposal: number): ExternalMetricObservation => ({ name, targetType: 'AverageValue', targetMilli: 1000, valueMilli: proposal * 1000 });
const failing = (name: string): ExternalMetricObservation => ({ name, targetType: 'AverageValue', targetMilli: 1000, error: 'connection refused' });
const EMPTY: HpaState = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };

function input(current: number, metrics: readonly ExternalMetricObservation[], extra: Partial<HpaSyncInput> = {}): HpaSyncInput {
  return { spec: { minReplicas: 1, maxReplicas: 100 }, currentReplicas: current, statusReplicas: current, readyPods: current, metrics, now: s(0), ...extra };
}

describe('zero state and out-of-range targets (no metrics read)', () => {
  it('current 0 with minReplicas 1 → no action, ScalingActive False ScalingDisabled, initial recommendation seeded', () => {
    const r = syncHpa(input(0, [m('a', 20)]));
    expect(r).toMatchObject({ desiredReplicas: 0, proposal: undefined, reason: 'ScalingDisabled', rescaleReason: '' });
    expect(r.conditions).toEqual([
      { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" },
      { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' },
    ]);
    expect(r.state.recommendations).toEqual([{ at: s(0), replicas: 0 }]);
  });

  it('current 0 with minReplicas 0 (HPAScaleToZero) → metrics decide: Value 23/10 → ceil(2.3) = 3', () => {
    const metric: ExternalMetricObservation = { name: 'v', targetType: 'Value', targetMilli: 10_000, valueMilli: 23_000 };
    const r = syncHpa(input(0, [metric], { spec: { minReplicas: 0, maxReplicas: 10 } }));
    expect(r).toMatchObject({ desiredReplicas: 3, reason: 'SucceededRescale' });
  });

  it.each([
    ['current 12 > max 10 → 10, TooManyReplicas', 12, 10, 'TooManyReplicas', 'Current number of replicas above Spec.MaxReplicas'],
    ['current 1 < min 3 → 3, TooFewReplicas', 1, 3, 'TooFewReplicas', 'Current number of replicas below Spec.MinReplicas'],
  ] as const)('%s, even with every metric failing', (_label, current, desired, reason, text) => {
    const r = syncHpa(input(current, [failing('a')], { spec: { minReplicas: 3, maxReplicas: 10 } }));
    expect(r).toMatchObject({ desiredReplicas: desired, proposal: undefined, reason, rescaleReason: text });
    expect(r.conditions).toContainEqual(expect.objectContaining({ type: 'ScalingLimited', status: 'True', reason }));
    expect(r.conditions).toContainEqual(expect.objectContaining({ type: 'AbleToScale', reason: 'SucceededRescale' }));
  });

  it('out-of-range rescale with behavior records the scale event (12 → 10 is −2)', () => {
    const r = syncHpa(input(12, [m('a', 1)], { spec: { minReplicas: 1, maxReplicas: 10, behavior: {} }, state: EMPTY }));
    expect(r.state.scaleDownEvents).toEqual([{ at: s(0), replicas: 2 }]);
  });

  it('minReplicas unset defaults to 1: current 0 is ScalingDisabled', () => {
    expect(syncHpa(input(0, [m('a', 5)], { spec: { maxReplicas: 10 } })).reason).toBe('ScalingDisabled');
  });
});

describe('several metrics: max of proposals; failures', () => {
  it('max over metrics [5, 12, 7] → 12; ValidMetricFound names b', () => {
    const r = syncHpa(input(10, [m('a', 5), m('b', 12), m('c', 7)], { state: EMPTY }));
    expect(r).toMatchObject({ desiredReplicas: 12, proposal: 12 });
    expect(r.conditions).toContainEqual({
      type: 'ScalingActive',
      status: 'True',
      reason: 'ValidMetricFound',
      message: 'the HPA was able to successfully calculate a replica count from external metric b',
    });
  });

  it('all metrics failing → keep 10, FailedGetExternalMetric from the first error, state untouched', () => {
    const r = syncHpa(input(10, [failing('a'), failing('b')], { state: EMPTY }));
    expect(r).toMatchObject({ desiredReplicas: 10, proposal: undefined, reason: 'FailedGetExternalMetric' });
    expect(r.conditions).toContainEqual({
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetExternalMetric',
      message: 'the HPA was unable to compute the replica count: unable to get external metric a: connection refused',
    });
    expect(r.state).toBe(EMPTY);
  });

  it('no metrics at all → FailedGetExternalMetric, keep current', () => {
    expect(syncHpa(input(4, [], { state: EMPTY }))).toMatchObject({ desiredReplicas: 4, reason: 'FailedGetExternalMetric' });
  });

  it('partial failure blocks scale-down: [error, 3] at 10 → keep 10 (proposal 3 shown), nothing recorded', () => {
    const r = syncHpa(input(10, [failing('a'), m('b', 3)], { state: EMPTY }));
    expect(r).toMatchObject({ desiredReplicas: 10, proposal: 3, reason: 'FailedGetExternalMetric' });
    expect(r.state).toBe(EMPTY);
  });

  it('partial failure still scales up: [error, 20] at 5 → legacy limit 10, ScalingActive True', () => {
    const r = syncHpa(input(5, [failing('a'), m('b', 20)], { state: EMPTY }));
    expect(r).toMatchObject({ desiredReplicas: 10, proposal: 20, reason: 'ScaleUpLimit' });
    expect(r.conditions).toContainEqual(expect.objectContaining({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' }));
  });

  it('partial failure with the rest equal to current (10) proceeds: DesiredWithinRange', () => {
    expect(syncHpa(input(10, [m('b', 10), failing('a')], { state: EMPTY }))).toMatchObject({ desiredReplicas: 10, reason: 'DesiredWithinRange' });
  });

  it('a metric with no items (no value, no error) counts as failing', () => {
    const noItems: ExternalMetricObservation = { name: 'a', targetType: 'Value', targetMilli: 1000 };
    expect(syncHpa(input(3, [noItems], { state: EMPTY })).reason).toBe('FailedGetExternalMetric');
  });
});

describe('conditions of a normal sync', () => {
  it('unchanged: AbleToScale ReadyForNewScale, ScalingActive ValidMetricFound, ScalingLimited False DesiredWithinRange', () => {
    expect(syncHpa(input(6, [m('a', 6)], { state: EMPTY })).conditions).toEqual([
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from external metric a' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
    ]);
  });

  it('rescaled and limited: AbleToScale SucceededRescale to 4, ScalingLimited True ScaleUpLimit', () => {
    const c = syncHpa(input(1, [m('a', 20)], { state: EMPTY })).conditions;
    expect(c[0]).toEqual({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 4' });
    expect(c[2]).toEqual({
      type: 'ScalingLimited',
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
  });

  it('behavior scale-down limited: ScalingLimited True ScaleDownLimit message', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }] } };
    const c = syncHpa(input(5, [m('a', 1)], { spec: { maxReplicas: 10, behavior }, state: EMPTY })).conditions;
    expect(c).toContainEqual({
      type: 'ScalingLimited',
      status: 'True',
      reason: 'ScaleDownLimit',
      message: 'the desired replica count is decreasing faster than the maximum scale rate',
    });
  });

  it('behavior up stabilization sets AbleToScale ScaleUpStabilized while nothing changes (from 3, a 3 within 60 s)', () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    const state: HpaState = { ...EMPTY, recommendations: [{ at: s(-30), replicas: 3 }] };
    const r = syncHpa(input(3, [m('a', 9)], { spec: { maxReplicas: 10, behavior }, state }));
    expect(r).toMatchObject({ desiredReplicas: 3, reason: 'ScaleUpStabilized' });
    expect(r.conditions[0]).toEqual({
      type: 'AbleToScale',
      status: 'True',
      reason: 'ScaleUpStabilized',
      message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
    });
  });
});

describe("direct mode (scaleUpLimit 'none')", () => {
  const direct = { scaleUpLimit: 'none' } as const;

  it('legacy path from 1 to proposal 20 in one sync (Kubernetes mode would stop at 4)', () => {
    expect(syncHpa(input(1, [m('a', 20)], { state: EMPTY, options: direct }))).toMatchObject({ desiredReplicas: 20, reason: 'SucceededRescale' });
    expect(syncHpa(input(1, [m('a', 20)], { state: EMPTY })).desiredReplicas).toBe(4);
  });

  it('ignores up rate policies and up stabilization: Pods 1/60s + 60 s window holding 2 → still 20', () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }] } };
    const state: HpaState = { recommendations: [{ at: s(-10), replicas: 2 }], scaleUpEvents: [{ at: s(-10), replicas: 1 }], scaleDownEvents: [] };
    const r = syncHpa(input(2, [m('a', 20)], { spec: { maxReplicas: 100, behavior }, state, options: direct }));
    expect(r).toMatchObject({ desiredReplicas: 20, reason: 'SucceededRescale' });
    expect(r.state.scaleUpEvents.at(-1)).toEqual({ at: s(0), replicas: 18 });
  });

  it('still clamps to max: proposal 200, max 50 → TooManyReplicas 50', () => {
    expect(syncHpa(input(3, [m('a', 200)], { spec: { maxReplicas: 50 }, state: EMPTY, options: direct }))).toMatchObject({
      desiredReplicas: 50,
      reason: 'TooManyReplicas',
    });
  });

  it('scale-down unchanged: the 20 it recorded holds for 300 s, then down', () => {
    const up = syncHpa(input(1, [m('a', 20)], { state: EMPTY, options: direct }));
    const held = syncHpa(input(20, [m('a', 2)], { state: up.state, now: s(200), options: direct }));
    expect(held).toMatchObject({ desiredReplicas: 20, reason: 'ScaleDownStabilized' });
    const down = syncHpa(input(20, [m('a', 2)], { state: held.state, now: s(301), options: direct }));
    expect(down.desiredReplicas).toBe(2);
  });

  it('scale-down still obeys explicit behavior: Pods 3/60s from 20 → 17', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods' as const, value: 3, periodSeconds: 60 }] } };
    expect(syncHpa(input(20, [m('a', 2)], { spec: { maxReplicas: 100, behavior }, state: EMPTY, options: direct }))).toMatchObject({
      desiredReplicas: 17,
      reason: 'ScaleDownLimit',
    });
  });

  it('tolerance still applies to the proposal: ratio 1.08 keeps 10', () => {
    const metric: ExternalMetricObservation = { name: 'a', targetType: 'AverageValue', targetMilli: 5000, valueMilli: 54_000 };
    expect(syncHpa(input(10, [metric], { state: EMPTY, options: direct })).desiredReplicas).toBe(10);
  });
});

describe('purity', () => {
  it('does not mutate a frozen input and returns a new state', () => {
    const state: HpaState = Object.freeze({
      recommendations: Object.freeze([Object.freeze({ at: s(-400), replicas: 9 }), Object.freeze({ at: s(-10), replicas: 3 })]),
      scaleUpEvents: Object.freeze([Object.freeze({ at: s(-5), replicas: 1 })]),
      scaleDownEvents: Object.freeze([]),
    });
    const frozen = Object.freeze(input(4, Object.freeze([m('a', 20)]), { spec: Object.freeze({ maxReplicas: 100, behavior: Object.freeze({}) }), state }));
    const before = JSON.stringify(frozen);
    const r = syncHpa(frozen);
    expect(JSON.stringify(frozen)).toBe(before);
    expect(r.state).not.toBe(state);
    expect(r.state.recommendations).toHaveLength(2); // the 400 s old one pruned, the new 20 added
  });

  it('same input → same output', () => {
    const i = input(7, [m('a', 30)], { state: EMPTY, spec: { maxReplicas: 100, behavior: {} } });
    expect(syncHpa(i)).toEqual(syncHpa(i));
  });
});
