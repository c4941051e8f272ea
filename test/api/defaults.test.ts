import { describe, expect, it } from 'vitest';
import { boolAnnotation, pauseState, parseGoBool } from '../../src/api/annotations.js';
import { scaledJobSettings, scaledObjectSettings } from '../../src/api/defaults.js';
import { parseKedaObject } from '../../src/api/validate.js';
import type { ScaledJob } from '../../src/api/scaled-job.js';
import type { ScaledObject } from '../../src/api/scaled-object.js';

type Json = Record<string, unknown>;

function scaledObject(spec: Json = {}, annotations?: Record<string, string>): ScaledObject {
  const raw = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'orders', namespace: 'shop', generation: 4, ...(annotations ? { annotations } : {}) },
    spec: { scaleTargetRef: { name: 'app' }, triggers: [{ type: 'azure-queue', metadata: { queueName: 'q' } }], ...spec },
  };
  const { value } = parseKedaObject('ScaledObject', raw);
  if (!value) throw new Error('fixture does not parse');
  return value;
}

function scaledJob(spec: Json = {}): ScaledJob {
  const raw = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'jobs' }, spec: { jobTargetRef: { template: {} }, triggers: [{ type: 'rabbitmq', metadata: {} }], ...spec } };
  const { value } = parseKedaObject('ScaledJob', raw);
  if (!value) throw new Error('fixture does not parse');
  return value;
}

describe('scaledObjectSettings', () => {
  it('applies KEDA defaults to a minimal ScaledObject', () => {
    const s = scaledObjectSettings(scaledObject());
    expect(s).toMatchObject({
      name: 'orders',
      namespace: 'shop',
      generation: 4,
      scaleTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', envSourceContainerName: undefined },
      pollingIntervalSeconds: 30,
      pollingIntervalMs: 30_000,
      cooldownPeriodSeconds: 300,
      cooldownPeriodMs: 300_000,
      initialCooldownPeriodSeconds: 0,
      minReplicaCount: 0,
      maxReplicaCount: 100,
      idleReplicaCount: undefined,
      hpaMinReplicas: 1,
      hpaName: 'keda-hpa-orders',
      hpaBehavior: undefined,
      restoreToOriginalReplicaCount: false,
      scalingModifiers: undefined,
      fallback: undefined,
      transferHpaOwnership: false,
      hpaExcludedLabels: [],
    });
    expect(s.triggers).toEqual([
      { index: 0, type: 'azure-queue', name: undefined, metadata: { queueName: 'q' }, authenticationRef: undefined, metricType: 'AverageValue', useCachedMetrics: false },
    ]);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it.each<[string, Json, Json]>([
    ['min 3 is also the HPA min', { minReplicaCount: 3 }, { minReplicaCount: 3, hpaMinReplicas: 3 }],
    ['pollingInterval 5 s is 5000 ms', { pollingInterval: 5 }, { pollingIntervalSeconds: 5, pollingIntervalMs: 5000 }],
    ['advanced HPA name', { advanced: { horizontalPodAutoscalerConfig: { name: 'mine' } } }, { hpaName: 'mine' }],
    ['fallback behavior defaults to static', { fallback: { failureThreshold: 3, replicas: 6 } }, { fallback: { failureThreshold: 3, replicas: 6, behavior: 'static' } }],
    [
      'scalingModifiers: activationTarget "0" and AverageValue by default',
      { advanced: { scalingModifiers: { formula: 'a + b', target: '2' } } },
      { scalingModifiers: { formula: 'a + b', target: '2', activationTarget: '0', metricType: 'AverageValue' } },
    ],
    ['empty scalingModifiers block counts as unused', { advanced: { scalingModifiers: {} } }, { scalingModifiers: undefined }],
    [
      'a YAML number tolerance becomes a Quantity string',
      { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { tolerance: 0.1, stabilizationWindowSeconds: 60 } } } } },
      { hpaBehavior: { scaleDown: { tolerance: '0.1', stabilizationWindowSeconds: 60 } } },
    ],
  ])('%s', (_name, spec, expected) => {
    expect(scaledObjectSettings(scaledObject(spec))).toMatchObject(expected);
  });

  it('defaults authenticationRef kind and leaves cpu metricType as written', () => {
    const s = scaledObjectSettings(
      scaledObject({
        minReplicaCount: 1,
        triggers: [
          { type: 'kafka', name: 'k', metadata: {}, authenticationRef: { name: 'auth' }, useCachedMetrics: true },
          { type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } },
        ],
      }),
    );
    expect(s.triggers.map((t) => [t.index, t.name, t.authenticationRef, t.metricType, t.useCachedMetrics])).toEqual([
      [0, 'k', { name: 'auth', kind: 'TriggerAuthentication' }, 'AverageValue', true],
      [1, undefined, undefined, 'Utilization', false],
    ]);
  });

  it('reads pause annotations', () => {
    const s = scaledObjectSettings(scaledObject({}, { 'autoscaling.keda.sh/paused-replicas': '2', 'scaledobject.keda.sh/hpa-excluded-labels': 'a, b,,c' }));
    expect(s.pause).toEqual({ paused: true, pausedReplicas: 2, pausedScaleIn: false, pausedScaleOut: false, forceActivation: false });
    expect(s.hpaExcludedLabels).toEqual(['a', 'b', 'c']);
  });
});

describe('annotation semantics', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['true', true],
    ['True', true],
    ['1', true],
    ['false', false],
    ['F', false],
    ['0', false],
    // Not a Go bool: KEDA assumes the user meant to pause.
    ['yes', true],
    ['', true],
  ])('paused: %j → %s', (value, expected) => {
    const annotations = value === undefined ? {} : { 'autoscaling.keda.sh/paused': value };
    expect(boolAnnotation(annotations, 'autoscaling.keda.sh/paused')).toBe(expected);
    expect(pauseState(annotations).paused).toBe(expected);
  });

  it('paused-replicas pauses even with paused: "false"', () => {
    expect(pauseState({ 'autoscaling.keda.sh/paused': 'false', 'autoscaling.keda.sh/paused-replicas': '0' })).toMatchObject({ paused: true, pausedReplicas: 0 });
  });

  it('an invalid paused-replicas still pauses but pins no count', () => {
    expect(pauseState({ 'autoscaling.keda.sh/paused-replicas': 'x' })).toMatchObject({ paused: true, pausedReplicas: undefined });
  });

  it('reads scale-in, scale-out and force-activation with the same bool rule', () => {
    const state = pauseState({ 'autoscaling.keda.sh/paused-scale-in': 'true', 'autoscaling.keda.sh/paused-scale-out': 'nope', 'autoscaling.keda.sh/force-activation': 'false' });
    expect(state).toEqual({ paused: false, pausedReplicas: undefined, pausedScaleIn: true, pausedScaleOut: true, forceActivation: false });
  });

  it('parseGoBool knows exactly Go spellings', () => {
    expect(['1', 't', 'T', 'TRUE', 'true', 'True', 'tRUE'].map(parseGoBool)).toEqual([true, true, true, true, true, true, undefined]);
  });
});

describe('scaledJobSettings', () => {
  it('applies KEDA defaults', () => {
    expect(scaledJobSettings(scaledJob())).toMatchObject({
      pollingIntervalSeconds: 30,
      successfulJobsHistoryLimit: 100,
      failedJobsHistoryLimit: 100,
      minReplicaCount: 0,
      maxReplicaCount: 100,
      maxJobsCap: 100,
      rolloutStrategy: 'immediate',
      propagationPolicy: 'background',
      scalingStrategy: 'default',
      customScalingQueueLengthDeduction: 0,
      customScalingRunningJobPercentage: undefined,
      pendingPodConditions: [],
      multipleScalersCalculation: 'max',
      paused: false,
    });
  });

  it.each<[string, Json, Json]>([
    ['cap = max − min: 10 − 2 = 8', { minReplicaCount: 2, maxReplicaCount: 10 }, { minReplicaCount: 2, maxReplicaCount: 10, maxJobsCap: 8 }],
    ['min 12 > max 10 clamps min to 10 and caps at 10', { minReplicaCount: 12, maxReplicaCount: 10 }, { minReplicaCount: 10, maxJobsCap: 10 }],
    ['max unset caps at 100 whatever min', { minReplicaCount: 5 }, { minReplicaCount: 5, maxJobsCap: 100 }],
    ['legacy rolloutStrategy gradual', { rolloutStrategy: 'gradual' }, { rolloutStrategy: 'gradual' }],
    ['rollout.strategy wins over the legacy field', { rolloutStrategy: 'gradual', rollout: { strategy: 'immediate' } }, { rolloutStrategy: 'immediate' }],
    ['custom with percentage "0.5"', { scalingStrategy: { strategy: 'custom', customScalingRunningJobPercentage: '0.5', customScalingQueueLengthDeduction: 1 } }, { scalingStrategy: 'custom', customScalingRunningJobPercentage: 0.5, customScalingQueueLengthDeduction: 1 }],
    ['custom with unparsable percentage falls back to default', { scalingStrategy: { strategy: 'custom', customScalingRunningJobPercentage: '50%' } }, { scalingStrategy: 'default' }],
    ['unknown strategy runs as default', { scalingStrategy: { strategy: 'Accurate' } }, { scalingStrategy: 'default' }],
    ['eager and sum', { scalingStrategy: { strategy: 'eager', multipleScalersCalculation: 'sum' } }, { scalingStrategy: 'eager', multipleScalersCalculation: 'sum' }],
    ['foreground propagation', { rollout: { propagationPolicy: 'foreground' } }, { propagationPolicy: 'foreground' }],
  ])('%s', (_name, spec, expected) => {
    expect(scaledJobSettings(scaledJob(spec))).toMatchObject(expected);
  });
});
