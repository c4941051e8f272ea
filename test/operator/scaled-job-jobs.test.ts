import { describe, expect, test } from 'vitest';
import type { KubeObject } from '../../src/kube/api.js';
import { buildJob, finishedJobs, jobFinished, jobSummaries, ownedJobs, previousGenerationJobs, type JobSource } from '../../src/operator/scaled-job-jobs.js';
import { jobState, withDecision } from '../../src/operator/scaled-job-loop.js';
import { JOB_CONDITIONS, type ScaledJobDecision } from '../../src/scaling/jobs-executor.js';

const source = (over: Partial<JobSource> = {}): JobSource => ({
  name: 'sj', namespace: 'ns', uid: 'u1', generation: 4,
  labels: { team: 'a', hidden: 'x' },
  annotations: { note: 'n' },
  jobTargetRef: { parallelism: 2, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  excludedLabels: ['hidden'],
  ...over,
});

function job(name: string, extra: { uid?: string; owner?: string; generation?: string; status?: Record<string, unknown>; label?: string; created?: string } = {}): KubeObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name, namespace: 'ns', uid: extra.uid ?? `uid-${name}`,
      labels: { 'scaledjob.keda.sh/name': extra.label ?? 'sj' },
      ...(extra.generation !== undefined ? { annotations: { 'scaledjob.keda.sh/generation': extra.generation } } : {}),
      ...(extra.owner !== undefined ? { ownerReferences: [{ kind: 'ScaledJob', name: 'sj', uid: extra.owner, controller: true }] } : {}),
      ...(extra.created !== undefined ? { creationTimestamp: extra.created } : {}),
    },
    ...(extra.status ? { status: extra.status } : {}),
  };
}

const done = (type: 'Complete' | 'Failed', at?: string): Record<string, unknown> => ({ conditions: [{ type, status: 'True' }], ...(at ? { completionTime: at } : {}) });
const pod = (jobUid: string, phase: string, conditions: Record<string, string> = {}): KubeObject => ({
  metadata: { namespace: 'ns', ownerReferences: [{ kind: 'Job', uid: jobUid, controller: true }] },
  status: { phase, conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
});

describe('buildJob', () => {
  test("KEDA's Job: generateName, labels (excluded ones left out), generation annotation, owner, template label, OnFailure", () => {
    const built = buildJob(source(), '2.0.0');
    expect(built.metadata).toEqual({
      generateName: 'sj-', namespace: 'ns',
      labels: {
        'app.kubernetes.io/name': 'sj', 'app.kubernetes.io/version': '2.0.0', 'app.kubernetes.io/part-of': 'sj',
        'app.kubernetes.io/managed-by': 'keda-operator', 'scaledjob.keda.sh/name': 'sj', team: 'a',
      },
      annotations: { 'scaledjob.keda.sh/generation': '4', note: 'n' },
      ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name: 'sj', uid: 'u1', controller: true, blockOwnerDeletion: true }],
    });
    expect(built.spec).toEqual({
      parallelism: 2,
      template: { metadata: { generateName: 'sj-', labels: { app: 'w', 'scaledjob.keda.sh/name': 'sj' } }, spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'OnFailure' } },
    });
  });

  test('a restartPolicy that is set is kept, and the source is not modified', () => {
    const ref = { template: { spec: { restartPolicy: 'Never', containers: [] } } };
    const built = buildJob(source({ jobTargetRef: ref }), 'v');
    expect((built.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy).toBe('Never');
    expect(ref).toEqual({ template: { spec: { restartPolicy: 'Never', containers: [] } } });
  });
});

describe('the Jobs of a ScaledJob', () => {
  test('owned: the label in the namespace, and no other controlling owner', () => {
    const jobs = [job('a', { owner: 'u1' }), job('b'), job('c', { owner: 'old-uid' }), job('d', { label: 'other', owner: 'u1' }), { ...job('e', { owner: 'u1' }), metadata: { ...job('e', { owner: 'u1' }).metadata, namespace: 'x' } }];
    expect(ownedJobs(jobs, 'ns', 'sj', 'u1').map((j) => j.metadata.name)).toEqual(['a', 'b']);
  });

  test('finished is a True Complete or Failed condition', () => {
    expect(jobFinished(job('a', { status: done('Complete') }))).toBe('Complete');
    expect(jobFinished(job('a', { status: done('Failed') }))).toBe('Failed');
    expect(jobFinished(job('a', { status: { conditions: [{ type: 'Complete', status: 'False' }, { type: 'Suspended', status: 'True' }] } }))).toBeUndefined();
    expect(jobFinished(job('a'))).toBeUndefined();
  });

  test('pending: no pod Running or Succeeded; with pendingPodConditions, no pod with all of them True', () => {
    const jobs = [job('a'), job('b'), job('c', { status: done('Complete') }), job('d')];
    const pods = [pod('uid-a', 'Pending'), pod('uid-b', 'Running', { Ready: 'False' }), pod('uid-d', 'Succeeded', { Ready: 'True', PodScheduled: 'True' })];
    expect(jobSummaries(jobs, pods, [])).toEqual([
      { finished: false, pending: true },
      { finished: false, pending: false },
      { finished: true, pending: false },
      { finished: false, pending: false },
    ]);
    expect(jobSummaries(jobs, pods, ['Ready', 'PodScheduled']).map((s) => s.pending)).toEqual([true, true, false, false]);
  });

  test('pods without an owner reference are matched by the job-name label', () => {
    const p: KubeObject = { metadata: { namespace: 'ns', labels: { 'job-name': 'a' } }, status: { phase: 'Running' } };
    expect(jobSummaries([job('a')], [p], [])).toEqual([{ finished: false, pending: false }]);
  });

  test('history: completion time, creation time when there is none', () => {
    expect(finishedJobs([job('a', { status: done('Failed'), created: '2026-01-01T00:00:00Z' }), job('b', { status: done('Complete', '2026-01-02T00:00:00Z') })])).toEqual([
      { name: 'a', finished: 'Failed', completionTime: undefined, creationTime: Date.parse('2026-01-01T00:00:00Z') },
      { name: 'b', finished: 'Complete', completionTime: Date.parse('2026-01-02T00:00:00Z'), creationTime: undefined },
    ]);
  });

  test('rollout: Jobs of another generation, or with none, but not those already being deleted', () => {
    const deleting = job('d', { generation: '1' });
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const jobs = [job('a', { generation: '3' }), job('b', { generation: '2' }), job('c'), deleting];
    expect(previousGenerationJobs(jobs, 3).map((j) => j.metadata.name)).toEqual(['b', 'c']);
  });
});

describe('ScaledJob status from a poll', () => {
  const decision = (over: Partial<ScaledJobDecision>): ScaledJobDecision => ({
    jobsToCreate: 0, active: false, error: false, scaleTo: 0, maxScale: 0, running: 0, pending: 0,
    lastActiveTime: undefined, conditions: {}, triggersActivity: {}, events: [], ...over,
  });

  test('changed conditions, lastActiveTime in whole seconds, triggersActivity', () => {
    const next = withDecision({ conditions: [{ type: 'Ready', status: 'True', reason: 'ScaledJobReady', message: 'm' }] }, decision({
      conditions: { active: JOB_CONDITIONS.active }, lastActiveTime: Date.parse('2026-03-04T05:06:07.890Z'), triggersActivity: { 's0-redis-q': true },
    }));
    expect(next).toEqual({
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ScaledJobReady', message: 'm' },
        { type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active' },
        { type: 'Fallback', status: 'Unknown' },
        { type: 'Paused', status: 'False' },
      ],
      lastActiveTime: '2026-03-04T05:06:07Z',
      triggersActivity: { 's0-redis-q': { isActive: true } },
    });
  });

  test('nothing changed: the same status (no write)', () => {
    const s = { conditions: [{ type: 'Ready', status: 'True' as const }], lastActiveTime: '2026-01-01T00:00:00Z' };
    expect(withDecision(s, decision({}))).toEqual(s);
  });

  test("the executor's view of the status", () => {
    expect(jobState({ lastActiveTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Active', status: 'True', reason: 'ScalerActive' }] })).toEqual({
      lastActiveTime: Date.parse('2026-01-01T00:00:00Z'),
      conditions: { ready: undefined, active: { status: 'True', reason: 'ScalerActive', message: '' }, paused: undefined },
    });
  });
});
