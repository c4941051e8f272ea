// Job controller: runs `parallelism` pods until `completions` succeeded. A running pod succeeds
// `jobDurationMs` after it started (annotation `fake.tide.dev/duration-ms` on the Job overrides);
// annotating the Job `fake.tide.dev/fail: "true"` fails it (pods Failed, condition Failed,
// reason BackoffLimitExceeded), which is how tests ask for a failure.

import { kubeTime } from '../store.js';
import { type KubeObject, isRecord } from '../types.js';
import { type Controller, type ControllerContext, keyOf, num, ownerKeys, podPhase, podReady, runController, splitKey } from './context.js';
import { controlledPods, podFromTemplate } from './replicaset.js';

/** Whether a Job already has a True Complete or Failed condition. */
function finished(job: KubeObject): boolean {
  const conds = isRecord(job.status) && Array.isArray(job.status.conditions) ? job.status.conditions : [];
  return conds.some((c) => isRecord(c) && (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** A terminated pod status. */
function terminated(pod: KubeObject, phase: 'Succeeded' | 'Failed', now: string): Record<string, unknown> {
  const status = isRecord(pod.status) ? pod.status : {};
  const exitCode = phase === 'Succeeded' ? 0 : 1;
  const reason = phase === 'Succeeded' ? 'Completed' : 'Error';
  const containers = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isRecord) : [];
  return {
    ...status,
    phase,
    conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastProbeTime: null, lastTransitionTime: now }],
    containerStatuses: containers.map((c) => ({ ...c, ready: false, started: false, state: { terminated: { exitCode, reason, startedAt: status.startTime, finishedAt: now } } })),
  };
}

/** Starts the Job controller. */
export function jobController(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  const jobType = cluster.type('batch/v1', 'Job');
  const podType = cluster.type('v1', 'Pod');
  const runningSince = new Map<string, number>();
  return runController(ctx, 'job', (e) => {
    if (e.gr === 'jobs.batch') return [keyOf(e.object)];
    return e.gr === 'pods' ? ownerKeys(e, 'Job') : [];
  }, (key, queue) => {
    const [ns, name] = splitKey(key);
    const job = cluster.store.get(jobType, ns, name);
    if (!job || job.metadata.deletionTimestamp !== undefined || finished(job)) return;
    const spec = isRecord(job.spec) ? job.spec : {};
    const now = cluster.clock();
    const nowText = kubeTime(now);
    const pods = controlledPods(ctx, job);
    const fail = job.metadata.annotations?.['fake.tide.dev/fail'] === 'true';
    const duration = Number(job.metadata.annotations?.['fake.tide.dev/duration-ms'] ?? ctx.timing.jobDurationMs);
    for (const p of pods) {
      const phase = podPhase(p);
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      if (fail) {
        cluster.store.update(podType, ns, p.metadata.name ?? '', { ...p, status: terminated(p, 'Failed', nowText) }, { status: true });
        continue;
      }
      if (phase !== 'Running') continue;
      const since = runningSince.get(keyOf(p)) ?? now;
      runningSince.set(keyOf(p), since);
      if (now - since >= duration) cluster.store.update(podType, ns, p.metadata.name ?? '', { ...p, status: terminated(p, 'Succeeded', nowText) }, { status: true });
      else queue.addAfter(key, since + duration - now);
    }
    const after = controlledPods(ctx, job);
    const succeeded = after.filter((p) => podPhase(p) === 'Succeeded').length;
    const failed = after.filter((p) => podPhase(p) === 'Failed').length;
    let active = after.filter((p) => podPhase(p) === 'Pending' || podPhase(p) === 'Running');
    const completions = num(spec, 'completions') || 1;
    const toStart = fail ? 0 : Math.min(num(spec, 'parallelism') || 1, completions - succeeded) - active.length;
    for (let i = 0; i < toStart; i++) {
      const pod = podFromTemplate(spec.template, ns, job, 'batch/v1', 'Job');
      pod.metadata.generateName = `${name}-`;
      cluster.store.create(podType, ns, pod);
    }
    active = controlledPods(ctx, job).filter((p) => podPhase(p) === 'Pending' || podPhase(p) === 'Running');
    const old = isRecord(job.status) ? job.status : {};
    const status: Record<string, unknown> = { startTime: old.startTime ?? nowText, uncountedTerminatedPods: {} };
    if (active.length > 0) status.active = active.length;
    status.ready = active.filter(podReady).length;
    if (succeeded > 0) status.succeeded = succeeded;
    if (failed > 0) status.failed = failed;
    const cond = (type: string, reason?: string, message?: string): Record<string, unknown> => ({ type, status: 'True', lastProbeTime: nowText, lastTransitionTime: nowText, ...(reason ? { reason, message } : {}) });
    if (fail) {
      status.conditions = [cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'), cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')];
    } else if (succeeded >= completions) {
      status.conditions = [cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'), cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')];
      status.completionTime = nowText;
    }
    cluster.store.update(jobType, ns, name, { ...job, status }, { status: true });
  });
}
