// KEDA's ScaledObject scale executor (keda.md 2.4) as a pure decision: 0 ↔ 1 activation, cooldown,
// idle/min replicas, pause and the fallback no-op. The HPA owns 1..N; this only ever writes
// /scale for activation, deactivation, the min floor and paused-replicas.

import type { FallbackSpec } from './fallback.js';

/** What the executor needs of a defaulted ScaledObject spec and its annotations. Times in seconds. */
export interface ExecutorSpec {
  minReplicaCount: number;
  maxReplicaCount: number;
  idleReplicaCount?: number | undefined;
  cooldownPeriod: number;
  initialCooldownPeriod: number;
  pause: { paused: boolean; pausedReplicas?: number | undefined; scaleIn: boolean; scaleOut: boolean };
  forceActivation: boolean;
  fallback?: FallbackSpec | undefined;
}

/** A status condition as KEDA writes it. */
export interface Condition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** The conditions the executor reads and writes; a missing one counts as KEDA's initial value. */
export interface ExecutorConditions {
  ready?: Condition | undefined;
  active?: Condition | undefined;
  fallback?: Condition | undefined;
  paused?: Condition | undefined;
}

/** What the executor reads of `status` and metadata. Times are epoch milliseconds. */
export interface ExecutorState {
  lastActiveTime?: number | undefined;
  creationTime: number;
  conditions: ExecutorConditions;
  /** For event messages: `status.scaleTargetKind` (e.g. `apps/v1.Deployment`), namespace, name. */
  target?: { kind: string; namespace: string; name: string } | undefined;
}

/** The parts of evaluate()'s Observation the executor uses. */
export interface ExecutorObservation {
  active: boolean;
  error: boolean;
  fallbackActive: boolean;
  fallbackConfigured: boolean;
  activeTriggers: readonly string[];
}

/** A Kubernetes event to record on the ScaledObject. */
export interface KedaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** One word for what the executor did, for logs and the simulator. */
export type DecisionReason =
  | 'Paused'
  | 'PausedReplicas'
  | 'KEDAScaleTargetActivated'
  | 'PausedScaleOut'
  | 'PartialTriggerError'
  | 'ScalerActive'
  | 'FallbackPending'
  | 'TriggerError'
  | 'PausedScaleIn'
  | 'KEDAScaleTargetDeactivated'
  | 'ScalerCooldown'
  | 'MinReplicas'
  | 'ScalerNotActive';

/** The executor's decision. */
export interface ScaleDecision {
  /** Write this to the target's /scale; undefined = leave replicas alone. */
  replicas?: number;
  reason: DecisionReason;
  lastActiveTime: number | undefined;
  /** Conditions to write; only those that change are set. */
  conditions: ExecutorConditions;
  /** `status.pausedReplicaCount`: set while paused-replicas is present, else cleared. */
  pausedReplicaCount: number | undefined;
  /** Scale event to record when the /scale write succeeds (use scaleFailedEvent() when it fails). */
  event?: KedaEvent;
  /** Fallback condition flipped. */
  fallbackEvent?: KedaEvent;
}

// Conditions are shared constants: the executor runs for every object every tick.
const cond = (status: Condition['status'], reason: string, message: string): Condition =>
  Object.freeze({ status, reason, message });

/** Conditions KEDA writes, keyed by what they mean. */
export const CONDITIONS = {
  ready: cond('True', 'ScaledObjectReady', 'ScaledObject is defined correctly and is ready for scaling'),
  partialTriggerError: cond('Unknown', 'PartialTriggerError', 'Some triggers defined in ScaledObject are not working correctly'),
  triggerError: cond('False', 'TriggerError', 'Triggers defined in ScaledObject are not working correctly'),
  scalerActive: cond('True', 'ScalerActive', 'Scaling is performed because triggers are active'),
  scalerForced: cond('True', 'ScalerActive', 'Scaling is performed because activation is being forced by annotation'),
  scalerNotActive: cond('False', 'ScalerNotActive', 'Scaling is not performed because triggers are not active'),
  scalerCooldown: cond('False', 'ScalerCooldown', 'Scaler cooling down because triggers are not active'),
  fallbackExists: cond('True', 'FallbackExists', 'At least one trigger is falling back on this scaled object'),
  noFallbackFound: cond('False', 'NoFallbackFound', 'No fallbacks are active on this scaled object'),
  paused: cond('True', 'ScaledObjectPaused', 'ScaledObject is paused'),
  unpaused: cond('False', 'ScaledObjectUnpaused', 'pause annotation removed for ScaledObject'),
} as const;

const UNKNOWN = 'Unknown';

/** Decide one poll of a ScaledObject: replicas to write, conditions, lastActiveTime and events. */
export function decideScaledObject(
  spec: ExecutorSpec,
  state: ExecutorState,
  observation: ExecutorObservation,
  currentReplicas: number,
  now: number,
): ScaleDecision {
  const prev = state.conditions;
  const conditions: ExecutorConditions = {};
  const decision: ScaleDecision = {
    reason: 'ScalerNotActive',
    lastActiveTime: state.lastActiveTime,
    conditions,
    pausedReplicaCount: undefined,
  };
  if (!observation.error && prev.ready?.status !== 'True') conditions.ready = CONDITIONS.ready;
  applyFallbackCondition(observation, prev, decision);
  if (applyPause(spec, prev, currentReplicas, decision)) return decision;

  const activeNow = observation.active || spec.forceActivation;
  if (activeNow) decideActive(spec, state, observation, currentReplicas, now, decision);
  else decideInactive(spec, state, observation, currentReplicas, now, decision);

  // Final Active condition, compared against what the branches above may already have set.
  const active = conditions.active ?? prev.active;
  if (active === undefined || active.status === UNKNOWN || (active.status === 'True') !== activeNow) {
    const next = observation.active ? CONDITIONS.scalerActive : activeNow ? CONDITIONS.scalerForced : CONDITIONS.scalerNotActive;
    if (!sameCondition(prev.active, next)) conditions.active = next;
    else delete conditions.active;
  }
  return decision;
}

/** Pause handling; true when the object is (fully) paused and nothing else may happen. */
function applyPause(spec: ExecutorSpec, prev: ExecutorConditions, current: number, decision: ScaleDecision): boolean {
  const { pause } = spec;
  const pausedNow = pause.paused || pause.pausedReplicas !== undefined || pause.scaleIn || pause.scaleOut;
  if (pausedNow) {
    if (!sameCondition(prev.paused, CONDITIONS.paused)) decision.conditions.paused = CONDITIONS.paused;
  } else if (prev.paused?.status === 'True') {
    decision.conditions.paused = CONDITIONS.unpaused;
  }
  if (pause.pausedReplicas !== undefined) {
    decision.reason = 'PausedReplicas';
    decision.pausedReplicaCount = pause.pausedReplicas;
    if (pause.pausedReplicas !== current) decision.replicas = pause.pausedReplicas;
    return true;
  }
  if (pause.paused) {
    decision.reason = 'Paused';
    return true;
  }
  return false;
}

/** Keep the Fallback condition in step with the health map; emit an event when it flips. */
function applyFallbackCondition(observation: ExecutorObservation, prev: ExecutorConditions, decision: ScaleDecision): void {
  if (!observation.fallbackConfigured) return;
  const next = observation.fallbackActive ? CONDITIONS.fallbackExists : CONDITIONS.noFallbackFound;
  if (sameCondition(prev.fallback, next)) return;
  decision.conditions.fallback = next;
  const wasActive = prev.fallback?.status === 'True';
  if (observation.fallbackActive && !wasActive) {
    decision.fallbackEvent = { type: 'Normal', reason: 'ScaledObjectFallbackActivated', message: 'ScaledObject fallback is active' };
  } else if (!observation.fallbackActive && wasActive) {
    decision.fallbackEvent = { type: 'Normal', reason: 'ScaledObjectFallbackDeactivated', message: 'ScaledObject fallback is no longer active' };
  }
}

function decideActive(
  spec: ExecutorSpec,
  state: ExecutorState,
  observation: ExecutorObservation,
  current: number,
  now: number,
  decision: ScaleDecision,
): void {
  const min = spec.minReplicaCount;
  if ((spec.idleReplicaCount !== undefined && current < min) || current === 0) {
    if (spec.pause.scaleOut) {
      decision.reason = 'PausedScaleOut';
      return;
    }
    const replicas = min > 0 ? min : 1;
    decision.replicas = replicas;
    decision.reason = 'KEDAScaleTargetActivated';
    decision.lastActiveTime = now;
    const by = spec.forceActivation
      ? 'caused by forced activation annotation'
      : `triggered by ${observation.activeTriggers.join(';')}`;
    decision.event = {
      type: 'Normal',
      reason: 'KEDAScaleTargetActivated',
      message: `Scaled ${describeTarget(state)} from ${current} to ${replicas}, ${by}`,
    };
  } else if (observation.error) {
    decision.reason = 'PartialTriggerError';
    if (state.conditions.ready?.status !== UNKNOWN) decision.conditions.ready = CONDITIONS.partialTriggerError;
  } else {
    decision.reason = 'ScalerActive';
    decision.lastActiveTime = now;
  }
}

function decideInactive(
  spec: ExecutorSpec,
  state: ExecutorState,
  observation: ExecutorObservation,
  current: number,
  now: number,
  decision: ScaleDecision,
): void {
  const min = spec.minReplicaCount;
  const idle = spec.idleReplicaCount;
  if (observation.error && spec.fallback !== undefined && spec.fallback.replicas !== 0) {
    // Scaling to zero here would put the HPA out of action before it can apply the fallback.
    decision.reason = 'FallbackPending';
  } else if (observation.error && spec.fallback === undefined) {
    decision.reason = 'TriggerError';
    if (state.conditions.ready?.status !== 'False') decision.conditions.ready = CONDITIONS.triggerError;
  } else if ((idle !== undefined && current > idle) || (current > 0 && min === 0)) {
    scaleInAfterCooldown(spec, state, current, now, decision);
  } else if (idle === undefined && current < min) {
    decision.reason = 'MinReplicas';
    decision.replicas = min;
  } else {
    decision.reason = 'ScalerNotActive';
  }
}

/** Scale to idle/min once the cooldown (or, never active, the initial cooldown) has passed. */
function scaleInAfterCooldown(spec: ExecutorSpec, state: ExecutorState, current: number, now: number, decision: ScaleDecision): void {
  if (spec.pause.scaleIn) {
    decision.reason = 'PausedScaleIn';
    return;
  }
  const last = state.lastActiveTime;
  const expired =
    last === undefined
      ? state.creationTime + spec.initialCooldownPeriod * 1000 < now
      : last + spec.cooldownPeriod * 1000 < now;
  if (expired) {
    const replicas = spec.idleReplicaCount ?? spec.minReplicaCount;
    decision.replicas = replicas;
    decision.reason = 'KEDAScaleTargetDeactivated';
    decision.event = {
      type: 'Normal',
      reason: 'KEDAScaleTargetDeactivated',
      message: `Deactivated ${describeTarget(state)} from ${current} to ${replicas}`,
    };
    setActive(state, decision, CONDITIONS.scalerNotActive);
  } else {
    decision.reason = 'ScalerCooldown';
    setActive(state, decision, CONDITIONS.scalerCooldown);
  }
}

function setActive(state: ExecutorState, decision: ScaleDecision, next: Condition): void {
  if (!sameCondition(state.conditions.active, next)) decision.conditions.active = next;
}

function sameCondition(a: Condition | undefined, b: Condition): boolean {
  return a !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message;
}

function describeTarget(state: ExecutorState): string {
  const t = state.target;
  return t === undefined ? 'scale target' : `${t.kind} ${t.namespace}/${t.name}`;
}

/** Warning event for a /scale write that failed (`KEDAScaleTargetActivationFailed` / `…DeactivationFailed`). */
export function scaleFailedEvent(decision: ScaleDecision, state: ExecutorState, current: number): KedaEvent | undefined {
  if (decision.replicas === undefined) return undefined;
  const target = describeTarget(state);
  if (decision.reason === 'KEDAScaleTargetActivated') {
    // KEDA's wording, typo included, so alerts matching on it keep working.
    return { type: 'Warning', reason: 'KEDAScaleTargetActivationFailed', message: `Failed to scaled ${target} from ${current} to ${decision.replicas}` };
  }
  if (decision.reason === 'KEDAScaleTargetDeactivated') {
    return { type: 'Warning', reason: 'KEDAScaleTargetDeactivationFailed', message: `Failed to deactivate ${target} from ${current} to ${decision.replicas}` };
  }
  return undefined;
}
