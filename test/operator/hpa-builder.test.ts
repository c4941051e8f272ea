import { describe, expect, test } from 'vitest';
import { scaledObjectSettings } from '../../src/api/defaults.js';
import type { ScaledObject } from '../../src/api/scaled-object.js';
import { buildHpa, hpaNeedsUpdate, isDerivative } from '../../src/operator/hpa-builder.js';
import type { MetricSpec } from '../../src/scalers/define.js';

function so(extra: Partial<ScaledObject['spec']> = {}, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject',
    metadata: { name: 'orders', namespace: 'shop', uid: 'u-1', annotations, labels },
    spec: { scaleTargetRef: { name: 'worker' }, triggers: [{ type: 'redis', metadata: {} }], ...extra },
  };
}

const redisSpec: MetricSpec = { kind: 'External', metricName: 's0-redis-orders', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 0 };
const cpuSpec: MetricSpec = { kind: 'Resource', metricName: 'cpu', targetType: 'Utilization', targetMilli: 60_000, activationMilli: 0 };
const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' };

function build(object: ScaledObject, specs: MetricSpec[]) {
  const result = buildHpa({ settings: scaledObjectSettings(object), metadata: object.metadata, metricSpecs: specs, target, version: '1.2.3' });
  if ('error' in result) throw new Error(result.error);
  return result;
}

describe('buildHpa (KEDA hpa.go)', () => {
  test('name, owner, labels, min max(min,1), External metric with the scaledobject.keda.sh/name selector, External sorted before Resource', () => {
    const { hpa, externalMetricNames, resourceMetricNames } = build(so({ maxReplicaCount: 20 }, { team: 'a' }, { tier: 'backend' }), [cpuSpec, redisSpec]);
    expect(hpa.metadata).toEqual({
      name: 'keda-hpa-orders', namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'keda-hpa-orders', 'app.kubernetes.io/version': '1.2.3', 'app.kubernetes.io/part-of': 'orders', 'app.kubernetes.io/managed-by': 'keda-operator', tier: 'backend' },
      annotations: { team: 'a' },
      ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(hpa['spec']).toEqual({
      scaleTargetRef: target, minReplicas: 1, maxReplicas: 20,
      metrics: [
        { type: 'External', external: { metric: { name: 's0-redis-orders', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'orders' } } }, target: { type: 'AverageValue', averageValue: '5' } } },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      ],
    });
    expect([externalMetricNames, resourceMetricNames]).toEqual([['s0-redis-orders'], ['cpu']]);
  });

  test('minReplicaCount > 0 is the HPA minimum; Value targets and milli quantities as KEDA formats them', () => {
    const { hpa } = build(so({ minReplicaCount: 3 }), [{ ...redisSpec, targetType: 'Value', targetMilli: 1500 }]);
    expect(hpa['spec']).toMatchObject({ minReplicas: 3, metrics: [{ external: { target: { type: 'Value', value: '1500m' } } }] });
  });

  test('behavior passes through; paused-scale-in disables scaleDown only; excluded labels stay off', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    const object = so({ advanced: { horizontalPodAutoscalerConfig: { behavior } } }, { 'autoscaling.keda.sh/paused-scale-in': 'true', 'scaledobject.keda.sh/hpa-excluded-labels': 'tier' }, { tier: 'x' });
    const { hpa } = build(object, [redisSpec]);
    expect((hpa['spec'] as { behavior: unknown }).behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Disabled' } });
    expect(hpa.metadata.labels?.['tier']).toBeUndefined();
  });

  test('scalingModifiers: one composite-metric External metric with the modifiers target', () => {
    const object = so({ advanced: { scalingModifiers: { formula: 'a + b', target: '10', metricType: 'Value' } } });
    const { hpa, externalMetricNames } = build(object, [redisSpec, { ...redisSpec, metricName: 's1-redis-b' }]);
    expect(externalMetricNames).toEqual(['composite-metric']);
    expect((hpa['spec'] as { metrics: unknown[] }).metrics).toEqual([
      { type: 'External', external: { metric: { name: 'composite-metric', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'orders' } } }, target: { type: 'Value', value: '10' } } },
    ]);
  });

  test('a metric name defined twice is KEDA\'s error', () => {
    const result = buildHpa({ settings: scaledObjectSettings(so()), metadata: {}, metricSpecs: [redisSpec, redisSpec], target, version: 'v' });
    expect(result).toEqual({ error: 'metricName s0-redis-orders defined multiple times in ScaledObject orders, please refer the documentation how to define metricName manually' });
  });
});

describe('hpaNeedsUpdate (Semantic.DeepDerivative)', () => {
  const desired = build(so(), [redisSpec]).hpa;
  test('fields the server added (status, defaults) are no difference; an equal Quantity spelled differently neither', () => {
    const live = structuredClone(desired);
    (live['spec'] as Record<string, unknown>)['extra'] = 1;
    live['status'] = { currentReplicas: 1 };
    expect(hpaNeedsUpdate(desired, live)).toBe(false);
    expect(isDerivative({ v: '5' }, { v: '5000m' })).toBe(true);
  });
  test('a changed target, a metric more or less, or a missing label is', () => {
    const changed = structuredClone(desired);
    (changed['spec'] as { maxReplicas: number }).maxReplicas = 7;
    expect(hpaNeedsUpdate(desired, changed)).toBe(true);
    const more = structuredClone(desired);
    (more['spec'] as { metrics: unknown[] }).metrics.push({ type: 'Resource' });
    expect(hpaNeedsUpdate(desired, more)).toBe(true);
    const unlabelled = structuredClone(desired);
    unlabelled.metadata.labels = {};
    expect(hpaNeedsUpdate(desired, unlabelled)).toBe(true);
  });
});
