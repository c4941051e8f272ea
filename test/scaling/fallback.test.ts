import { describe, expect, it } from 'vitest';
import {
  anyBeyondThreshold,
  fallbackReplicas,
  fallbackValueMilli,
  HAPPY,
  HealthWriter,
  isBeyondThreshold,
  isFallbackValid,
  nextHealth,
  type FallbackBehavior,
  type FallbackSpec,
  type HealthMap,
} from '../../src/scaling/fallback.js';

const fb = (failureThreshold: number, replicas: number, behavior: FallbackBehavior = 'static'): FallbackSpec => ({
  failureThreshold,
  replicas,
  behavior,
});

describe('isFallbackValid', () => {
  it.each<[string, FallbackSpec | undefined, string | undefined, boolean]>([
    ['no fallback block → invalid', undefined, undefined, false],
    ['threshold 3, replicas 5 → valid', fb(3, 5), undefined, true],
    ['threshold 0, replicas 0 → valid (both ≥ 0)', fb(0, 0), undefined, true],
    ['threshold −1 → invalid', fb(-1, 5), undefined, false],
    ['replicas −1 → invalid', fb(3, -1), undefined, false],
    ['modifiers target "10" → valid', fb(3, 5), '10', true],
    ['modifiers target "+10" → valid (ParseInt accepts a sign)', fb(3, 5), '+10', true],
    ['modifiers target "0" → invalid (must be > 0)', fb(3, 5), '0', false],
    ['modifiers target "-2" → invalid', fb(3, 5), '-2', false],
    ['modifiers target "2.5" → invalid (not an integer)', fb(3, 5), '2.5', false],
    ['modifiers target "5.0" → invalid (ParseInt rejects it)', fb(3, 5), '5.0', false],
    ['modifiers target "" → invalid', fb(3, 5), '', false],
  ])('%s', (_name, spec, target, expected) => {
    expect(isFallbackValid(spec, target)).toBe(expected);
  });
});

describe('fallbackReplicas (R by behavior)', () => {
  it.each<[string, FallbackBehavior, number, number, number]>([
    ['static: replicas 5, current 3 → 5', 'static', 5, 3, 5],
    ['currentReplicas: replicas 5, current 3 → 3', 'currentReplicas', 5, 3, 3],
    ['currentReplicasIfHigher: replicas 5, current 3 → max = 5', 'currentReplicasIfHigher', 5, 3, 5],
    ['currentReplicasIfHigher: replicas 5, current 8 → max = 8', 'currentReplicasIfHigher', 5, 8, 8],
    ['currentReplicasIfLower: replicas 5, current 3 → min = 3', 'currentReplicasIfLower', 5, 3, 3],
    ['currentReplicasIfLower: replicas 5, current 8 → min = 5', 'currentReplicasIfLower', 5, 8, 5],
    ['scalingModifiers behaves as static: replicas 5 → 5', 'scalingModifiers', 5, 3, 5],
  ])('%s', (_name, behavior, replicas, current, expected) => {
    expect(fallbackReplicas(fb(1, replicas, behavior), current)).toBe(expected);
  });
});

describe('fallbackValueMilli (value = target × R)', () => {
  it.each<[string, number, string, number, number | undefined, { valueMilli: number } | 'error']>([
    ['AverageValue target 10, R 5 → 50000m', 10_000, 'AverageValue', 5, undefined, { valueMilli: 50_000 }],
    ['AverageValue target 1.5 (1500m), R 3 → 4500m', 1_500, 'AverageValue', 3, undefined, { valueMilli: 4_500 }],
    ['AverageValue target 10, R 0 → 0 (HPA goes to min)', 10_000, 'AverageValue', 0, undefined, { valueMilli: 0 }],
    ['Value target 10, R 6, 3 ready pods → 10 × 6/3 = 20000m', 10_000, 'Value', 6, 3, { valueMilli: 20_000 }],
    ['Value target 10, R 1, 3 ready pods → 10000 × 1/3 = 3333.3 → 3333m (truncated)', 10_000, 'Value', 1, 3, { valueMilli: 3_333 }],
    ['Value target, 0 ready pods → error', 10_000, 'Value', 5, 0, 'error'],
    ['Value target, ready pods unknown → error', 10_000, 'Value', 5, undefined, 'error'],
  ])('%s', (_name, target, type, r, ready, expected) => {
    const out = fallbackValueMilli(target, type, r, ready);
    if (expected === 'error') expect(out).toHaveProperty('error');
    else expect(out).toEqual(expected);
  });
});

describe('health', () => {
  it('success → {0, Happy}; failure counts up from the previous entry', () => {
    expect(nextHealth(undefined, true)).toBe(HAPPY);
    expect(nextHealth(undefined, false)).toEqual({ numberOfFailures: 1, status: 'Failing' });
    expect(nextHealth({ numberOfFailures: 2, status: 'Failing' }, false)).toEqual({ numberOfFailures: 3, status: 'Failing' });
    expect(nextHealth({ numberOfFailures: 7, status: 'Failing' }, true)).toEqual({ numberOfFailures: 0, status: 'Happy' });
  });

  it.each<[string, number, number, boolean]>([
    ['3 failures, threshold 3 → not beyond (error still reaches the HPA)', 3, 3, false],
    ['4 failures, threshold 3 → beyond', 4, 3, true],
    ['1 failure, threshold 0 → beyond', 1, 0, true],
  ])('%s', (_name, failures, threshold, expected) => {
    expect(isBeyondThreshold({ numberOfFailures: failures, status: 'Failing' }, threshold)).toBe(expected);
  });

  it('a Happy entry never counts as beyond, and any failing entry (even a stale metric) sets the condition', () => {
    const health: HealthMap = {
      's0-queue': { numberOfFailures: 9, status: 'Happy' },
      's9-removed': { numberOfFailures: 4, status: 'Failing' },
    };
    expect(isBeyondThreshold(health['s0-queue'], 3)).toBe(false);
    expect(anyBeyondThreshold(health, 3)).toBe(true);
    expect(anyBeyondThreshold(health, 4)).toBe(false);
  });

  it('HealthWriter copies on the first change only', () => {
    const happy: HealthMap = { a: { numberOfFailures: 0, status: 'Happy' } };
    const unchanged = new HealthWriter(happy);
    unchanged.record('a', true);
    expect(unchanged.result()).toBe(happy);

    const changed = new HealthWriter(happy);
    changed.record('a', false);
    changed.record('a', false);
    changed.record('b', true);
    expect(changed.result()).toEqual({ a: { numberOfFailures: 2, status: 'Failing' }, b: HAPPY });
    expect(happy).toEqual({ a: { numberOfFailures: 0, status: 'Happy' } });
  });
});
