// KEDA's ScaledJob executor (keda.md 3) as a pure decision: count running/pending jobs, decide how
// many to create, keep Ready/Active/Paused conditions, and pick finished jobs beyond the history
// limits for deletion.

import type { Condition, KedaEvent } from './executor.js';
import {
  combineScalerMetrics,
  jobsToCreate,
  jobTriggersMetrics,
  type JobScalingSpec,
  type JobTriggerObservation,
} from './jobs.js';

/** A Job owned by the ScaledJob, reduced to what counting needs. */
export interface JobSummary {
  /** A Complete or Failed condition is True. */
  finished: boolean;
  /** Not finished and no pod has started (see isJobPending). */
  pending: boolean;
}

/** A pod of a Job, reduced to what the pending check needs. */
export interface PodSummary {
  phase: string;
  /** Pod condition type → status ("True", "False", "Unknown"). */
  conditions: Readonly<Record<string, string>>;
}

/**
 * Whether an unfinished Job still counts as pending: with pendingPodConditions, no pod has all the
 * listed conditions True; without, no pod is Running or Succeeded.
 */
export function isJobPending(finished: boolean, pods: readonly PodSummary[], pendingPodConditions: readonly string[]): boolean {
  if (finished) return false;
  if (pendingPodConditions.length > 0) {
    for (const pod of pods) {
      // KEDA compares the number of distinct fulfilled types with the list length, so a duplicated
      // entry can never be fulfilled; kept for identical counts.
      const fulfilled = new Set<string>();
      for (const type of pendingPodConditions) if (pod.conditions[type] === 'True') fulfilled.add(type);
      if (fulfilled.size === pendingPodConditions.length) return false;
    }
    return true;
  }
  for (const pod of pods) if (pod.phase === 'Running' || pod.phase === 'Succeeded') return false;
  return true;
}

/** Running (unfinished) and pending job counts. */
export function countJobs(jobs: readonly JobSummary[]): { running: number; pending: number } {
  let running = 0;
  let pending = 0;
  for (const job of jobs) {
    if (job.finished) continue;
    running++;
    if (job.pending) pending++;
  }
  return { running, pending };
}

/** The ScaledJob spec and annotations the decision reads. */
export interface ScaledJobSpec extends JobScalingSpec {
  paused: boolean;
}

/** The ScaledJob status the decision reads (times in epoch ms). */
export interface ScaledJobState {
  lastActiveTime?: number | undefined;
  conditions: { ready?: Condition | undefined; active?: Condition | undefined; paused?: Condition | undefined };
}

/** What to do for a ScaledJob this poll. */
export interface ScaledJobDecision {
  jobsToCreate: number;
  active: boolean;
  error: boolean;
  scaleTo: number;
  maxScale: number;
  running: number;
  pending: number;
  lastActiveTime: number | undefined;
  /** Conditions to write; only those that change are set. */
  conditions: { ready?: Condition; active?: Condition; paused?: Condition };
  /** `status.triggersActivity`: metric name → that trigger's activity. */
  triggersActivity: Record<string, boolean>;
  events: KedaEvent[];
}

const cond = (status: Condition['status'], reason: string, message: string): Condition =>
  Object.freeze({ status, reason, message });

/** Conditions KEDA writes on a ScaledJob. */
export const JOB_CONDITIONS = {
  ready: cond('True', 'ScaledJobReady', 'ScaledJob is defined correctly and is ready for scaling'),
  partialTriggerError: cond('Unknown', 'PartialTriggerError', 'Some triggers defined in ScaledJob are not working correctly'),
  triggerError: cond('False', 'TriggerError', 'Triggers defined in ScaledJob are not working correctly'),
  active: cond('True', 'ScalerActive', 'Scaling is performed because triggers are active'),
  notActive: cond('False', 'ScalerNotActive', 'Scaling is not performed because triggers are not active'),
  paused: cond('True', 'ScaledJobPaused', 'ScaledJob is paused'),
  unpaused: cond('False', 'ScaledJobUnpaused', 'ScaledJob is unpaused'),
} as const;

/** Decide one poll of a ScaledJob from its trigger results and its current jobs. */
export function decideScaledJob(
  spec: ScaledJobSpec,
  state: ScaledJobState,
  triggers: readonly JobTriggerObservation[],
  jobs: readonly JobSummary[],
  now: number,
): ScaledJobDecision {
  const prev = state.conditions;
  const { running, pending } = countJobs(jobs);
  const decision: ScaledJobDecision = {
    jobsToCreate: 0, active: false, error: false, scaleTo: 0, maxScale: 0, running, pending,
    lastActiveTime: state.lastActiveTime, conditions: {}, triggersActivity: {}, events: [],
  };
  if (spec.paused) {
    // The loop is stopped while paused: no jobs, no trigger queries.
    if (prev.paused?.status !== 'True') decision.conditions.paused = JOB_CONDITIONS.paused;
    return decision;
  }
  if (prev.paused?.status === 'True') decision.conditions.paused = JOB_CONDITIONS.unpaused;

  const { metrics, error, activeTriggers } = jobTriggersMetrics(triggers, spec);
  const combined = combineScalerMetrics(metrics, spec);
  decision.active = combined.active;
  decision.error = error;
  decision.scaleTo = combined.scaleTo;
  decision.maxScale = combined.maxScale;
  decision.triggersActivity = activeTriggers;
  if (combined.active) {
    decision.lastActiveTime = now;
    decision.jobsToCreate = jobsToCreate(spec, true, running, pending, combined.scaleTo, combined.maxScale);
    if (decision.jobsToCreate > 0) {
      decision.events.push({ type: 'Normal', reason: 'KEDAJobsCreated', message: `Created ${decision.jobsToCreate} jobs` });
    }
  }
  applyJobConditions(decision, prev);
  return decision;
}

/** Ready from the error state, Active from activity, with ScaledJobActive/Inactive events on change. */
function applyJobConditions(decision: ScaledJobDecision, prev: ScaledJobState['conditions']): void {
  const { active, error } = decision;
  if (error && active) {
    if (prev.ready?.status !== 'Unknown') decision.conditions.ready = JOB_CONDITIONS.partialTriggerError;
  } else if (error) {
    if (prev.ready?.status !== 'False') decision.conditions.ready = JOB_CONDITIONS.triggerError;
  } else if (prev.ready?.status !== 'True') {
    decision.conditions.ready = JOB_CONDITIONS.ready;
  }
  const status = prev.active?.status ?? 'Unknown';
  if (status === 'Unknown' || (status === 'True') !== active) {
    decision.conditions.active = active ? JOB_CONDITIONS.active : JOB_CONDITIONS.notActive;
    // KEDA announces every change of the Active condition, Unknown → True/False included.
    decision.events.push(
      active
        ? { type: 'Normal', reason: 'ScaledJobActive', message: JOB_CONDITIONS.active.message }
        : { type: 'Normal', reason: 'ScaledJobInactive', message: JOB_CONDITIONS.notActive.message },
    );
  }
}

/** A Job for the history cleanup. Times in epoch ms. */
export interface FinishedJob {
  name: string;
  /** The True terminal condition, if any. */
  finished: 'Complete' | 'Failed' | undefined;
  completionTime?: number | undefined;
  creationTime?: number | undefined;
}

/**
 * Names of finished jobs to delete so that at most `successfulLimit` Complete and `failedLimit`
 * Failed jobs remain, oldest first by completion time. A job without completionTime (Kubernetes
 * sets none on failure) is ordered by creationTime, so the choice is deterministic where KEDA's is not.
 */
export function jobsToDelete(jobs: readonly FinishedJob[], successfulLimit = 100, failedLimit = 100): string[] {
  const complete: FinishedJob[] = [];
  const failed: FinishedJob[] = [];
  for (const job of jobs) {
    if (job.finished === 'Complete') complete.push(job);
    else if (job.finished === 'Failed') failed.push(job);
  }
  return [...oldestBeyond(complete, successfulLimit), ...oldestBeyond(failed, failedLimit)];
}

function oldestBeyond(jobs: FinishedJob[], limit: number): string[] {
  if (jobs.length <= limit) return [];
  const key = (j: FinishedJob): number => j.completionTime ?? j.creationTime ?? Number.POSITIVE_INFINITY;
  const sorted = jobs.slice().sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka === kb ? 0 : ka < kb ? -1 : 1;
  });
  const names: string[] = [];
  for (let i = 0; i < sorted.length - Math.max(limit, 0); i++) names.push(sorted[i]?.name ?? '');
  return names;
}
