import { describe, expect, it } from 'vitest';
import { externalMetricCurrentMilli, externalMetricProposal, withinTolerance, type ExternalMetricObservation } from '../../src/scaling/hpa.js';

const avg = (valueMilli: number, targetMilli: number): ExternalMetricObservation => ({ name: 's0-queue', targetType: 'AverageValue', targetMilli, valueMilli });
const val = (valueMilli: number, targetMilli: number): ExternalMetricObservation => ({ name: 's0-queue', targetType: 'Value', targetMilli, valueMilli });

describe('withinTolerance: 1 − down ≤ ratio ≤ 1 + up', () => {
  it.each([
    [1.08, 0.1, 0.1, true],
    [1.1, 0.1, 0.1, true], // 1.1 ≤ 1 + 0.1 in float64 too (both are the same double)
    [1.11, 0.1, 0.1, false],
    [0.9, 0.1, 0.1, true],
    [0.89, 0.1, 0.1, false],
    [1.04, 0.1, 0.03, false], // per-direction: up tolerance 0.03
    [0.85, 0.2, 0.03, true], // per-direction: down tolerance 0.2
    [1, 0, 0, true],
  ])('ratio %f down %f up %f → %s', (ratio, down, up, expected) => {
    expect(withinTolerance(ratio, down, up)).toBe(expected);
  });
});

describe('externalMetricProposal: AverageValue (divides by status.replicas)', () => {
  it.each([
    // [label, sumMilli, targetMilli, statusReplicas, expected]
    ['sum 47 target 5, 2 pods: ratio 4.7 → ceil(9.4) = 10', 47_000, 5_000, 2, 10],
    ['sum 50 target 5, 10 pods: ratio 1.0 → keeps 10', 50_000, 5_000, 10, 10],
    ['tolerance 0.1: sum 54 target 5 at 10 pods, ratio 1.08 keeps 10', 54_000, 5_000, 10, 10],
    ['sum 55 target 5 at 10 pods: ratio 1.1 is still within → keeps 10', 55_000, 5_000, 10, 10],
    ['sum 56 target 5 at 10 pods: ratio 1.12 → ceil(11.2) = 12', 56_000, 5_000, 10, 12],
    ['sum 45 target 5 at 10 pods: ratio 0.9 within → keeps 10', 45_000, 5_000, 10, 10],
    ['sum 44 target 5 at 10 pods: ratio 0.88 → ceil(8.8) = 9', 44_000, 5_000, 10, 9],
    ['sum 0 at 3 pods: ratio 0 → ceil(0) = 0', 0, 5_000, 3, 0],
    ['milli target 1500m, sum 4 at 1 pod: 4000/1500 = 2.67 → 3', 4_000, 1_500, 1, 3],
    ['status.replicas 0: ratio +Inf is never within → ceil(7/5) = 2', 7_000, 5_000, 0, 2],
    ['status.replicas 0 and sum 0: ratio NaN → ceil(0) = 0', 0, 5_000, 0, 0],
    ['within tolerance keeps status.replicas (4), not spec.replicas', 20_000, 5_000, 4, 4],
  ])('%s', (_label, sum, target, statusReplicas, expected) => {
    // spec.replicas 7 differs from statusReplicas on purpose: AverageValue must ignore it.
    expect(externalMetricProposal(avg(sum, target), 7, statusReplicas, 7, 0.1, 0.1)).toBe(expected);
  });

  it('caps at int32 max: sum 1e15 milli target 1m → 2147483647', () => {
    expect(externalMetricProposal(avg(1e15, 1), 1, 1, 1, 0.1, 0.1)).toBe(2_147_483_647);
  });
});

describe('externalMetricProposal: Value (multiplies by ready pods)', () => {
  it.each([
    // [label, sumMilli, targetMilli, currentReplicas, readyPods, expected]
    ['sum 30 target 10: ratio 3 × 4 ready = 12', 30_000, 10_000, 4, 4, 12],
    ['ratio 3 × 2 ready (4 current) = 6: ready pods, not current, multiply', 30_000, 10_000, 4, 2, 6],
    ['ratio 1.05 within 0.1 → keeps current 4', 10_500, 10_000, 4, 3, 4],
    ['ratio 0.5 × 4 ready = 2', 5_000, 10_000, 4, 4, 2],
    ['ratio 1.25 × 3 ready = ceil(3.75) = 4', 12_500, 10_000, 3, 3, 4],
    ['current 0: ceil(ratio 2.3) = 3 (no tolerance, no pods)', 23_000, 10_000, 0, 0, 3],
    ['current 0: ratio 1.05 still ceil → 2', 10_500, 10_000, 0, 0, 2],
    ['current 0: ratio 0 → 0', 0, 10_000, 0, 0, 0],
    ['no ready pods and outside tolerance: ceil(2 × 0) = 0', 20_000, 10_000, 3, 0, 0],
  ])('%s', (_label, sum, target, current, ready, expected) => {
    expect(externalMetricProposal(val(sum, target), current, 99, ready, 0.1, 0.1)).toBe(expected);
  });
});

describe('externalMetricProposal: per-direction tolerance', () => {
  it.each([
    ['up 0.02: sum 52.5 target 5 at 10 pods, ratio 1.05 > 1.02 → ceil(10.5) = 11', 52_500, 0.1, 0.02, 11],
    ['up 0.2: ratio 1.15 ≤ 1.2 keeps 10', 57_500, 0.1, 0.2, 10],
    ['down 0.3: ratio 0.75 ≥ 0.7 keeps 10', 37_500, 0.3, 0.1, 10],
    ['down 0.01: ratio 0.98 < 0.99 leaves tolerance, but ceil(9.8) = 10 rounds back to 10', 49_000, 0.01, 0.1, 10],
    ['down 0.01: sum 44.5 target 5 at 10 pods, ratio 0.89 → ceil(8.9) = 9', 44_500, 0.01, 0.1, 9],
  ])('%s', (_label, sum, down, up, expected) => {
    expect(externalMetricProposal(avg(sum, 5_000), 10, 10, 10, down, up)).toBe(expected);
  });
});

describe('externalMetricProposal: failures return the error text', () => {
  it.each([
    ['metrics API error', { name: 'm', targetType: 'AverageValue', targetMilli: 5000, error: 'connection refused' }, /unable to get external metric m: connection refused/],
    ['no items returned', { name: 'm', targetType: 'Value', targetMilli: 5000 }, /no metrics returned/],
    ['zero target', { name: 'm', targetType: 'AverageValue', targetMilli: 0, valueMilli: 1 }, /must be positive/],
  ] as const)('%s', (_label, metric, pattern) => {
    const result = externalMetricProposal(metric, 1, 1, 1, 0.1, 0.1);
    expect(typeof result).toBe('string');
    expect(result).toMatch(pattern);
  });
});

describe('externalMetricCurrentMilli: what HPA status shows', () => {
  it.each([
    ['AverageValue 47 over 2 pods → ceil(23.5) = 23500m', avg(47_000, 5_000), 2, 23_500],
    ['AverageValue 10001m over 3 pods → ceil(3333.67) = 3334m', avg(10_001, 5_000), 3, 3_334],
    ['Value reports the sum 30', val(30_000, 10_000), 4, 30_000],
    ['error → undefined', { name: 'm', targetType: 'Value', targetMilli: 1, error: 'x' } as const, 4, undefined],
  ])('%s', (_label, metric, statusReplicas, expected) => {
    expect(externalMetricCurrentMilli(metric, statusReplicas)).toBe(expected);
  });
});
