// tide operator's ScaledJob controller end to end on the fake API server: ScaledJobs with a Redis list
// trigger on the machine's Redis (a random list per test), the operator in-process. The fake's Job
// controller runs each Job for `jobDurationMs` (long here: Jobs stay running) unless the Job is
// annotated `fake.tide.dev/duration-ms` or `fake.tide.dev/fail` — annotations a ScaledJob passes to
// its Jobs. Waits poll the cluster's state or count the loop's polls; nothing is timed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import type { RunningOperator } from '../../src/operator/operator.js';
import { RedisFixture } from '../servers/redis.js';
import { operatorFor, waitFor } from './cluster.js';

let server: FakeApiServer;
let operator: RunningOperator;
const redis = new RedisFixture();
let seq = 0;

beforeAll(async () => {
  server = await startFakeApiServer({ jobDurationMs: 3_600_000 });
  operator = await operatorFor(server);
});

afterAll(async () => {
  await operator.stop();
  await server.stop();
  await redis.close();
});

const until = <T>(read: () => T | Promise<T>, check: (value: T) => boolean, what: string): Promise<T> => waitFor(read, check, what, 25000);

interface Extra {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  spec?: Record<string, unknown>;
  trigger?: Record<string, unknown>;
}

function scaledJob(name: string, list: string, extra: Extra = {}): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob',
    metadata: { name, namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      jobTargetRef: { template: { spec: { containers: [{ name: 'worker', image: 'worker:1' }] } } },
      pollingInterval: 1,
      maxReplicaCount: 3,
      triggers: [{ type: 'redis', metadata: { address: '127.0.0.1:6379', listName: list, listLength: '1' }, ...extra.trigger }],
      ...extra.spec,
    },
  };
}

const sj = (name: string): KubeObject | undefined => server.cluster.get('keda.sh/v1alpha1', 'ScaledJob', 'default', name);
const jobs = (name: string): KubeObject[] => server.cluster.list('batch/v1', 'Job', 'default').filter((j) => j.metadata.labels?.['scaledjob.keda.sh/name'] === name);
const finished = (job: KubeObject): string | undefined =>
  ((job.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;
const condition = (name: string, type: string): { status?: string; reason?: string; message?: string } | undefined =>
  ((sj(name)?.status as { conditions?: { type: string; status?: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
const eventList = (name: string): KubeObject[] => server.cluster.list('v1', 'Event', 'default').filter((e) => (e.involvedObject as { name?: string }).name === name);
const events = (name: string): string[] => eventList(name).map((e) => `${String(e.reason)}: ${String(e.message)}`);
/** How many times an event was recorded (KEDA's recorder bumps `count` on repeats). */
const eventCount = (name: string, text: string): number =>
  eventList(name).filter((e) => `${String(e.reason)}: ${String(e.message)}` === text).reduce((n, e) => n + ((e as { count?: number }).count ?? 1), 0);
const polls = (name: string): number => operator.scaledJobs.controller.loop(`default/${name}`)?.polls ?? 0;

/** Waits until the loop of `name` has polled `n` more times. */
async function morePolls(name: string, n: number): Promise<void> {
  const start = polls(name);
  await until(() => polls(name), (p) => p >= start + n, `${n} more polls of ${name}`);
}

function names(prefix: string): { sj: string; list: string } {
  seq++;
  return { sj: `${prefix}-sj-${seq}`, list: redis.key(0, 'tide-operator-sj') };
}

describe('tide operator, ScaledJob', () => {
  test('a backlog creates Jobs up to maxReplicaCount, as KEDA builds them; no more while they run', async () => {
    const n = names('backlog');
    await redis.db().rpush(n.list, ...Array.from({ length: 7 }, (_, i) => `m${i}`));
    server.cluster.create(scaledJob(n.sj, n.list, { labels: { team: 'a', secret: 'x' }, annotations: { 'scaledjob.keda.sh/job-excluded-labels': 'secret' } }));
    await until(() => jobs(n.sj).length, (c) => c === 3, '3 Jobs (maxReplicaCount)');
    await morePolls(n.sj, 2);
    expect(jobs(n.sj)).toHaveLength(3);
    const object = sj(n.sj);
    expect(object?.metadata.finalizers).toEqual(['finalizer.keda.sh']);
    const job = jobs(n.sj)[0] as KubeObject;
    expect(job.metadata.name).toMatch(new RegExp(`^${n.sj}-[a-z0-9]{5}$`));
    expect(job.metadata.labels).toEqual({
      'app.kubernetes.io/name': n.sj, 'app.kubernetes.io/version': 'test', 'app.kubernetes.io/part-of': n.sj,
      'app.kubernetes.io/managed-by': 'keda-operator', 'scaledjob.keda.sh/name': n.sj, team: 'a',
    });
    expect(job.metadata.annotations).toMatchObject({ 'scaledjob.keda.sh/generation': '1', 'scaledjob.keda.sh/job-excluded-labels': 'secret' });
    expect(job.metadata.ownerReferences).toMatchObject([{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name: n.sj, uid: object?.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(job.spec).toMatchObject({ template: { metadata: { labels: { 'scaledjob.keda.sh/name': n.sj } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'worker', image: 'worker:1' }] } } });
    expect(condition(n.sj, 'Ready')).toMatchObject({ status: 'True', reason: 'ScaledJobReady' });
    expect(condition(n.sj, 'Active')).toMatchObject({ status: 'True', reason: 'ScalerActive' });
    expect(sj(n.sj)?.status).toMatchObject({ triggersTypes: 'redis', triggersActivity: { [`s0-redis-${n.list}`]: { isActive: true } } });
    expect((sj(n.sj)?.status as { lastActiveTime?: string }).lastActiveTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expected = [
      'KEDAScalersStarted: Scaler redis is built.',
      'ScaledJobReady: ScaledJob is ready for scaling',
      'KEDAJobsCreated: Created 3 jobs',
      'ScaledJobActive: Scaling is performed because triggers are active',
    ];
    await until(() => events(n.sj), (e) => expected.every((x) => e.includes(x)), 'the events');
    expect(eventCount(n.sj, 'KEDAJobsCreated: Created 3 jobs')).toBe(1);
  });

  test('the accurate strategy deducts pending Jobs; the queue beyond the cap waits', async () => {
    const n = names('accurate');
    await redis.db().rpush(n.list, 'a', 'b');
    server.cluster.create(scaledJob(n.sj, n.list, { spec: { maxReplicaCount: 5, scalingStrategy: { strategy: 'accurate' } } }));
    await until(() => jobs(n.sj).length, (c) => c === 2, '2 Jobs for 2 messages');
    await redis.db().rpush(n.list, 'c', 'd', 'e', 'f');
    // accurate: maxScale 5 (6 messages, cap 5) + 2 running > 5 → cap − running = 3 more.
    await until(() => jobs(n.sj).length, (c) => c === 5, '3 more Jobs');
    await morePolls(n.sj, 2);
    expect(jobs(n.sj)).toHaveLength(5);
  });

  test('minReplicaCount Jobs run with an empty queue', async () => {
    const n = names('min');
    server.cluster.create(scaledJob(n.sj, n.list, { spec: { minReplicaCount: 2 } }));
    await until(() => jobs(n.sj).length, (c) => c === 2, '2 Jobs (minReplicaCount)');
    await morePolls(n.sj, 2);
    expect(jobs(n.sj)).toHaveLength(2);
  });

  test('finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest first', async () => {
    const ok = names('history-ok');
    const bad = names('history-failed');
    await redis.db().rpush(ok.list, 'a', 'b');
    await redis.db().rpush(bad.list, 'a', 'b');
    server.cluster.create(scaledJob(ok.sj, ok.list, { annotations: { 'fake.tide.dev/duration-ms': '0' }, spec: { successfulJobsHistoryLimit: 1 } }));
    server.cluster.create(scaledJob(bad.sj, bad.list, { annotations: { 'fake.tide.dev/fail': 'true' }, spec: { failedJobsHistoryLimit: 2 } }));
    // Each poll finds the Jobs of the last one finished and creates two more.
    await until(() => eventCount(ok.sj, 'KEDAJobsCreated: Created 2 jobs'), (c) => c >= 3, 'three rounds of Jobs');
    await until(() => eventCount(bad.sj, 'KEDAJobsCreated: Created 2 jobs'), (c) => c >= 3, 'three rounds of failing Jobs');
    await redis.db().del(ok.list, bad.list);
    await until(() => jobs(ok.sj).map(finished), (f) => f.length === 1 && f[0] === 'Complete', 'one Complete Job kept');
    await until(() => jobs(bad.sj).map(finished), (f) => f.length === 2 && f.every((x) => x === 'Failed'), 'two Failed Jobs kept');
    await morePolls(ok.sj, 1);
    expect(jobs(ok.sj)).toHaveLength(1);
    expect(condition(ok.sj, 'Active')).toMatchObject({ status: 'False', reason: 'ScalerNotActive' });
  });

  test('autoscaling.keda.sh/paused stops the loop: no Jobs, Paused=True; removing it resumes', async () => {
    const n = names('pause');
    await redis.db().rpush(n.list, 'a', 'b');
    server.cluster.create(scaledJob(n.sj, n.list, { annotations: { 'autoscaling.keda.sh/paused': 'true' } }));
    await until(() => condition(n.sj, 'Paused'), (c) => c?.reason === 'ScaledJobPaused', 'Paused=True');
    await until(() => condition(n.sj, 'Ready'), (c) => c?.status === 'True', 'Ready=True');
    expect(condition(n.sj, 'Paused')).toMatchObject({ status: 'True', message: 'ScaledJob is paused' });
    expect(condition(n.sj, 'Ready')?.message).toBe('ScaledJob is paused, skipping reconcile loop');
    expect(operator.scaledJobs.controller.loop(`default/${n.sj}`)).toBeUndefined();
    expect(jobs(n.sj)).toHaveLength(0);
    const current = sj(n.sj) as KubeObject;
    server.cluster.update({ ...current, metadata: { ...current.metadata, annotations: {} } });
    await until(() => condition(n.sj, 'Paused'), (c) => c?.reason === 'ScaledJobUnpaused', 'Paused=False');
    await until(() => jobs(n.sj).length, (c) => c === 2, 'Jobs once unpaused');
  });

  test('deleting the ScaledJob removes its finalizer, and its Jobs go with their owner', async () => {
    const n = names('delete');
    await redis.db().rpush(n.list, 'a', 'b');
    server.cluster.create(scaledJob(n.sj, n.list));
    await until(() => jobs(n.sj).length, (c) => c === 2, '2 Jobs');
    server.cluster.delete('keda.sh/v1alpha1', 'ScaledJob', 'default', n.sj);
    await until(() => sj(n.sj), (o) => o === undefined, 'the ScaledJob gone');
    await until(() => jobs(n.sj).length, (c) => c === 0, 'its Jobs collected');
    // Recorded after the finalizer is removed (as KEDA does), so it may land after the object is gone.
    await until(() => events(n.sj), (e) => e.includes('ScaledJobDeleted: ScaledJob was deleted'), 'the ScaledJobDeleted event');
    expect(operator.scaledJobs.controller.loop(`default/${n.sj}`)).toBeUndefined();
  });

  test("KEDA's Prometheus series for a ScaledJob (type=\"scaledjob\"), its errors counted, and gone with the object", async () => {
    const n = names('metrics');
    await redis.db().rpush(n.list, 'a', 'b');
    server.cluster.create(scaledJob(n.sj, n.list));
    await until(() => jobs(n.sj).length, (c) => c === 2, '2 Jobs');
    const labels = `namespace="default",metric="s0-redis-${n.list}",scaledObject="${n.sj}",scaler="redisScaler",triggerIndex="0",type="scaledjob"`;
    const text = await until(() => operator.metrics.registry.metrics(), (t) => t.includes(`keda_scaler_active{${labels}} 1`), 'the ScaledJob series');
    expect(text).toContain(`keda_scaler_metrics_value{${labels}} 2`);
    expect(text).toMatch(new RegExp(`keda_internal_scale_loop_latency_seconds\\{namespace="default",type="scaledjob",resource="${n.sj}"\\} \\d`));
    expect(text).toMatch(/keda_resource_registered_total\{type="scaled_job",namespace="default"\} [1-9]/);
    server.cluster.delete('keda.sh/v1alpha1', 'ScaledJob', 'default', n.sj);
    await until(() => sj(n.sj), (o) => o === undefined, 'the ScaledJob gone');
    await until(() => operator.metrics.registry.metrics(), (t) => !t.includes(`scaledObject="${n.sj}"`), 'its series gone');
    await redis.db().del(n.list);
  });

  test('rollout: a new generation deletes the running Jobs of the old one (default); gradual keeps them', async () => {
    const immediate = names('rollout');
    const gradual = names('gradual');
    await redis.db().rpush(immediate.list, 'a', 'b');
    await redis.db().rpush(gradual.list, 'a', 'b');
    server.cluster.create(scaledJob(immediate.sj, immediate.list, { spec: { maxReplicaCount: 2 } }));
    server.cluster.create(scaledJob(gradual.sj, gradual.list, { spec: { maxReplicaCount: 2, rollout: { strategy: 'gradual' } } }));
    await until(() => jobs(immediate.sj).length, (c) => c === 2, '2 Jobs');
    await until(() => jobs(gradual.sj).length, (c) => c === 2, '2 gradual Jobs');
    const oldImmediate = jobs(immediate.sj).map((j) => j.metadata.name);
    const oldGradual = jobs(gradual.sj).map((j) => j.metadata.name).sort();
    for (const name of [immediate.sj, gradual.sj]) {
      const current = sj(name) as KubeObject;
      const spec = current.spec as { jobTargetRef: { template: { spec: { containers: { image: string }[] } } } };
      (spec.jobTargetRef.template.spec.containers[0] as { image: string }).image = 'worker:2';
      server.cluster.update(current);
    }
    await until(() => jobs(immediate.sj), (js) => js.length === 2 && js.every((j) => !oldImmediate.includes(j.metadata.name)), 'the old Jobs replaced');
    expect(jobs(immediate.sj).map((j) => j.metadata.annotations?.['scaledjob.keda.sh/generation'])).toEqual(['2', '2']);
    expect(jobs(immediate.sj)[0]?.spec).toMatchObject({ template: { spec: { containers: [{ image: 'worker:2' }] } } });
    await until(() => operator.scaledJobs.controller.loop(`default/${gradual.sj}`)?.fingerprint, (f) => f === '2', 'the gradual loop on generation 2');
    await morePolls(gradual.sj, 2);
    expect(jobs(gradual.sj).map((j) => j.metadata.name).sort()).toEqual(oldGradual);
  });
});

describe('tide operator, ScaledJobs and TriggerAuthentications', () => {
  test('status.scaledjobs lists the ScaledJobs using an authentication; changing the authentication rebuilds their loop with the new credentials', async () => {
    const n = names('auth');
    const auth = `${n.sj}-auth`;
    const ta = (): KubeObject | undefined => server.cluster.get('keda.sh/v1alpha1', 'TriggerAuthentication', 'default', auth);
    // The Redis address comes from the authentication: first a port nothing listens on, then the real one.
    server.cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${n.sj}-secret`, namespace: 'default' }, data: { bad: Buffer.from('127.0.0.1:1').toString('base64'), good: Buffer.from('127.0.0.1:6379').toString('base64') } });
    const ref = (key: string): Record<string, unknown> => ({ secretTargetRef: [{ parameter: 'address', name: `${n.sj}-secret`, key }] });
    server.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: auth, namespace: 'default' }, spec: ref('bad') });
    await redis.db().rpush(n.list, 'a', 'b');
    server.cluster.create(scaledJob(n.sj, n.list, { trigger: { metadata: { listName: n.list, listLength: '1' }, authenticationRef: { name: auth } } }));
    await until(() => (ta()?.status as { scaledjobs?: string } | undefined)?.scaledjobs, (v) => v === n.sj, 'status.scaledjobs');
    expect((ta()?.status as { scaledobjects?: string } | undefined)?.scaledobjects).toBeUndefined();
    await until(() => condition(n.sj, 'Ready'), (c) => c?.reason === 'TriggerError', 'Ready=False TriggerError (unreachable address)');
    expect(jobs(n.sj)).toHaveLength(0);
    const loop = operator.scaledJobs.controller.loop(`default/${n.sj}`);
    expect(loop).toBeDefined();
    // A new generation of the authentication (the Secret itself is unchanged and not watched).
    const current = ta() as KubeObject;
    server.cluster.update({ ...current, spec: ref('good') });
    await until(() => jobs(n.sj).length, (c) => c === 2, '2 Jobs once the loop runs with the new address');
    expect(operator.scaledJobs.controller.loop(`default/${n.sj}`)).not.toBe(loop);
    expect(jobs(n.sj).map((j) => j.metadata.annotations?.['scaledjob.keda.sh/generation'])).toEqual(['1', '1']); // same generation: no rollout
    server.cluster.delete('keda.sh/v1alpha1', 'ScaledJob', 'default', n.sj);
    await until(() => ta()?.status as { scaledjobs?: string } | undefined, (st) => st?.scaledjobs === undefined, 'status.scaledjobs gone with its last user');
  }, 60_000);
});

describe('tide operator, broken ScaledJobs', () => {
  test('metricType on a ScaledJob trigger: Ready=False with KEDA\'s reason, Active=Unknown, a Warning event, no Jobs', async () => {
    const n = names('broken');
    await redis.db().rpush(n.list, 'a');
    server.cluster.create(scaledJob(n.sj, n.list, { trigger: { metricType: 'AverageValue' } }));
    const ready = await until(() => condition(n.sj, 'Ready'), (c) => c?.status === 'False', 'Ready=False');
    expect(ready).toMatchObject({ reason: 'ScaledJobCheckFailed' });
    expect(ready?.message).toBe("ScaledJob doesn't have correct specification: spec.triggers[0].metricType: must not be set on ScaledJob triggers (KEDA refuses the ScaledJob)");
    expect(condition(n.sj, 'Active')).toMatchObject({ status: 'Unknown', reason: 'UnknownState' });
    await until(() => events(n.sj), (e) => e.includes(`ScaledJobCheckFailed: ${ready?.message ?? ''}`), 'the event'); // events follow the status write
    expect(jobs(n.sj)).toHaveLength(0);
  });

  test('an unreachable trigger source: Ready=False TriggerError from the loop, no Jobs, the operator keeps running', async () => {
    const n = names('unreachable');
    server.cluster.create(scaledJob(n.sj, n.list, { trigger: { metadata: { address: '127.0.0.1:1', listName: n.list, listLength: '1' } } }));
    const ready = await until(() => condition(n.sj, 'Ready'), (c) => c?.reason === 'TriggerError', 'Ready=False TriggerError');
    expect(await operator.metrics.registry.metrics()).toMatch(new RegExp(`keda_scaled_job_errors_total\\{namespace="default",scaledJob="${n.sj}"\\} [1-9]`));
    expect(ready).toMatchObject({ status: 'False', message: 'Triggers defined in ScaledJob are not working correctly' });
    expect(condition(n.sj, 'Active')).toMatchObject({ status: 'False', reason: 'ScalerNotActive' });
    await morePolls(n.sj, 1);
    expect(jobs(n.sj)).toHaveLength(0);
  });

  test('a trigger tide cannot build: Ready=False naming the trigger and the parameter; fixing it recovers', async () => {
    const n = names('noscaler');
    await redis.db().rpush(n.list, 'a');
    server.cluster.create(scaledJob(n.sj, n.list, { trigger: { metadata: { address: '127.0.0.1:6379' } } }));
    const ready = await until(() => condition(n.sj, 'Ready'), (c) => c?.status === 'False', 'Ready=False');
    expect(ready?.message).toMatch(/^Failed to ensure ScaledJob is correctly created: trigger 0 \(redis\): metadata\.listName/);
    await until(() => events(n.sj), (all) => all.some((e) => e.startsWith('KEDAScalerFailed: trigger 0 (redis)')), 'the event');
    const current = sj(n.sj) as KubeObject;
    (current.spec as { triggers: Record<string, unknown>[] }).triggers[0] = { type: 'redis', metadata: { address: '127.0.0.1:6379', listName: n.list, listLength: '1' } };
    server.cluster.update(current);
    await until(() => condition(n.sj, 'Ready')?.status, (s) => s === 'True', 'Ready=True once fixed');
    await until(() => jobs(n.sj).length, (c) => c === 1, 'a Job');
  });
});
