import { describe, expect, test } from 'vitest';
import { CONDITIONS } from '../../src/scaling/executor.js';
import { applyExecutorConditions, executorConditions, kubeTime, statusPatch, withCondition } from '../../src/operator/status.js';

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
