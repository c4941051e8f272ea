import { describe, expect, it } from 'vitest';
import {
  countJobs,
  decideScaledJob,
  isJobPending,
  JOB_CONDITIONS,
  jobsToDelete,
  type FinishedJob,
  type JobSummary,
  type PodSummary,
  type ScaledJobSpec,
} from '../../src/scaling/jobs-executor.js';
import type { JobTriggerObservation } from '../../src/scaling/jobs.js';

const pod = (phase: string, conditions: Record<string, string> = {}): PodSummary => ({ phase, conditions });

describe('isJobPending', () => {
  it.each<[string, boolean, PodSummary[], string[], boolean]>([
    ['finished job is never pending', true, [], [], false],
    ['no pods yet → pending', false, [], [], true],
    ['only a Pending pod → pending', false, [pod('Pending')], [], true],
    ['a Running pod → not pending', false, [pod('Pending'), pod('Running')], [], false],
    ['a Succeeded pod → not pending', false, [pod('Succeeded')], [], false],
    ['a Failed pod only → pending', false, [pod('Failed')], [], true],
    ['conditions [Ready, PodScheduled] both True on one pod → not pending', false, [pod('Running', { Ready: 'True', PodScheduled: 'True' })], ['Ready', 'PodScheduled'], false],
    ['conditions: Ready False → pending even though Running', false, [pod('Running', { Ready: 'False', PodScheduled: 'True' })], ['Ready', 'PodScheduled'], true],
    ['conditions split across two pods → pending (one pod must have all)', false, [pod('Running', { Ready: 'True' }), pod('Running', { PodScheduled: 'True' })], ['Ready', 'PodScheduled'], true],
    ['duplicated condition in the list can never be met (KEDA counts distinct)', false, [pod('Running', { Ready: 'True' })], ['Ready', 'Ready'], true],
  ])('%s', (_name, finished, pods, conditions, expected) => {
    expect(isJobPending(finished, pods, conditions)).toBe(expected);
  });
});

describe('countJobs', () => {
  it('running = unfinished (pending included); pending = unfinished and pending', () => {
    const jobs: JobSummary[] = [
      { finished: false, pending: false },
      { finished: false, pending: true },
      { finished: true, pending: false },
      { finished: true, pending: true },
    ];
    expect(countJobs(jobs)).toEqual({ running: 2, pending: 1 });
  });
});

const NOW = 1_700_000_000_000;
const trig = (valueMilli: number, active: boolean, name = 's0-queue'): JobTriggerObservation => ({
  metricName: name,
  targetMilli: 5_000,
  result: { valueMilli, active },
});
const broken = (name = 's1-broken'): JobTriggerObservation => ({ metricName: name, targetMilli: 5_000, result: { error: 'timeout' } });
const sj = (patch: Partial<ScaledJobSpec> = {}): ScaledJobSpec => ({ paused: false, ...patch });
const running = (n: number): JobSummary[] => Array.from({ length: n }, () => ({ finished: false, pending: false }));

describe('decideScaledJob', () => {
  it('active: 25 messages, target 5 → scaleTo 25, maxScale 5; running 2 → default creates 5 − 2 = 3', () => {
    const d = decideScaledJob(sj(), { conditions: {} }, [trig(25_000, true)], running(2), NOW);
    expect(d).toMatchObject({ active: true, error: false, scaleTo: 25, maxScale: 5, running: 2, pending: 0, jobsToCreate: 3, lastActiveTime: NOW });
    expect(d.conditions).toEqual({ ready: JOB_CONDITIONS.ready, active: JOB_CONDITIONS.active });
    expect(d.events).toEqual([
      { type: 'Normal', reason: 'KEDAJobsCreated', message: 'Created 3 jobs' },
      { type: 'Normal', reason: 'ScaledJobActive', message: 'Scaling is performed because triggers are active' },
    ]);
    expect(d.triggersActivity).toEqual({ 's0-queue': true });
  });

  it('inactive: nothing created, lastActiveTime kept, Active True → False with ScaledJobInactive', () => {
    const d = decideScaledJob(sj(), { lastActiveTime: 5, conditions: { ready: JOB_CONDITIONS.ready, active: JOB_CONDITIONS.active } }, [trig(0, false)], [], NOW);
    expect(d).toMatchObject({ active: false, jobsToCreate: 0, lastActiveTime: 5 });
    expect(d.conditions).toEqual({ active: JOB_CONDITIONS.notActive });
    expect(d.events.map((e) => e.reason)).toEqual(['ScaledJobInactive']);
  });

  it('min 2 with an empty queue → forced active, tops up to 2 jobs', () => {
    const d = decideScaledJob(sj({ minReplicaCount: 2 }), { conditions: {} }, [trig(0, false)], [], NOW);
    expect(d).toMatchObject({ active: true, jobsToCreate: 2 });
  });

  it('one trigger failing, another active → PartialTriggerError, failed trigger left out of the sizes', () => {
    const d = decideScaledJob(sj(), { conditions: { ready: JOB_CONDITIONS.ready } }, [broken(), trig(10_000, true)], [], NOW);
    expect(d).toMatchObject({ active: true, error: true, scaleTo: 10, maxScale: 2, jobsToCreate: 2 });
    expect(d.conditions.ready).toBe(JOB_CONDITIONS.partialTriggerError);
    expect(d.triggersActivity).toEqual({ 's1-broken': false, 's0-queue': true });
  });

  it('all triggers failing → TriggerError; already TriggerError → unchanged', () => {
    const first = decideScaledJob(sj(), { conditions: { ready: JOB_CONDITIONS.ready } }, [broken()], [], NOW);
    expect(first.conditions.ready).toBe(JOB_CONDITIONS.triggerError);
    const again = decideScaledJob(sj(), { conditions: { ready: JOB_CONDITIONS.triggerError, active: JOB_CONDITIONS.notActive } }, [broken()], [], NOW);
    expect(again.conditions).toEqual({});
    expect(again.events).toEqual([]);
  });

  it('pending jobs count for accurate: 10 messages / target 5 = maxScale 2, 1 pending → 2 − 1 = 1', () => {
    const jobs: JobSummary[] = [{ finished: false, pending: true }];
    const d = decideScaledJob(sj({ strategy: 'accurate' }), { conditions: {} }, [trig(10_000, true)], jobs, NOW);
    expect(d).toMatchObject({ running: 1, pending: 1, jobsToCreate: 1 });
  });

  it('paused → no jobs and no trigger evaluation, Paused True; unpause → ScaledJobUnpaused', () => {
    const paused = decideScaledJob(sj({ paused: true }), { conditions: {} }, [trig(50_000, true)], [], NOW);
    expect(paused).toMatchObject({ active: false, jobsToCreate: 0 });
    expect(paused.conditions).toEqual({ paused: JOB_CONDITIONS.paused });
    const resumed = decideScaledJob(sj(), { conditions: { paused: JOB_CONDITIONS.paused } }, [trig(0, false)], [], NOW);
    expect(resumed.conditions.paused).toBe(JOB_CONDITIONS.unpaused);
  });
});

const job = (name: string, finished: FinishedJob['finished'], completionTime?: number, creationTime?: number): FinishedJob => ({
  name,
  finished,
  completionTime,
  creationTime,
});

describe('jobsToDelete (history limits)', () => {
  it.each<[string, FinishedJob[], number, number, string[]]>([
    ['within limits → nothing', [job('a', 'Complete', 1), job('b', 'Failed', 2)], 1, 1, []],
    [
      '3 complete, limit 1 → delete the 2 oldest by completion time',
      [job('c3', 'Complete', 300), job('c1', 'Complete', 100), job('c2', 'Complete', 200)],
      1, 100, ['c1', 'c2'],
    ],
    [
      'limits apply per kind: complete limit 2, failed limit 0; running jobs ignored',
      [job('c1', 'Complete', 1), job('c2', 'Complete', 2), job('f1', 'Failed', 5), job('r', undefined), job('f2', 'Failed', 3)],
      2, 0, ['f2', 'f1'],
    ],
    [
      'failed jobs without completionTime are ordered by creationTime',
      [job('new', 'Failed', undefined, 900), job('old', 'Failed', undefined, 100), job('mid', 'Failed', undefined, 500)],
      100, 1, ['old', 'mid'],
    ],
    ['limit 0 deletes every finished job of that kind', [job('a', 'Complete', 1), job('b', 'Complete', 2)], 0, 0, ['a', 'b']],
  ])('%s', (_name, jobs, successful, failed, expected) => {
    expect(jobsToDelete(jobs, successful, failed)).toEqual(expected);
  });

  it('defaults keep 100 of each', () => {
    const many = Array.from({ length: 102 }, (_, i) => job(`c${i}`, 'Complete', i));
    expect(jobsToDelete(many)).toEqual(['c0', 'c1']);
  });
});
