import { describe, expect, it } from 'vitest';
import {
  CONDITIONS,
  decideScaledObject,
  scaleFailedEvent,
  type ExecutorObservation,
  type ExecutorSpec,
  type ExecutorState,
  type ScaleDecision,
} from '../../src/scaling/executor.js';

const NOW = 1_700_000_000_000;
const S = 1000;

type SpecPatch = Partial<Omit<ExecutorSpec, 'pause'>> & { pause?: Partial<ExecutorSpec['pause']> };

function spec(patch: SpecPatch = {}): ExecutorSpec {
  const { pause, ...rest } = patch;
  return {
    minReplicaCount: 0,
    maxReplicaCount: 10,
    cooldownPeriod: 300,
    initialCooldownPeriod: 0,
    forceActivation: false,
    ...rest,
    pause: { paused: false, scaleIn: false, scaleOut: false, ...pause },
  };
}
function state(patch: Partial<ExecutorState> = {}): ExecutorState {
  return {
    creationTime: NOW - 3600 * S,
    conditions: { ready: CONDITIONS.ready, active: CONDITIONS.scalerNotActive },
    target: { kind: 'apps/v1.Deployment', namespace: 'default', name: 'web' },
    ...patch,
  };
}
const active: ExecutorObservation = { active: true, error: false, fallbackActive: false, fallbackConfigured: false, activeTriggers: ['s0-q0'] };
const idle: ExecutorObservation = { ...active, active: false, activeTriggers: [] };
const failing: ExecutorObservation = { ...idle, error: true };

interface Row {
  name: string;
  spec?: SpecPatch;
  state?: Partial<ExecutorState>;
  obs: ExecutorObservation;
  current: number;
  replicas: number | undefined;
  reason: ScaleDecision['reason'];
  lastActive?: 'now' | 'unchanged';
}

const last = (secondsAgo: number) => ({ lastActiveTime: NOW - secondsAgo * S });

const rows: Row[] = [
  // paused / paused-replicas
  { name: 'paused-replicas 2, current 5 → pin to 2', spec: { pause: { pausedReplicas: 2 } }, obs: active, current: 5, replicas: 2, reason: 'PausedReplicas' },
  { name: 'paused-replicas 5, current 5 → no write', spec: { pause: { pausedReplicas: 5 } }, obs: active, current: 5, replicas: undefined, reason: 'PausedReplicas' },
  { name: 'paused-replicas 0 pins to 0 even while active', spec: { pause: { pausedReplicas: 0 } }, obs: active, current: 3, replicas: 0, reason: 'PausedReplicas' },
  { name: 'paused, active, current 0 → nothing', spec: { pause: { paused: true } }, obs: active, current: 0, replicas: undefined, reason: 'Paused', lastActive: 'unchanged' },
  // active or force-activation
  { name: 'active, current 0, min 0 → 1', obs: active, current: 0, replicas: 1, reason: 'KEDAScaleTargetActivated', lastActive: 'now' },
  { name: 'active, current 0, min 3 → 3', spec: { minReplicaCount: 3 }, obs: active, current: 0, replicas: 3, reason: 'KEDAScaleTargetActivated', lastActive: 'now' },
  { name: 'idle 0, min 2, active, current 0 → 2', spec: { idleReplicaCount: 0, minReplicaCount: 2 }, obs: active, current: 0, replicas: 2, reason: 'KEDAScaleTargetActivated' },
  { name: 'idle 0, min 2, active, current 1 → 2 (below min with idle set)', spec: { idleReplicaCount: 0, minReplicaCount: 2 }, obs: active, current: 1, replicas: 2, reason: 'KEDAScaleTargetActivated' },
  { name: 'idle unset, min 2, active, current 1 → HPA owns it, no write', spec: { minReplicaCount: 2 }, obs: active, current: 1, replicas: undefined, reason: 'ScalerActive', lastActive: 'now' },
  { name: 'active, current 4 → no write, lastActiveTime = now', obs: active, current: 4, replicas: undefined, reason: 'ScalerActive', lastActive: 'now' },
  { name: 'active with error, current 4 → PartialTriggerError, lastActiveTime kept', state: last(50), obs: { ...active, error: true }, current: 4, replicas: undefined, reason: 'PartialTriggerError', lastActive: 'unchanged' },
  { name: 'active with error, current 0 → activation wins (1)', obs: { ...active, error: true }, current: 0, replicas: 1, reason: 'KEDAScaleTargetActivated', lastActive: 'now' },
  { name: 'paused-scale-out, active, current 0 → stays 0, lastActiveTime kept', spec: { pause: { scaleOut: true } }, obs: active, current: 0, replicas: undefined, reason: 'PausedScaleOut', lastActive: 'unchanged' },
  { name: 'force-activation, inactive, current 0 → 1', spec: { forceActivation: true }, obs: idle, current: 0, replicas: 1, reason: 'KEDAScaleTargetActivated', lastActive: 'now' },
  { name: 'force-activation, inactive, current 3 → lastActiveTime = now', spec: { forceActivation: true }, obs: idle, current: 3, replicas: undefined, reason: 'ScalerActive', lastActive: 'now' },
  // inactive
  { name: 'inactive, lastActive 200 s ago, cooldown 300 → ScalerCooldown, stays 3', state: last(200), obs: idle, current: 3, replicas: undefined, reason: 'ScalerCooldown', lastActive: 'unchanged' },
  { name: 'inactive, lastActive 300 s ago, cooldown 300 → not yet (strictly before now)', state: last(300), obs: idle, current: 3, replicas: undefined, reason: 'ScalerCooldown' },
  { name: 'inactive, lastActive 301 s ago, cooldown 300 → 0', state: last(301), obs: idle, current: 3, replicas: 0, reason: 'KEDAScaleTargetDeactivated', lastActive: 'unchanged' },
  { name: 'never active, created 10 s ago, initialCooldown 60 → ScalerCooldown', spec: { initialCooldownPeriod: 60 }, state: { creationTime: NOW - 10 * S }, obs: idle, current: 2, replicas: undefined, reason: 'ScalerCooldown' },
  { name: 'never active, created 61 s ago, initialCooldown 60 → 0', spec: { initialCooldownPeriod: 60 }, state: { creationTime: NOW - 61 * S }, obs: idle, current: 2, replicas: 0, reason: 'KEDAScaleTargetDeactivated' },
  { name: 'never active, initialCooldown 0, created 1 ms ago → 0 at once (cooldownPeriod ignored)', state: { creationTime: NOW - 1 }, obs: idle, current: 2, replicas: 0, reason: 'KEDAScaleTargetDeactivated' },
  { name: 'idle 0, min 2, inactive, current 5, cooldown over → idle 0', spec: { idleReplicaCount: 0, minReplicaCount: 2 }, state: last(400), obs: idle, current: 5, replicas: 0, reason: 'KEDAScaleTargetDeactivated' },
  { name: 'idle 1, min 3, inactive, current 1 → already idle, nothing', spec: { idleReplicaCount: 1, minReplicaCount: 3 }, state: last(400), obs: idle, current: 1, replicas: undefined, reason: 'ScalerNotActive' },
  { name: 'idle 0, min 2, inactive, current 5, cooling down → ScalerCooldown', spec: { idleReplicaCount: 0, minReplicaCount: 2 }, state: last(100), obs: idle, current: 5, replicas: undefined, reason: 'ScalerCooldown' },
  { name: 'paused-scale-in, inactive, current 3, cooldown over → stays 3', spec: { pause: { scaleIn: true } }, state: last(400), obs: idle, current: 3, replicas: undefined, reason: 'PausedScaleIn' },
  { name: 'idle unset, min 2, inactive, current 1 → raise to min 2', spec: { minReplicaCount: 2 }, obs: idle, current: 1, replicas: 2, reason: 'MinReplicas' },
  { name: 'min 2, inactive, current 5 → HPA scales in, no write', spec: { minReplicaCount: 2 }, state: last(400), obs: idle, current: 5, replicas: undefined, reason: 'ScalerNotActive' },
  { name: 'min 0, inactive, current 0 → nothing', obs: idle, current: 0, replicas: undefined, reason: 'ScalerNotActive' },
  { name: 'error + fallback replicas 5, inactive, cooldown over → no-op so the HPA can apply it', spec: { fallback: { failureThreshold: 3, replicas: 5, behavior: 'static' } }, state: last(400), obs: failing, current: 3, replicas: undefined, reason: 'FallbackPending' },
  { name: 'error + fallback replicas 0, inactive, cooldown over → falls through to scale to 0', spec: { fallback: { failureThreshold: 3, replicas: 0, behavior: 'static' } }, state: last(400), obs: failing, current: 3, replicas: 0, reason: 'KEDAScaleTargetDeactivated' },
  { name: 'error without fallback, cooldown over → TriggerError, no scale-in', state: last(400), obs: failing, current: 3, replicas: undefined, reason: 'TriggerError' },
  { name: 'error without fallback, min 2, current 1 → TriggerError wins over the min floor', spec: { minReplicaCount: 2 }, obs: failing, current: 1, replicas: undefined, reason: 'TriggerError' },
];

describe('decideScaledObject: replicas and reason', () => {
  it.each(rows)('$name', (row) => {
    const st = state(row.state);
    const d = decideScaledObject(spec(row.spec), st, row.obs, row.current, NOW);
    expect(d.replicas).toBe(row.replicas);
    expect(d.reason).toBe(row.reason);
    if (row.lastActive === 'now') expect(d.lastActiveTime).toBe(NOW);
    if (row.lastActive === 'unchanged') expect(d.lastActiveTime).toBe(st.lastActiveTime);
  });
});

describe('decideScaledObject: conditions and events', () => {
  it('activation event names the target, both counts and the active triggers', () => {
    const d = decideScaledObject(spec(), state(), { ...active, activeTriggers: ['orders', 'billing'] }, 0, NOW);
    expect(d.event).toEqual({
      type: 'Normal',
      reason: 'KEDAScaleTargetActivated',
      message: 'Scaled apps/v1.Deployment default/web from 0 to 1, triggered by orders;billing',
    });
    expect(d.conditions.active).toBe(CONDITIONS.scalerActive);
  });

  it('forced activation: its own event text and Active message', () => {
    const d = decideScaledObject(spec({ forceActivation: true }), state(), idle, 0, NOW);
    expect(d.event?.message).toBe('Scaled apps/v1.Deployment default/web from 0 to 1, caused by forced activation annotation');
    expect(d.conditions.active).toBe(CONDITIONS.scalerForced);
  });

  it('deactivation: event "Deactivated … from 3 to 0" and Active False/ScalerNotActive', () => {
    const st = state({ ...last(400), conditions: { ready: CONDITIONS.ready, active: CONDITIONS.scalerActive } });
    const d = decideScaledObject(spec(), st, idle, 3, NOW);
    expect(d.event).toEqual({ type: 'Normal', reason: 'KEDAScaleTargetDeactivated', message: 'Deactivated apps/v1.Deployment default/web from 3 to 0' });
    expect(d.conditions.active).toBe(CONDITIONS.scalerNotActive);
  });

  it('cooling down: Active True → False/ScalerCooldown; already ScalerCooldown → no change', () => {
    const fromActive = decideScaledObject(spec(), state({ ...last(10), conditions: { active: CONDITIONS.scalerActive } }), idle, 3, NOW);
    expect(fromActive.conditions.active).toBe(CONDITIONS.scalerCooldown);
    const again = decideScaledObject(spec(), state({ ...last(20), conditions: { active: CONDITIONS.scalerCooldown } }), idle, 3, NOW);
    expect(again.conditions.active).toBeUndefined();
  });

  it('KEDA keeps False/ScalerCooldown when the target is later found at 0 by someone else', () => {
    const d = decideScaledObject(spec(), state({ conditions: { ready: CONDITIONS.ready, active: CONDITIONS.scalerCooldown } }), idle, 0, NOW);
    expect(d.conditions.active).toBeUndefined();
  });

  it('Active Unknown (fresh object) and inactive → False/ScalerNotActive', () => {
    const d = decideScaledObject(spec(), state({ conditions: {} }), idle, 0, NOW);
    expect(d.conditions.active).toBe(CONDITIONS.scalerNotActive);
  });

  it('Active True and still active → no condition write', () => {
    const d = decideScaledObject(spec(), state({ conditions: { ready: CONDITIONS.ready, active: CONDITIONS.scalerActive } }), active, 4, NOW);
    expect(d.conditions).toEqual({});
  });

  it.each([
    ['no error, Ready Unknown → True/ScaledObjectReady', {}, idle, CONDITIONS.ready],
    ['no error, Ready already True → unchanged', { ready: CONDITIONS.ready }, idle, undefined],
    ['no error after TriggerError → back to True', { ready: CONDITIONS.triggerError }, idle, CONDITIONS.ready],
    ['inactive error without fallback → False/TriggerError', { ready: CONDITIONS.ready }, failing, CONDITIONS.triggerError],
    ['inactive error, already TriggerError → unchanged', { ready: CONDITIONS.triggerError }, failing, undefined],
    ['active error, current 4 → Unknown/PartialTriggerError', { ready: CONDITIONS.ready }, { ...active, error: true }, CONDITIONS.partialTriggerError],
    ['active error, already Unknown → unchanged', { ready: CONDITIONS.partialTriggerError }, { ...active, error: true }, undefined],
  ] as const)('Ready: %s', (_name, conditions, obs, expected) => {
    const d = decideScaledObject(spec(), state({ conditions: { ...conditions } }), obs, 4, NOW);
    expect(d.conditions.ready).toBe(expected);
  });

  it('Paused: paused-replicas sets Paused True and pausedReplicaCount; removal sets Unpaused and clears it', () => {
    const paused = decideScaledObject(spec({ pause: { pausedReplicas: 2 } }), state(), active, 5, NOW);
    expect(paused.conditions.paused).toBe(CONDITIONS.paused);
    expect(paused.pausedReplicaCount).toBe(2);
    expect(paused.conditions.active).toBeUndefined();
    const resumed = decideScaledObject(spec(), state({ conditions: { ready: CONDITIONS.ready, paused: CONDITIONS.paused } }), active, 2, NOW);
    expect(resumed.conditions.paused).toBe(CONDITIONS.unpaused);
    expect(resumed.pausedReplicaCount).toBeUndefined();
  });

  it('Paused: one-direction pause marks Paused True but keeps deciding', () => {
    const d = decideScaledObject(spec({ pause: { scaleIn: true } }), state(), active, 0, NOW);
    expect(d.conditions.paused).toBe(CONDITIONS.paused);
    expect(d.replicas).toBe(1);
  });

  it.each([
    ['fallback becomes active → True/FallbackExists + Activated event', undefined, true, CONDITIONS.fallbackExists, 'ScaledObjectFallbackActivated'],
    ['fallback ends → False/NoFallbackFound + Deactivated event', CONDITIONS.fallbackExists, false, CONDITIONS.noFallbackFound, 'ScaledObjectFallbackDeactivated'],
    ['first health update with no fallback → False/NoFallbackFound, no event', undefined, false, CONDITIONS.noFallbackFound, undefined],
    ['still active → nothing', CONDITIONS.fallbackExists, true, undefined, undefined],
  ] as const)('Fallback: %s', (_name, prev, fallbackActive, expected, event) => {
    const st = state({ conditions: { ready: CONDITIONS.ready, fallback: prev } });
    const d = decideScaledObject(spec(), st, { ...failing, fallbackActive, fallbackConfigured: true }, 3, NOW);
    expect(d.conditions.fallback).toBe(expected);
    expect(d.fallbackEvent?.reason).toBe(event);
  });

  it('Fallback condition untouched when no valid fallback is configured', () => {
    const d = decideScaledObject(spec(), state(), { ...failing, fallbackActive: true, fallbackConfigured: false }, 3, NOW);
    expect(d.conditions.fallback).toBeUndefined();
  });
});

describe('scaleFailedEvent', () => {
  it.each([
    ['activation write failed → KEDAScaleTargetActivationFailed (KEDA wording)', active, 0, 'KEDAScaleTargetActivationFailed', 'Failed to scaled apps/v1.Deployment default/web from 0 to 1'],
    ['deactivation write failed → KEDAScaleTargetDeactivationFailed', idle, 3, 'KEDAScaleTargetDeactivationFailed', 'Failed to deactivate apps/v1.Deployment default/web from 3 to 0'],
  ] as const)('%s', (_name, obs, current, reason, message) => {
    const st = state(last(400));
    const d = decideScaledObject(spec(), st, obs, current, NOW);
    expect(scaleFailedEvent(d, st, current)).toEqual({ type: 'Warning', reason, message });
  });

  it('no event for a min-floor write or no write', () => {
    const st = state();
    expect(scaleFailedEvent(decideScaledObject(spec({ minReplicaCount: 2 }), st, idle, 1, NOW), st, 1)).toBeUndefined();
    expect(scaleFailedEvent(decideScaledObject(spec(), st, active, 4, NOW), st, 4)).toBeUndefined();
  });
});
