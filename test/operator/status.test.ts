import { describe, expect, test } from 'vitest';
import { CONDITIONS } from '../../src/scaling/executor.js';
import type { KubeObject } from '../../src/kube/api.js';
import { applyExecutorConditions, executorConditions, hpaActiveCondition, kubeTime, statusPatch, withCondition, withHpaActive, withoutHpaActive } from '../../src/operator/status.js';

describe('status', () => {
  test('KEDA\'s initial conditions fill in the missing ones; the executor\'s changes replace theirs', () => {
    const conditions = applyExecutorConditions(undefined, { active: CONDITIONS.scalerActive });
    expect(conditions).toEqual([
      { type: 'Ready', status: 'Unknown' },
      { type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active' },
      { type: 'Fallback', status: 'Unknown' },
      { type: 'Paused', status: 'False' },
    ]);
    expect(executorConditions(conditions)).toEqual({
      ready: { status: 'Unknown', reason: '', message: '' },
      active: CONDITIONS.scalerActive,
      fallback: { status: 'Unknown', reason: '', message: '' },
      paused: { status: 'False', reason: '', message: '' },
    });
  });

  test('no patch when nothing changed; only the changed fields otherwise, null for removed ones', () => {
    const conditions = withCondition(undefined, 'Ready', 'True', 'ScaledObjectReady', 'ok');
    const status = { conditions, hpaName: 'keda-hpa-a', pausedReplicaCount: 2 };
    expect(statusPatch(status, { ...status, conditions: [...conditions] })).toBeUndefined();
    const { pausedReplicaCount: _dropped, ...rest } = status;
    expect(statusPatch(status, { ...rest, lastActiveTime: '2026-01-01T00:00:00Z' })).toEqual({ pausedReplicaCount: null, lastActiveTime: '2026-01-01T00:00:00Z' });
  });

  test('times are RFC 3339 whole seconds, as metav1.Time writes them', () => {
    expect(kubeTime(Date.parse('2026-03-04T05:06:07.890Z'))).toBe('2026-03-04T05:06:07Z');
  });
});

describe('HPAActive', () => {
  const hpa = (...conditions: Record<string, string>[]): KubeObject => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'keda-hpa-x' }, status: { conditions } });
  const able = { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' };

  test('ScalingActive True: True HPAActive, no message', () => {
    expect(hpaActiveCondition(hpa(able, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from external metric s0-redis-q' })))
      .toEqual({ type: 'HPAActive', status: 'True', reason: 'HPAActive' });
  });

  test('ScalingDisabled (the target idle at 0) is healthy: True ScalingDisabled with the HPA\'s message', () => {
    expect(hpaActiveCondition(hpa({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' })))
      .toEqual({ type: 'HPAActive', status: 'True', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
  });

  test('any other False: HPAMetricsUnavailable, the HPA\'s reason and message kept in the message', () => {
    expect(hpaActiveCondition(hpa({ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric', message: 'unable to get metrics' })))
      .toEqual({ type: 'HPAActive', status: 'False', reason: 'HPAMetricsUnavailable', message: 'FailedGetExternalMetric: unable to get metrics' });
    expect(hpaActiveCondition(hpa({ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric' })))
      .toEqual({ type: 'HPAActive', status: 'False', reason: 'HPAMetricsUnavailable', message: 'FailedGetExternalMetric' });
  });

  test('nothing to mirror (no HPA, no status, no ScalingActive yet, Unknown): the condition stays as it is', () => {
    const before = withCondition(undefined, 'HPAActive', 'True', 'HPAActive', '');
    for (const h of [undefined, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: {} }, hpa(able), hpa({ type: 'ScalingActive', status: 'Unknown' })]) {
      expect(hpaActiveCondition(h)).toBeUndefined();
      expect(withHpaActive(before, h)).toEqual(before);
    }
    expect(withHpaActive(undefined, undefined)).toBeUndefined();
  });

  test('set lazily: appended after KEDA\'s four, replaced in place, removed when there is no HPA', () => {
    const initial = applyExecutorConditions(undefined, {});
    const active = withHpaActive(initial, hpa({ type: 'ScalingActive', status: 'True' }));
    expect(active?.map((c) => c.type)).toEqual(['Ready', 'Active', 'Fallback', 'Paused', 'HPAActive']);
    const failing = withHpaActive(active, hpa({ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric', message: 'm' }));
    expect(failing?.[4]).toMatchObject({ status: 'False', reason: 'HPAMetricsUnavailable' });
    expect(failing).toHaveLength(5);
    expect(withoutHpaActive(failing)).toEqual(initial);
  });
});
