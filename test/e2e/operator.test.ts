// tide operator end to end on the fake API server — or on the cluster TIDE_TEST_KUBECONFIG names (the
// same tests, through the API only; see test-cluster.ts): a Deployment and a ScaledObject with a Redis
// list trigger on the machine's Redis; the operator runs in-process against the cluster. Waits poll the
// cluster's state (no timed assertions).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import type { RunningOperator } from '../../src/operator/operator.js';
import { RedisFixture } from '../servers/redis.js';
import { operatorFor, waitFor } from './cluster.js';
import { REAL_CLUSTER, startTestCluster, type TestCluster } from './test-cluster.js';

let cluster: TestCluster;
let operator: RunningOperator;
const redis = new RedisFixture();
let seq = 0;

beforeAll(async () => {
  cluster = await startTestCluster({ hpaSyncPeriodMs: 100 });
  operator = await operatorFor(cluster);
});

afterAll(async () => {
  await operator.stop();
  await cluster.stop();
  await redis.close();
});

const until = <T>(read: () => T | Promise<T>, check: (value: T) => boolean, what: string): Promise<T> => waitFor(read, check, what, 20000);

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'worker', image: 'worker:1' }] } } },
  };
}

function scaledObject(name: string, target: string, list: string, extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject',
    metadata: { name, namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      scaleTargetRef: { name: target }, pollingInterval: 1, cooldownPeriod: 2, maxReplicaCount: 10,
      triggers: [{ type: 'redis', metadata: { address: '127.0.0.1:6379', listName: list, listLength: '5' } }],
      ...extra.spec,
    },
  };
}

const so = (name: string): Promise<KubeObject | undefined> => cluster.get('keda.sh/v1alpha1', 'ScaledObject', 'default', name);
const replicas = async (name: string): Promise<number | undefined> => ((await cluster.get('apps/v1', 'Deployment', 'default', name))?.spec as { replicas?: number } | undefined)?.replicas;
const hpa = (name: string): Promise<KubeObject | undefined> => cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', name);
const condition = async (name: string, type: string): Promise<{ status?: string; reason?: string; message?: string } | undefined> =>
  (((await so(name))?.status as { conditions?: { type: string; status?: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
const events = async (name: string): Promise<string[]> =>
  (await cluster.list('v1', 'Event', 'default')).filter((e) => (e.involvedObject as { name?: string }).name === name).map((e) => `${String(e.reason)}: ${String(e.message)}`);

/** A suffix per run: a real cluster keeps what an earlier run left behind. */
const RUN = Math.random().toString(36).slice(2, 6);

function names(prefix: string): { app: string; so: string; list: string } {
  seq++;
  return { app: `${prefix}-app-${seq}-${RUN}`, so: `${prefix}-so-${seq}-${RUN}`, list: redis.key(0, 'tide-operator') };
}

describe('tide operator, keda mode', () => {
  test('a backlog scales 0 → 1 and the HPA keda-hpa-<name> carries KEDA\'s metric and selector; drained, back to 0 after the cooldown', async () => {
    const n = names('keda');
    await cluster.create(deployment(n.app, 0));
    await cluster.create(scaledObject(n.so, n.app, n.list));
    await until(async () => (await condition(n.so, 'Ready'))?.status, (s) => s === 'True', 'Ready=True');
    // Ready may come from the loop's first poll a moment before the reconcile writes the rest of status.
    const object = await until(() => so(n.so), (o) => (o?.status as { hpaName?: string } | undefined)?.hpaName !== undefined, 'the status written');
    expect(object?.metadata.finalizers).toEqual(['finalizer.keda.sh']);
    expect(object?.metadata.labels).toMatchObject({ 'scaledobject.keda.sh/name': n.so });
    expect(object?.status).toMatchObject({
      scaleTargetKind: 'apps/v1.Deployment',
      scaleTargetGVKR: { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' },
      originalReplicaCount: 0,
      externalMetricNames: [`s0-redis-${n.list}`],
      hpaName: `keda-hpa-${n.so}`,
      triggersTypes: 'redis',
    });
    const made = await until(() => hpa(`keda-hpa-${n.so}`), (h) => h !== undefined, 'the HPA');
    expect(made?.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n.app },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'External', external: { metric: { name: `s0-redis-${n.list}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': n.so } } }, target: { type: 'AverageValue', averageValue: '5' } } }],
    });
    expect(made?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'keda-operator', 'app.kubernetes.io/part-of': n.so, 'app.kubernetes.io/name': `keda-hpa-${n.so}` });
    expect(made?.metadata.ownerReferences).toMatchObject([{ kind: 'ScaledObject', name: n.so, controller: true, blockOwnerDeletion: true }]);

    await redis.db().rpush(n.list, 'a', 'b', 'c');
    await until(() => replicas(n.app), (r) => r === 1, '0 → 1');
    await until(async () => (await condition(n.so, 'Active'))?.reason, (r) => r === 'ScalerActive', 'Active=True');
    expect(await replicas(n.app)).toBe(1); // the operator itself never goes past 1 in keda mode
    await redis.db().del(n.list);
    await until(() => replicas(n.app), (r) => r === 0, '1 → 0 after the cooldown');
    // The event follows the /scale write.
    await until(() => events(n.so), (e) => e.some((x) => x.startsWith('KEDAScaleTargetDeactivated')), 'the deactivation event');
    const expected = [
      'KEDAScalersStarted: Scaler redis is built.',
      'KEDAScalersStarted: Started scalers watch',
      'ScaledObjectReady: ScaledObject is ready for scaling',
      `KEDAScaleTargetActivated: Scaled apps/v1.Deployment default/${n.app} from 0 to 1, triggered by s0-redis-${n.list}`,
      `KEDAScaleTargetDeactivated: Deactivated apps/v1.Deployment default/${n.app} from 1 to 0`,
    ];
    await until(() => events(n.so), (e) => expected.every((x) => e.includes(x)), 'the events');
    expect(((await so(n.so))?.status as { lastActiveTime?: string }).lastActiveTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("KEDA's Prometheus metrics: the trigger's value and activity, what is registered; the series go with the object", async () => {
    const n = names('metrics');
    await cluster.create(deployment(n.app, 0));
    await cluster.create(scaledObject(n.so, n.app, n.list));
    await redis.db().rpush(n.list, 'a', 'b', 'c');
    await until(() => replicas(n.app), (r) => r === 1, '0 → 1');
    const labels = `namespace="default",metric="s0-redis-${n.list}",scaledObject="${n.so}",scaler="redisScaler",triggerIndex="0",type="scaledobject"`;
    // The decision (and its metrics) is recorded after the /scale write: wait for the series.
    let text = '';
    for (let i = 0; i < 100 && !text.includes(`keda_scaler_active{${labels}} 1`); i++) {
      text = await operator.metrics.registry.metrics();
      if (!text.includes(`keda_scaler_active{${labels}} 1`)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toContain(`keda_scaler_metrics_value{${labels}} 3`);
    expect(text).toContain(`keda_scaler_active{${labels}} 1`);
    expect(text).toMatch(/keda_resource_registered_total\{type="scaled_object",namespace="default"\} [1-9]/);
    expect(text).toMatch(/keda_trigger_registered_total\{type="redis"\} [1-9]/);
    expect(text).toMatch(/keda_build_info\{version="test",/);
    expect(text).toMatch(new RegExp(`keda_scaler_metrics_latency_seconds\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\} \\d`));
    expect(text).toMatch(new RegExp(`keda_internal_scale_loop_latency_seconds\\{namespace="default",type="scaledobject",resource="${n.so}"\\} \\d`));
    expect(text).toContain(`keda_scaled_object_paused{namespace="default",scaledObject="${n.so}"} 0`);
    await cluster.delete('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so);
    await until(() => so(n.so), (o) => o === undefined, 'the ScaledObject gone');
    expect(await operator.metrics.registry.metrics()).not.toContain(`scaledObject="${n.so}"`);
    await redis.db().del(n.list);
  });

  test('delete restores the original replicas and removes the finalizer; the HPA goes with its owner', async () => {
    const n = names('del');
    await cluster.create(deployment(n.app, 3));
    await cluster.create(scaledObject(n.so, n.app, n.list, { spec: { advanced: { restoreToOriginalReplicaCount: true } } }));
    await until(() => replicas(n.app), (r) => r === 0, 'scaled to 0 (no backlog, no initial cooldown)');
    expect(((await so(n.so))?.status as { originalReplicaCount?: number }).originalReplicaCount).toBe(3);
    await cluster.delete('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so);
    await until(() => so(n.so), (o) => o === undefined, 'the ScaledObject gone');
    expect(await replicas(n.app)).toBe(3);
    await until(() => hpa(`keda-hpa-${n.so}`), (h) => h === undefined, 'the HPA collected');
  });

  test('paused-replicas pins the target and deletes the HPA; removing it resumes with Paused=False', async () => {
    const n = names('pause');
    await cluster.create(deployment(n.app, 0));
    await cluster.create(scaledObject(n.so, n.app, n.list, { annotations: { 'autoscaling.keda.sh/paused-replicas': '2' } }));
    await until(() => replicas(n.app), (r) => r === 2, 'pinned at 2');
    await until(async () => (await condition(n.so, 'Paused'))?.reason, (r) => r === 'ScaledObjectPaused', 'Paused=True');
    expect(((await so(n.so))?.status as { pausedReplicaCount?: number }).pausedReplicaCount).toBe(2);
    expect(await hpa(`keda-hpa-${n.so}`)).toBeUndefined();
    const paused = `keda_scaled_object_paused{namespace="default",scaledObject="${n.so}"}`;
    expect(await operator.metrics.registry.metrics()).toContain(`${paused} 1`);
    await cluster.modify('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so, (o) => ({ ...o, metadata: { ...o.metadata, annotations: {} } }));
    await until(async () => (await condition(n.so, 'Paused'))?.reason, (r) => r === 'ScaledObjectUnpaused', 'Paused=False');
    await until(() => hpa(`keda-hpa-${n.so}`), (h) => h !== undefined, 'the HPA back');
    await until(() => replicas(n.app), (r) => r === 0, 'scaled in once unpaused');
    expect(((await so(n.so))?.status as { pausedReplicaCount?: number }).pausedReplicaCount).toBeUndefined();
    expect(await operator.metrics.registry.metrics()).toContain(`${paused} 0`);
  });
});

describe('tide operator, HPAActive', () => {
  // A fake of its own whose external metrics API fails on demand: not something a real cluster offers.
  test.skipIf(REAL_CLUSTER)("HPAActive mirrors the HPA's ScalingActive: ScalingDisabled at 0, HPAActive while it reads its metric, HPAMetricsUnavailable when it cannot; Ready stays True", async () => {
    // A cluster of its own whose external metrics API answers from here, so the HPA's reads can fail on demand.
    let failing = false;
    const own = await startFakeApiServer({
      hpaSyncPeriodMs: 100,
      externalMetrics: () => (failing ? Promise.reject(new Error('metrics backend down')) : Promise.resolve(['3'])),
    });
    const ownOperator = await operatorFor(own);
    try {
      const n = names('hpaactive');
      const hpaActive = (): { status?: string; reason?: string; message?: string } | undefined =>
        ((own.cluster.get('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so)?.status as { conditions?: { type: string; status?: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'HPAActive');
      const ready = (): string | undefined =>
        ((own.cluster.get('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so)?.status as { conditions?: { type: string; status?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready')?.status;
      own.cluster.create(deployment(n.app, 0));
      own.cluster.create(scaledObject(n.so, n.app, n.list));
      const idle = await until(hpaActive, (c) => c?.reason === 'ScalingDisabled', 'HPAActive=True ScalingDisabled (target at 0)');
      expect(idle).toEqual({ type: 'HPAActive', status: 'True', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });

      await redis.db().rpush(n.list, 'a', 'b', 'c');
      const active = await until(hpaActive, (c) => c?.reason === 'HPAActive', 'HPAActive=True once the HPA reads its metric');
      expect(active).toEqual({ type: 'HPAActive', status: 'True', reason: 'HPAActive' });

      failing = true;
      const unavailable = await until(hpaActive, (c) => c?.status === 'False', 'HPAActive=False');
      expect(unavailable?.reason).toBe('HPAMetricsUnavailable');
      expect(unavailable?.message).toMatch(/^FailedGetExternalMetric: .*metrics backend down/);
      expect(ready()).toBe('True'); // KEDA keeps the HPA's health out of Ready

      failing = false;
      await until(hpaActive, (c) => c?.reason === 'HPAActive', 'HPAActive=True again');
      await redis.db().del(n.list);
    } finally {
      await ownOperator.stop();
      await own.stop();
    }
  });
});

describe('tide operator, direct mode', () => {
  test('autoscaling.tide.dev/mode: direct scales 0 → N → 0 itself, with no HPA', async () => {
    const n = names('direct');
    await cluster.create(deployment(n.app, 0));
    await cluster.create(scaledObject(n.so, n.app, n.list, { annotations: { 'autoscaling.tide.dev/mode': 'direct' } }));
    await until(async () => (await condition(n.so, 'Ready'))?.status, (s) => s === 'True', 'Ready=True');
    await redis.db().rpush(n.list, ...Array.from({ length: 23 }, (_, i) => `m${i}`));
    await until(() => replicas(n.app), (r) => r === 5, '0 → 5 (ceil 23 / 5)');
    expect(await hpa(`keda-hpa-${n.so}`)).toBeUndefined();
    expect(((await so(n.so))?.status as { hpaName?: string }).hpaName).toBeUndefined();
    await redis.db().del(n.list);
    await until(() => replicas(n.app), (r) => r === 0, 'back to 0');
  });
});

describe('tide operator, fallback', () => {
  test('the broker goes away: past failureThreshold the target runs fallback.replicas with Fallback=True; back, the metric rules again', async () => {
    // Redis through a proxy this test can cut and bring back on the same port, as a broker that goes away.
    const sockets = new Set<Socket>();
    const listen = async (port: number): Promise<Server> => {
      const proxy = createServer((client) => {
        const upstream = connect(6379, '127.0.0.1');
        for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => { r(); }));
      return proxy;
    };
    const cut = (proxy: Server): void => {
      proxy.close();
      for (const s of sockets) s.destroy();
    };
    let proxy = await listen(0);
    const port = (proxy.address() as AddressInfo).port;
    const n = names('fallback');
    try {
      await cluster.create(deployment(n.app, 0));
      const object = scaledObject(n.so, n.app, n.list, { annotations: { 'autoscaling.tide.dev/mode': 'direct' }, spec: { fallback: { failureThreshold: 2, replicas: 3 } } });
      (object.spec as { triggers: unknown[] }).triggers[0] = { type: 'redis', metadata: { address: `127.0.0.1:${port}`, listName: n.list, listLength: '5' } };
      await cluster.create(object);
      await redis.db().rpush(n.list, ...Array.from({ length: 7 }, (_, i) => `m${i}`));
      await until(() => replicas(n.app), (r) => r === 2, '0 → 2 (ceil 7 / 5) while the broker answers');
      cut(proxy);
      const fallback = await until(() => condition(n.so, 'Fallback'), (c) => c?.status === 'True', 'Fallback=True');
      expect(fallback?.reason).toBe('FallbackExists');
      await until(() => replicas(n.app), (r) => r === 3, 'fallback.replicas');
      const health = async (): Promise<unknown> => ((await so(n.so))?.status as { health?: Record<string, unknown> } | undefined)?.health?.[`s0-redis-${n.list}`];
      expect(await health()).toMatchObject({ status: 'Failing' });
      expect(((await health()) as { numberOfFailures: number }).numberOfFailures).toBeGreaterThan(2);
      proxy = await listen(port);
      await until(() => condition(n.so, 'Fallback'), (c) => c?.status === 'False', 'Fallback=False once the broker is back');
      await until(health, (h) => JSON.stringify(h) === JSON.stringify({ numberOfFailures: 0, status: 'Happy' }), 'status.health Happy again');
      // The metric rules again (scale-in from 3 would wait out the HPA's 300 s stabilization: scale out).
      await redis.db().rpush(n.list, ...Array.from({ length: 13 }, (_, i) => `n${i}`));
      await until(() => replicas(n.app), (r) => r === 4, 'the metric again (20 items: 4)');
    } finally {
      cut(proxy);
      await redis.db().del(n.list);
    }
  }, 60_000);
});

describe('tide operator, bad input', () => {
  test('a missing target: Ready=False with KEDA\'s reason and a message naming it, a Warning event, no HPA; creating the target recovers', async () => {
    const n = names('missing');
    await cluster.create(scaledObject(n.so, n.app, n.list));
    const ready = await until(() => condition(n.so, 'Ready'), (c) => c?.status === 'False', 'Ready=False');
    expect(ready).toMatchObject({ reason: 'ScaledObjectCheckFailed' });
    expect(ready?.message).toBe(`ScaledObject doesn't have correct scaleTargetRef specification: Target resource doesn't exist (deployments.apps "${n.app}" not found in namespace default)`);
    expect(await condition(n.so, 'Active')).toMatchObject({ status: 'Unknown', reason: 'UnknownState' });
    await until(() => events(n.so), (e) => e.includes(`ScaledObjectCheckFailed: ${ready?.message ?? ''}`), 'the event'); // events follow the status write
    expect(await hpa(`keda-hpa-${n.so}`)).toBeUndefined();
    await cluster.create(deployment(n.app, 0));
    await until(async () => (await condition(n.so, 'Ready'))?.status, (s) => s === 'True', 'Ready=True after the retry');
  });

  test('a TriggerAuthentication naming a missing Secret key: Ready=False naming the key, never a secret value', async () => {
    const n = names('auth');
    await cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${n.so}-secret`, namespace: 'default' }, data: { other: Buffer.from('s3cr3t-value').toString('base64') } });
    await cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: `${n.so}-auth`, namespace: 'default' }, spec: { secretTargetRef: [{ parameter: 'password', name: `${n.so}-secret`, key: 'password' }] } });
    await cluster.create(deployment(n.app, 0));
    const object = scaledObject(n.so, n.app, n.list);
    (object.spec as { triggers: Record<string, unknown>[] }).triggers[0] = { type: 'redis', metadata: { address: '127.0.0.1:6379', listName: n.list }, authenticationRef: { name: `${n.so}-auth` } };
    await cluster.create(object);
    const ready = await until(() => condition(n.so, 'Ready'), (c) => c?.status === 'False', 'Ready=False');
    expect(ready?.message).toContain(`secret "default/${n.so}-secret" has no key "password"`);
    // The event is written after the status.
    await until(() => events(n.so), (e) => e.some((x) => x.startsWith('KEDAScalerFailed: ')), 'the KEDAScalerFailed event');
    expect(JSON.stringify([await so(n.so), await cluster.list('v1', 'Event', 'default')])).not.toContain('s3cr3t-value');
    expect(await operator.metrics.registry.metrics()).toMatch(/keda_resource_registered_total\{type="trigger_authentication",namespace="default"\} [1-9]/);
    // The retries with back-off pick up the fixed Secret (KEDA does not watch Secrets either).
    await cluster.modify('v1', 'Secret', 'default', `${n.so}-secret`, (secret) => ({ ...secret, data: { password: Buffer.from('').toString('base64') } }));
    await until(() => condition(n.so, 'Ready'), (c) => c?.status === 'True', 'Ready=True once the key exists');
  });

  test('two ScaledObjects on one Deployment: the newer fails its check in the webhook\'s words, the older keeps scaling; deleting the older lets the newer take over', async () => {
    const n = names('twice');
    const second = `${n.so}-second`;
    await cluster.create(deployment(n.app, 0));
    await cluster.create(scaledObject(n.so, n.app, n.list));
    await until(async () => (await condition(n.so, 'Ready'))?.status, (s) => s === 'True', 'the first Ready=True');
    await cluster.create(scaledObject(second, n.app, n.list));
    const refused = await until(() => condition(second, 'Ready'), (c) => c?.status === 'False', 'the second Ready=False');
    expect(refused?.message).toBe(`ScaledObject doesn't have correct scaleTargetRef specification: the workload '${n.app}' of type 'apps/v1.Deployment' is already managed by the ScaledObject '${n.so}'`);
    expect(await hpa(`keda-hpa-${second}`)).toBeUndefined();
    expect((await condition(n.so, 'Ready'))?.status).toBe('True');
    await cluster.delete('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so);
    await until(async () => (await condition(second, 'Ready'))?.status, (s) => s === 'True', 'the second Ready=True once the first is gone');
  });

  test('an HPA of someone else on the target: Ready=False naming it, and no HPA of ours', async () => {
    const n = names('foreign');
    await cluster.create(deployment(n.app, 1));
    await cluster.create({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: `${n.app}-manual`, namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n.app }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    });
    await cluster.create(scaledObject(n.so, n.app, n.list));
    const refused = await until(() => condition(n.so, 'Ready'), (c) => c?.status === 'False', 'Ready=False');
    expect(refused?.message).toBe(`ScaledObject doesn't have correct scaleTargetRef specification: the workload '${n.app}' of type 'apps/v1.Deployment' is already managed by the hpa '${n.app}-manual'`);
    expect(await hpa(`keda-hpa-${n.so}`)).toBeUndefined();
    expect(await replicas(n.app)).toBe(1);
  });
});

describe('tide operator, taking over from KEDA', () => {
  // A cluster where KEDA ran: the ScaledObject and the HPA KEDA made for it exist before tide starts.
  test.skipIf(REAL_CLUSTER)('the HPA KEDA made is adopted and updated in place (same object, no gap), and the ScaledObject keeps scaling', async () => {
    const own = await startFakeApiServer({ hpaSyncPeriodMs: 100 });
    try {
      const n = names('takeover');
      own.cluster.create(deployment(n.app, 1));
      const so = own.cluster.create({ ...scaledObject(n.so, n.app, n.list), metadata: { name: n.so, namespace: 'default', finalizers: ['finalizer.keda.sh'], labels: { 'scaledobject.keda.sh/name': n.so } } });
      const kedas = own.cluster.create({
        apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
        metadata: {
          name: `keda-hpa-${n.so}`, namespace: 'default',
          labels: { 'app.kubernetes.io/managed-by': 'keda-operator', 'app.kubernetes.io/name': `keda-hpa-${n.so}`, 'app.kubernetes.io/part-of': n.so, 'app.kubernetes.io/version': '2.16.0', 'scaledobject.keda.sh/name': n.so },
          ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: n.so, uid: so.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n.app }, minReplicas: 1, maxReplicas: 10,
          metrics: [{ type: 'External', external: { metric: { name: `s0-redis-${n.list}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': n.so } } }, target: { type: 'AverageValue', averageValue: '5' } } }],
        },
      });
      const tide = await operatorFor(own);
      try {
        const read = (): KubeObject | undefined => own.cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', `keda-hpa-${n.so}`);
        const adopted = await until(read, (h) => h?.metadata.labels?.['app.kubernetes.io/version'] === 'test', "the HPA carrying tide's labels");
        expect(adopted?.metadata.uid).toBe(kedas.metadata.uid);
        const ready = (): string | undefined => ((own.cluster.get('keda.sh/v1alpha1', 'ScaledObject', 'default', n.so)?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready')?.status;
        await until(ready, (s) => s === 'True', 'Ready=True'); // written after the HPA
        expect(read()?.metadata.uid).toBe(kedas.metadata.uid);
      } finally {
        await tide.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
