import { describe, expect, it, vi } from 'vitest';
import {
  COMPOSITE_METRIC_NAME,
  evaluate,
  type EvaluateInput,
  type FormulaFn,
  type ScalingModifiersInput,
  type TriggerObservation,
  type TriggerResult,
} from '../../src/scaling/evaluate.js';
import type { FallbackSpec, HealthMap } from '../../src/scaling/fallback.js';

/** External AverageValue trigger s<i>-q<i>, target 10 (10000m), activation 0 unless given. */
function ext(index: number, result: TriggerResult | undefined, extra: Partial<TriggerObservation> = {}): TriggerObservation {
  const t: TriggerObservation = {
    metricName: `s${index}-q${index}`,
    index,
    kind: 'external',
    targetType: 'AverageValue',
    targetMilli: 10_000,
    activationMilli: 0,
    ...extra,
  };
  if (result !== undefined) t.result = result;
  return t;
}
const cpu = (index: number): TriggerObservation => ({
  metricName: `s${index}-cpu`,
  index,
  kind: 'resource',
  targetType: 'Utilization',
  targetMilli: 50_000,
  activationMilli: 0,
});
const ok = (valueMilli: number, active?: boolean): TriggerResult => (active === undefined ? { valueMilli } : { valueMilli, active });
const fail: TriggerResult = { error: 'connection refused' };
const failing = (n: number) => ({ numberOfFailures: n, status: 'Failing' as const });
const input = (triggers: TriggerObservation[], extra: Partial<EvaluateInput> = {}): EvaluateInput => ({
  triggers,
  health: {},
  currentReplicas: 3,
  ...extra,
});
const fb = (failureThreshold: number, replicas: number, behavior: FallbackSpec['behavior'] = 'static'): FallbackSpec => ({
  failureThreshold,
  replicas,
  behavior,
});

describe('evaluate: activity without scalingModifiers', () => {
  it.each<[string, TriggerObservation[], boolean, string[]]>([
    ['value 5 > activation 0 → active', [ext(0, ok(5_000))], true, ['s0-q0']],
    ['value 0, activation 0 → inactive (strictly greater)', [ext(0, ok(0))], false, []],
    ['value 3 ≤ activation 5 → inactive', [ext(0, ok(3_000), { activationMilli: 5_000 })], false, []],
    ['value 0 but the scaler says active (uncapped lag) → active', [ext(0, ok(0, true))], true, ['s0-q0']],
    ['value 7 > 0 but the scaler says inactive (activation lag) → inactive', [ext(0, ok(7_000, false))], false, []],
    ['two triggers, only the second active → OR = active, named by trigger name', [ext(0, ok(0)), ext(1, ok(2_000), { triggerName: 'orders' })], true, ['orders']],
    ['only cpu/memory triggers, no error → always active', [cpu(0)], true, []],
    ['cpu + inactive queue → inactive (cpu never counts)', [cpu(0), ext(1, ok(0))], false, []],
  ])('%s', (_name, triggers, active, activeTriggers) => {
    const obs = evaluate(input(triggers));
    expect(obs.active).toBe(active);
    expect(obs.error).toBe(false);
    expect([...obs.activeTriggers]).toEqual(activeTriggers);
  });

  it('serves each external metric, not cpu/memory, and records each trigger activity', () => {
    const obs = evaluate(input([cpu(0), ext(1, ok(12_000)), ext(2, ok(0))]));
    expect(obs.metrics).toEqual([
      { metricName: 's1-q1', valueMilli: 12_000 },
      { metricName: 's2-q2', valueMilli: 0 },
    ]);
    expect(obs.triggersActivity).toEqual({ 's1-q1': true, 's2-q2': false });
  });

  it('error without fallback → error flag, the metric carries the error, health untouched', () => {
    const health: HealthMap = {};
    const obs = evaluate(input([ext(0, fail), ext(1, ok(0))], { health }));
    expect(obs).toMatchObject({ active: false, error: true, fallbackActive: false, fallbackConfigured: false });
    expect(obs.metrics[0]).toEqual({ metricName: 's0-q0', error: 'connection refused' });
    expect(obs.health).toBe(health);
  });

  it('one trigger failing, another active → active with error (executor: PartialTriggerError)', () => {
    const obs = evaluate(input([ext(0, fail), ext(1, ok(4_000))]));
    expect(obs).toMatchObject({ active: true, error: true });
  });

  it('a missing result on an external trigger is an error', () => {
    expect(evaluate(input([ext(0, undefined)])).error).toBe(true);
  });
});

describe('evaluate: fallback', () => {
  it.each<[string, FallbackSpec, HealthMap, number, number | undefined, object]>([
    [
      'first failure, threshold 3 → {1, Failing}, error passes through, not active',
      fb(3, 5), {}, 3, undefined,
      { active: false, fallbackActive: false, metric: { error: 'connection refused' }, health: failing(1) },
    ],
    [
      '3rd failure, threshold 3 → still at the threshold, error passes through',
      fb(3, 5), { 's0-q0': failing(2) }, 3, undefined,
      { active: false, fallbackActive: false, metric: { error: 'connection refused' }, health: failing(3) },
    ],
    [
      '4th failure, threshold 3, static 5 → 5 × target 10 = 50000m, fallback counts as active',
      fb(3, 5), { 's0-q0': failing(3) }, 3, undefined,
      { active: true, fallbackActive: true, metric: { valueMilli: 50_000 }, health: failing(4) },
    ],
    [
      'currentReplicasIfHigher current 3 replicas 5 → 5 × target 10 = 50000m',
      fb(0, 5, 'currentReplicasIfHigher'), {}, 3, undefined,
      { active: true, fallbackActive: true, metric: { valueMilli: 50_000 }, health: failing(1) },
    ],
    [
      'currentReplicasIfHigher current 8 replicas 5 → 8 × 10 = 80000m',
      fb(0, 5, 'currentReplicasIfHigher'), {}, 8, undefined,
      { metric: { valueMilli: 80_000 } },
    ],
    [
      'currentReplicasIfLower current 3 replicas 5 → 3 × 10 = 30000m',
      fb(0, 5, 'currentReplicasIfLower'), {}, 3, undefined,
      { metric: { valueMilli: 30_000 } },
    ],
    [
      'currentReplicas current 4 → 4 × 10 = 40000m',
      fb(0, 5, 'currentReplicas'), {}, 4, undefined,
      { metric: { valueMilli: 40_000 } },
    ],
  ])('%s', (_name, fallback, health, current, readyPods, expected) => {
    const obs = evaluate(input([ext(0, fail)], { fallback, health, currentReplicas: current, readyPods }));
    const e = expected as { active?: boolean; fallbackActive?: boolean; metric: object; health?: object };
    if (e.active !== undefined) expect(obs.active).toBe(e.active);
    if (e.fallbackActive !== undefined) expect(obs.fallbackActive).toBe(e.fallbackActive);
    expect(obs.metrics[0]).toMatchObject(e.metric);
    if (e.health !== undefined) expect(obs.health['s0-q0']).toEqual(e.health);
    expect(obs.error).toBe(true);
    expect(obs.fallbackConfigured).toBe(true);
  });

  it('Value target: static 6 over 3 ready pods → 10 × 6/3 = 20000m; 0 ready pods → error', () => {
    const trigger = (): TriggerObservation => ext(0, fail, { targetType: 'Value' });
    const spread = evaluate(input([trigger()], { fallback: fb(0, 6), readyPods: 3 }));
    expect(spread.metrics[0]).toEqual({ metricName: 's0-q0', valueMilli: 20_000 });
    const none = evaluate(input([trigger()], { fallback: fb(0, 6), readyPods: 0 }));
    expect(none.metrics[0]).toHaveProperty('error');
    expect(none.active).toBe(false);
  });

  it('success resets health to {0, Happy} and clears the fallback', () => {
    const obs = evaluate(input([ext(0, ok(1_000))], { fallback: fb(3, 5), health: { 's0-q0': failing(9) } }));
    expect(obs.health['s0-q0']).toEqual({ numberOfFailures: 0, status: 'Happy' });
    expect(obs).toMatchObject({ fallbackActive: false, error: false, active: true });
  });

  it('unchanged all-Happy health comes back as the same object (no status PATCH needed)', () => {
    const health: HealthMap = { 's0-q0': { numberOfFailures: 0, status: 'Happy' } };
    expect(evaluate(input([ext(0, ok(0))], { fallback: fb(3, 5), health })).health).toBe(health);
  });

  it('invalid fallback (replicas −1) → no health tracking, errors pass through', () => {
    const health: HealthMap = { 's0-q0': failing(9) };
    const obs = evaluate(input([ext(0, fail)], { fallback: fb(3, -1), health }));
    expect(obs.health).toBe(health);
    expect(obs).toMatchObject({ fallbackConfigured: false, fallbackActive: false, active: false });
    expect(obs.metrics[0]).toHaveProperty('error');
  });

  it('a stale failing entry of a removed metric keeps the Fallback condition True', () => {
    const obs = evaluate(input([ext(0, ok(0))], { fallback: fb(1, 2), health: { 's7-old': failing(5) } }));
    expect(obs.fallbackActive).toBe(true);
    expect(obs.active).toBe(false);
  });
});

const sum: FormulaFn = (v) => ({ value: (v.a ?? 0) + (v.b ?? 0) });
const modifiers = (formula: FormulaFn, extra: Partial<ScalingModifiersInput> = {}): ScalingModifiersInput => ({
  target: '10',
  targetMilli: 10_000,
  activationMilli: 5_000,
  metricType: 'AverageValue',
  formula,
  ...extra,
});
const a = (result: TriggerResult) => ext(0, result, { triggerName: 'a' });
const b = (result: TriggerResult) => ext(1, result, { triggerName: 'b' });

describe('evaluate: scalingModifiers', () => {
  it.each<[string, TriggerResult, TriggerResult, number, boolean]>([
    ['a 3 + b 4 = 7 > activationTarget 5 → active, composite 7000m', ok(3_000), ok(4_000), 7_000, true],
    ['a 1 + b 4 = 5, not > 5 → inactive even though both triggers are above 0', ok(1_000), ok(4_000), 5_000, false],
    ['a 0.5 + b 0.25 = 0.75 → 750m', ok(500), ok(250), 750, false],
  ])('%s', (_name, ra, rb, composite, active) => {
    const obs = evaluate(input([a(ra), b(rb)], { scalingModifiers: modifiers(sum) }));
    expect(obs.metrics).toEqual([{ metricName: COMPOSITE_METRIC_NAME, valueMilli: composite }]);
    expect(obs.active).toBe(active);
    expect([...obs.activeTriggers]).toEqual(active ? ['ModifiersTrigger'] : []);
  });

  it('passes values in units keyed by trigger name, cpu left out', () => {
    const formula = vi.fn<FormulaFn>(() => ({ value: 1 }));
    evaluate(input([cpu(2), a(ok(1_500)), b(ok(0))], { scalingModifiers: modifiers(formula) }));
    expect(formula).toHaveBeenCalledWith({ a: 1.5, b: 0 });
  });

  it('a failing trigger below the threshold → composite error, inactive', () => {
    const obs = evaluate(input([a(fail), b(ok(9_000))], { scalingModifiers: modifiers(sum), fallback: fb(3, 5) }));
    expect(obs).toMatchObject({ active: false, error: true });
    expect(obs.metrics).toEqual([{ metricName: COMPOSITE_METRIC_NAME, error: 'connection refused' }]);
  });

  it('fallback static beyond the threshold → formula skipped, composite = modifiers target 10 × 5 = 50000m, active', () => {
    const formula = vi.fn(sum);
    const obs = evaluate(
      input([a(fail), b(ok(0))], { scalingModifiers: modifiers(formula), fallback: fb(1, 5), health: { 's0-q0': failing(1) } }),
    );
    expect(formula).not.toHaveBeenCalled();
    expect(obs.metrics).toEqual([{ metricName: COMPOSITE_METRIC_NAME, valueMilli: 50_000 }]);
    expect(obs).toMatchObject({ active: true, error: true, fallbackActive: true });
  });

  it('behavior scalingModifiers: a trigger beyond the threshold enters as null (a ?? b ?? 8 → b = 6)', () => {
    const formula = vi.fn<FormulaFn>((v) => ({ value: v.a ?? v.b ?? 8 }));
    const obs = evaluate(
      input([a(fail), b(ok(6_000))], {
        scalingModifiers: modifiers(formula),
        fallback: fb(0, 5, 'scalingModifiers'),
      }),
    );
    expect(formula).toHaveBeenCalledWith({ a: null, b: 6 });
    expect(obs.metrics).toEqual([{ metricName: COMPOSITE_METRIC_NAME, valueMilli: 6_000 }]);
    expect(obs).toMatchObject({ active: true, fallbackActive: true });
  });

  it('behavior scalingModifiers: a null result → fallback.replicas 5 × target 10 = 50000m', () => {
    const obs = evaluate(
      input([a(fail), b(fail)], {
        scalingModifiers: modifiers((v) => ({ value: v.a ?? v.b ?? null })),
        fallback: fb(0, 5, 'scalingModifiers'),
      }),
    );
    expect(obs.metrics).toEqual([{ metricName: COMPOSITE_METRIC_NAME, valueMilli: 50_000 }]);
    expect(obs.active).toBe(true);
  });

  it('a formula error or a missing trigger name → composite error', () => {
    const broken = evaluate(input([a(ok(1_000))], { scalingModifiers: modifiers(() => ({ error: 'division by zero' })) }));
    expect(broken.metrics[0]?.error).toContain('division by zero');
    expect(broken).toMatchObject({ active: false, error: true });
    const unnamed = evaluate(input([ext(0, ok(1_000))], { scalingModifiers: modifiers(sum) }));
    expect(unnamed.metrics[0]?.error).toContain('trigger name');
  });

  it('modifiers target "2.5" makes the fallback invalid → errors pass through, no health', () => {
    const obs = evaluate(
      input([a(fail)], { scalingModifiers: modifiers(sum, { target: '2.5', targetMilli: 2_500 }), fallback: fb(0, 5) }),
    );
    expect(obs.fallbackConfigured).toBe(false);
    expect(obs.metrics[0]).toHaveProperty('error');
  });
});
