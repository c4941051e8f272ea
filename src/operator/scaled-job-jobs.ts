// The Jobs of a ScaledJob as KEDA makes and reads them (keda.md §1.5, §3): the Job built from
// jobTargetRef (generateName `<sj>-`, KEDA's labels and annotations, the ScaledJob as controlling
// owner), which cached Jobs belong to a ScaledJob, and the summaries the pure executor counts with.
// Pure: the controller and the loop do the I/O.
import {
  APP_MANAGED_BY_LABEL,
  APP_NAME_LABEL,
  APP_PART_OF_LABEL,
  APP_VERSION_LABEL,
  MANAGED_BY_KEDA_OPERATOR,
  SCALED_JOB_GENERATION_ANNOTATION,
  SCALED_JOB_NAME_LABEL,
} from '../api/annotations.js';
import type { KubeObject } from '../kube/api.js';
import { isJobPending, type FinishedJob, type JobSummary, type PodSummary } from '../scaling/jobs-executor.js';

/** What buildJob needs of the ScaledJob. */
export interface JobSource {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation: number;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** spec.jobTargetRef (a batch/v1 JobSpec), copied. */
  readonly jobTargetRef: Readonly<Record<string, unknown>>;
  readonly excludedLabels: readonly string[];
}

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** One Job as KEDA's generateJobs writes it; the API server picks the random name suffix. */
export function buildJob(source: JobSource, version: string): KubeObject {
  const { name } = source;
  const labels: Record<string, string> = {
    [APP_NAME_LABEL]: name,
    [APP_VERSION_LABEL]: version,
    [APP_PART_OF_LABEL]: name,
    [APP_MANAGED_BY_LABEL]: MANAGED_BY_KEDA_OPERATOR,
    [SCALED_JOB_NAME_LABEL]: name,
  };
  for (const [k, v] of Object.entries(source.labels ?? {})) if (!source.excludedLabels.includes(k)) labels[k] = v;
  // KEDA copies the ScaledJob's annotations after its own, so theirs win.
  const annotations: Record<string, string> = { [SCALED_JOB_GENERATION_ANNOTATION]: String(source.generation), ...source.annotations };
  const spec = structuredClone(source.jobTargetRef) as Json;
  const template = record(spec['template']);
  const templateMeta = record(template['metadata']);
  const podSpec = record(template['spec']);
  // Job pods are counted by this label; Always is not allowed in a Job, and clients default to it.
  templateMeta['generateName'] = `${name}-`;
  templateMeta['labels'] = { ...record(templateMeta['labels']), [SCALED_JOB_NAME_LABEL]: name };
  if (typeof podSpec['restartPolicy'] !== 'string' || podSpec['restartPolicy'] === '') podSpec['restartPolicy'] = 'OnFailure';
  spec['template'] = { ...template, metadata: templateMeta, spec: podSpec };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      generateName: `${name}-`,
      namespace: source.namespace,
      labels,
      annotations,
      ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name, uid: source.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/** Jobs of the ScaledJob `name` (uid `uid`) in `namespace`: KEDA's label, and not controlled by anyone else. */
export function ownedJobs(jobs: readonly KubeObject[], namespace: string, name: string, uid: string): KubeObject[] {
  return jobs.filter((job) => {
    if (job.metadata.namespace !== namespace || job.metadata.labels?.[SCALED_JOB_NAME_LABEL] !== name) return false;
    const owner = (job.metadata.ownerReferences ?? []).find((r) => r['controller'] === true);
    // A Job of an earlier ScaledJob of the same name waits for the garbage collector; it is not ours.
    return owner === undefined || (owner['kind'] === 'ScaledJob' && owner['uid'] === uid);
  });
}

/** The True terminal condition of a Job (Complete or Failed), if any. */
export function jobFinished(job: KubeObject): 'Complete' | 'Failed' | undefined {
  const conditions = record(job['status'])['conditions'];
  if (!Array.isArray(conditions)) return undefined;
  for (const c of conditions as Json[]) {
    if ((c['type'] === 'Complete' || c['type'] === 'Failed') && c['status'] === 'True') return c['type'];
  }
  return undefined;
}

/** A pod as the pending check reads it. */
export function podSummary(pod: KubeObject): PodSummary {
  const status = record(pod['status']);
  const conditions: Record<string, string> = {};
  if (Array.isArray(status['conditions'])) {
    for (const c of status['conditions'] as Json[]) if (typeof c['type'] === 'string' && typeof c['status'] === 'string') conditions[c['type']] = c['status'];
  }
  return { phase: typeof status['phase'] === 'string' ? status['phase'] : 'Pending', conditions };
}

/** Pods grouped by the Job that controls them (ownerReference uid; else the `job-name` label KEDA selects on). */
export function podsByJob(pods: readonly KubeObject[], jobs: readonly KubeObject[]): Map<KubeObject, KubeObject[]> {
  const byUid = new Map<string, KubeObject>();
  const byName = new Map<string, KubeObject>();
  for (const job of jobs) {
    if (job.metadata.uid !== undefined) byUid.set(job.metadata.uid, job);
    byName.set(`${job.metadata.namespace ?? ''}/${job.metadata.name ?? ''}`, job);
  }
  const out = new Map<KubeObject, KubeObject[]>(jobs.map((j) => [j, []]));
  for (const pod of pods) {
    const owner = (pod.metadata.ownerReferences ?? []).find((r) => r['controller'] === true && r['kind'] === 'Job');
    const label = pod.metadata.labels?.['batch.kubernetes.io/job-name'] ?? pod.metadata.labels?.['job-name'];
    const job = (typeof owner?.['uid'] === 'string' ? byUid.get(owner['uid']) : undefined) ?? (label !== undefined ? byName.get(`${pod.metadata.namespace ?? ''}/${label}`) : undefined);
    if (job !== undefined) out.get(job)?.push(pod);
  }
  return out;
}

/** Running/pending summaries of the Jobs, for decideScaledJob. */
export function jobSummaries(jobs: readonly KubeObject[], pods: readonly KubeObject[], pendingPodConditions: readonly string[]): JobSummary[] {
  const grouped = podsByJob(pods, jobs);
  return jobs.map((job) => {
    const finished = jobFinished(job) !== undefined;
    return { finished, pending: isJobPending(finished, (grouped.get(job) ?? []).map(podSummary), pendingPodConditions) };
  });
}

const time = (text: unknown): number | undefined => {
  const ms = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

/** The Jobs as the history cleanup sees them. */
export function finishedJobs(jobs: readonly KubeObject[]): FinishedJob[] {
  return jobs.map((job) => ({
    name: job.metadata.name ?? '',
    finished: jobFinished(job),
    completionTime: time(record(job['status'])['completionTime']),
    creationTime: time(job.metadata.creationTimestamp),
  }));
}

/** Rollout `immediate`: Jobs made from another generation of the ScaledJob (or with no generation annotation). */
export function previousGenerationJobs(jobs: readonly KubeObject[], generation: number): KubeObject[] {
  return jobs.filter((job) => job.metadata.deletionTimestamp === undefined && job.metadata.annotations?.[SCALED_JOB_GENERATION_ANNOTATION] !== String(generation));
}
