import { describe, expect, it } from 'vitest';
import {
  combineScalerMetrics,
  jobCap,
  jobMinReplicas,
  jobsToCreate,
  parseGoFloat,
  resolveStrategy,
  scalerMetricsOf,
  type JobScalingSpec,
  type ScalerMetrics,
} from '../../src/scaling/jobs.js';

describe('jobCap / jobMinReplicas', () => {
  it.each<[string, JobScalingSpec, number, number]>([
    ['max unset → cap 100 (min not subtracted)', { minReplicaCount: 5 }, 100, 5],
    ['min 2, max 10 → cap 10 − 2 = 8', { minReplicaCount: 2, maxReplicaCount: 10 }, 8, 2],
    ['min unset, max 10 → cap 10, min 0', { maxReplicaCount: 10 }, 10, 0],
    ['min 5 > max 3 → cap = max 3, min clamped to 3', { minReplicaCount: 5, maxReplicaCount: 3 }, 3, 3],
  ])('%s', (_name, spec, cap, min) => {
    expect(jobCap(spec)).toBe(cap);
    expect(jobMinReplicas(spec)).toBe(min);
  });
});

describe('scalerMetricsOf (one trigger)', () => {
  it.each<[string, number, number, number, ScalerMetrics]>([
    ['25 messages, target 5, cap 100 → queue 25, maxValue 5', 25_000, 5_000, 100, { queueLength: 25, maxValue: 5, active: true }],
    ['1000 messages, target 5, cap 8 → maxValue capped to 8', 1_000_000, 5_000, 8, { queueLength: 1000, maxValue: 8, active: true }],
    ['7 messages, target 2 → maxValue 3.5 (ceil later)', 7_000, 2_000, 100, { queueLength: 7, maxValue: 3.5, active: true }],
    ['target 0 → maxValue 0', 7_000, 0, 100, { queueLength: 7, maxValue: 0, active: true }],
  ])('%s', (_name, value, target, cap, expected) => {
    expect(scalerMetricsOf(value, target, cap, true)).toEqual(expected);
  });
});

const m = (queueLength: number, maxValue: number, active = true): ScalerMetrics => ({ queueLength, maxValue, active });

describe('combineScalerMetrics (multipleScalersCalculation)', () => {
  it.each<[string, JobScalingSpec, ScalerMetrics[], { active: boolean; scaleTo: number; maxScale: number }]>([
    ['max (default): 10/20(inactive)/5 → 10', {}, [m(10, 2), m(20, 4, false), m(5, 1)], { active: true, scaleTo: 10, maxScale: 2 }],
    ['max: an active trigger with queue 0 does not activate (KEDA quirk)', { multipleScalersCalculation: 'max' }, [m(0, 0)], { active: false, scaleTo: 0, maxScale: 0 }],
    ['min: 10 and 4 → 4', { multipleScalersCalculation: 'min' }, [m(10, 2), m(4, 1)], { active: true, scaleTo: 4, maxScale: 1 }],
    ['min: 0 then 7 → 7 replaces the empty queue (KEDA quirk)', { multipleScalersCalculation: 'min' }, [m(0, 0), m(7, 2)], { active: true, scaleTo: 7, maxScale: 2 }],
    ['avg: 10 and 5 active, 100 inactive → 7.5 → scaleTo 8, maxValue (2+1.5)/2 = 1.75 → 2', { multipleScalersCalculation: 'avg' }, [m(10, 2), m(5, 1.5), m(100, 20, false)], { active: true, scaleTo: 8, maxScale: 2 }],
    ['sum: 10 + 5 = 15, maxValue 2 + 1.5 = 3.5 → 4', { multipleScalersCalculation: 'sum' }, [m(10, 2), m(5, 1.5)], { active: true, scaleTo: 15, maxScale: 4 }],
    ['sum: maxValue 60 + 60 = 120 → capped to cap 100', { multipleScalersCalculation: 'sum' }, [m(600, 60), m(600, 60)], { active: true, scaleTo: 1200, maxScale: 100 }],
    ['unknown calculation behaves as max', { multipleScalersCalculation: 'median' }, [m(3, 1), m(9, 3)], { active: true, scaleTo: 9, maxScale: 3 }],
    ['no active trigger, min 1 → forced active, nothing to scale to', { minReplicaCount: 1 }, [m(9, 3, false)], { active: true, scaleTo: 0, maxScale: 0 }],
    ['no triggers at all → inactive', {}, [], { active: false, scaleTo: 0, maxScale: 0 }],
  ])('%s', (_name, spec, metrics, expected) => {
    expect(combineScalerMetrics(metrics, spec)).toEqual(expected);
  });
});

describe('parseGoFloat / resolveStrategy', () => {
  it.each<[string | undefined, number | undefined]>([
    ['0.5', 0.5], ['1', 1], ['.25', 0.25], ['1e-1', 0.1], ['+2', 2], ['-0.5', -0.5], ['Inf', Infinity], ['-inf', -Infinity],
    ['half', undefined], ['', undefined], [' 0.5', undefined], ['50%', undefined], [undefined, undefined],
  ])('%s → %s', (text, expected) => {
    expect(parseGoFloat(text)).toBe(expected);
  });

  it.each<[string, JobScalingSpec, string]>([
    ['unset → default', {}, 'default'],
    ['custom with "0.5" → custom', { strategy: 'custom', customScalingRunningJobPercentage: '0.5' }, 'custom'],
    ['custom with unparsable percentage → default', { strategy: 'custom', customScalingRunningJobPercentage: 'half' }, 'default'],
    ['custom without percentage → default', { strategy: 'custom' }, 'default'],
    ['accurate → accurate', { strategy: 'accurate' }, 'accurate'],
    ['eager → eager', { strategy: 'eager' }, 'eager'],
    ['unknown → default', { strategy: 'greedy' }, 'default'],
  ])('%s', (_name, spec, expected) => {
    expect(resolveStrategy(spec)).toBe(expected);
  });
});

interface StrategyRow {
  name: string;
  spec: JobScalingSpec;
  active?: boolean;
  running: number;
  pending: number;
  scaleTo: number;
  maxScale: number;
  created: number;
}

const strategyRows: StrategyRow[] = [
  { name: 'default: maxScale 10, running 4 → effectiveMax 6, scaleTo 10 → 6', spec: {}, running: 4, pending: 0, scaleTo: 10, maxScale: 10, created: 6 },
  { name: 'default: scaleTo 3 below effectiveMax 10 → 3', spec: {}, running: 0, pending: 0, scaleTo: 3, maxScale: 10, created: 3 },
  { name: 'default ignores pending: maxScale 10, running 4, pending 4 → 6', spec: {}, running: 4, pending: 4, scaleTo: 10, maxScale: 10, created: 6 },
  { name: 'default: running 12 > maxScale 10 → −2 → 0', spec: {}, running: 12, pending: 0, scaleTo: 10, maxScale: 10, created: 0 },
  { name: 'custom: deduction 1, 0.5 × running 4 = 2 → 10 − 1 − 2 = 7', spec: { strategy: 'custom', customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: '0.5' }, running: 4, pending: 0, scaleTo: 10, maxScale: 10, created: 7 },
  { name: 'custom: 0.3 × running 5 = 1.5 → truncated 1 → 10 − 0 − 1 = 9', spec: { strategy: 'custom', customScalingQueueLengthDeduction: 0, customScalingRunningJobPercentage: '0.3' }, running: 5, pending: 0, scaleTo: 10, maxScale: 10, created: 9 },
  { name: 'custom: deduction −5 → 10 + 5 = 15 capped to cap 12', spec: { strategy: 'custom', maxReplicaCount: 12, customScalingQueueLengthDeduction: -5, customScalingRunningJobPercentage: '0' }, running: 0, pending: 0, scaleTo: 20, maxScale: 10, created: 12 },
  { name: 'custom with unparsable percentage → default: 10 − 4 = 6', spec: { strategy: 'custom', customScalingQueueLengthDeduction: 3, customScalingRunningJobPercentage: 'half' }, running: 4, pending: 0, scaleTo: 10, maxScale: 10, created: 6 },
  { name: 'accurate: maxScale 10, running 4 (min 0), pending 2, cap 100 → 10 − 2 = 8', spec: { strategy: 'accurate' }, running: 4, pending: 2, scaleTo: 10, maxScale: 10, created: 8 },
  { name: 'accurate: maxScale 10 + running 8 = 18 > cap 15 → 15 − 8 = 7', spec: { strategy: 'accurate', maxReplicaCount: 15 }, running: 8, pending: 1, scaleTo: 10, maxScale: 10, created: 7 },
  { name: 'accurate: 10 + 6 = 16 > cap 15 → 15 − 6 = 9 (pending is not in the cap test, as in KEDA\'s code)', spec: { strategy: 'accurate', maxReplicaCount: 15 }, running: 6, pending: 2, scaleTo: 10, maxScale: 10, created: 9 },
  { name: 'accurate: 10 + 4 = 14, not > cap 15 → 10 − pending 2 = 8', spec: { strategy: 'accurate', maxReplicaCount: 15 }, running: 4, pending: 2, scaleTo: 10, maxScale: 10, created: 8 },
  { name: 'accurate: min 2, max 12 (cap 10), running 5 → r 3; 9 + 3 = 12 > 10 → 10 − 3 = 7', spec: { strategy: 'accurate', minReplicaCount: 2, maxReplicaCount: 12 }, running: 5, pending: 0, scaleTo: 9, maxScale: 9, created: 7 },
  { name: 'eager: cap 10, running 2, pending 1 → min(10 − 2 − 1 = 7, maxScale 3) = 3, scaleTo becomes cap', spec: { strategy: 'eager', maxReplicaCount: 10 }, running: 2, pending: 1, scaleTo: 1, maxScale: 3, created: 3 },
  { name: 'eager: cap 10, maxScale 10, running 4, pending 2 → min(4, 10) = 4', spec: { strategy: 'eager', maxReplicaCount: 10 }, running: 4, pending: 2, scaleTo: 10, maxScale: 10, created: 4 },
  { name: 'eager: full (running 10 of cap 10) → 0', spec: { strategy: 'eager', maxReplicaCount: 10 }, running: 10, pending: 0, scaleTo: 10, maxScale: 10, created: 0 },
  { name: 'running 1 < min 3 → top up 3 − 1 = 2, whatever the queue', spec: { strategy: 'accurate', minReplicaCount: 3 }, running: 1, pending: 1, scaleTo: 50, maxScale: 50, created: 2 },
  { name: 'running 3 = min 3, default: r 0, maxScale 4 → 4', spec: { minReplicaCount: 3 }, running: 3, pending: 0, scaleTo: 4, maxScale: 4, created: 4 },
  { name: 'inactive → 0 even with room', spec: {}, active: false, running: 0, pending: 0, scaleTo: 5, maxScale: 5, created: 0 },
];

describe('jobsToCreate (strategies, keda.md 3 table)', () => {
  it.each(strategyRows)('$name', (row) => {
    expect(jobsToCreate(row.spec, row.active ?? true, row.running, row.pending, row.scaleTo, row.maxScale)).toBe(row.created);
  });
});
