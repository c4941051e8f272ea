// The metrics adapter path end to end on the fake cluster: the operator (in-process) serves its scale
// loops' metrics over gRPC with mutual TLS; tide's metrics server (in-process, HTTPS) answers
// external.metrics.k8s.io for the HPA; the fake API server reaches it as kube-apiserver does, through
// the APIService → Service → Endpoints (no serviceUrl option, no annotation). A Redis list backlog
// scales a Deployment 0 → 1 (operator) → N (the fake's HPA on the adapter's value) → 0 after draining.
// The adapter authenticates the fake's front proxy and authorizes the HPA controller by
// SubjectAccessReview against the RBAC `tide kubernetes install` applies.
// Waits poll the cluster's state (no timed assertions).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rbac, serviceAccounts } from '../../src/deploy/install/rbac.js';
import { installOptions } from '../../src/deploy/install/options.js';
import { MetricsServiceClient } from '../../src/engine/metrics-service-grpc.js';
import { KubeApi } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { startDelegatingAuth, DEFAULT_DELEGATING_AUTH, type DelegatingAuth } from '../../src/metrics-server/delegating-auth.js';
import { loopMetricsService } from '../../src/engine/metrics-service.js';
import { caBundle, issueBundle, serviceDnsNames, type CertificateBundle } from '../../src/kube/certificates/issue.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import { subjectAccessReviewCount } from '../../src/kube/testing/reviews.js';
import { startMetricsApiServer, type MetricsApiServer } from '../../src/metrics-server/server.js';
import { startMetricsServiceServer, type MetricsServiceServer } from '../../src/operator/metrics-service-server.js';
import type { RunningOperator } from '../../src/operator/operator.js';
import { RedisFixture } from '../servers/redis.js';
import { operatorFor, waitFor } from './cluster.js';

const NS = 'keda';
const AUTHORITY = `keda-operator.${NS}.svc`;
let server: FakeApiServer;
let operator: RunningOperator;
let bundle: CertificateBundle;
let metricsService: MetricsServiceServer;
let client: MetricsServiceClient;
let adapter: MetricsApiServer;
let auth: DelegatingAuth;
const redis = new RedisFixture();
let seq = 0;

beforeAll(async () => {
  server = await startFakeApiServer({ hpaSyncPeriodMs: 100 });
  operator = await operatorFor(server);
  bundle = await issueBundle({ dnsNames: serviceDnsNames(NS, ['keda-operator', 'keda-metrics-apiserver']), now: new Date() });
  const tls = { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
  metricsService = await startMetricsServiceServer({
    address: { host: '127.0.0.1', port: 0 }, tls,
    service: loopMetricsService((namespace, name) => operator.controller.loops.get(`${namespace}/${name}`)?.loop),
  });
  client = new MetricsServiceClient({ address: `127.0.0.1:${metricsService.port}`, tls, authority: AUTHORITY });
  const api = new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
  auth = await startDelegatingAuth({ authentication: api, authorization: api }, DEFAULT_DELEGATING_AUTH);
  adapter = await startMetricsApiServer({ port: 0, host: '127.0.0.1', certificate: { cert: bundle.tlsCert, key: bundle.tlsKey }, service: client, authorize: auth.authorize });
  // What `tide kubernetes install` would apply, with the Endpoints a cluster would make for the adapter's pod.
  server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const install = installOptions({ version: 'test', namespace: NS });
  for (const manifest of [...serviceAccounts(install), ...rbac(install)]) server.cluster.create(manifest);
  server.cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'keda-metrics-apiserver', namespace: NS }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } });
  server.cluster.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'keda-metrics-apiserver', namespace: NS }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: adapter.port }] }] });
  server.cluster.create({
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.external.metrics.k8s.io' },
    spec: { service: { name: 'keda-metrics-apiserver', namespace: NS, port: 443 }, group: 'external.metrics.k8s.io', version: 'v1beta1', caBundle: caBundle(bundle), groupPriorityMinimum: 100, versionPriority: 100 },
  });
}, 60_000);

afterAll(async () => {
  await adapter.close();
  auth.stop();
  client.close();
  await metricsService.close();
  await operator.stop();
  await server.stop();
  await redis.close();
});

const until = <T>(read: () => T | Promise<T>, check: (value: T) => boolean, what: string): Promise<T> => waitFor(read, check, what, 30000);

function deployment(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'worker', image: 'worker:1' }] } } },
  };
}

function scaledObject(name: string, target: string, metadata: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: 'default' },
    spec: { scaleTargetRef: { name: target }, pollingInterval: 1, cooldownPeriod: 2, maxReplicaCount: 10, triggers: [{ type: 'redis', metadata }], ...spec },
  };
}

const replicas = (name: string): number | undefined => (server.cluster.get('apps/v1', 'Deployment', 'default', name)?.spec as { replicas?: number } | undefined)?.replicas;
const hpaStatus = (so: string): Record<string, unknown> | undefined => server.cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', `keda-hpa-${so}`)?.status as Record<string, unknown> | undefined;

/** GET through the fake API server's aggregation proxy, as `kubectl get --raw` does. */
async function raw(metric: string, selector: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/apis/external.metrics.k8s.io/v1beta1/namespaces/default/${encodeURIComponent(metric)}?labelSelector=${encodeURIComponent(selector)}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function names(prefix: string): { app: string; so: string; list: string } {
  seq++;
  return { app: `${prefix}-app-${seq}`, so: `${prefix}-so-${seq}`, list: redis.key(0, 'tide-adapter') };
}

describe('metrics adapter on the fake cluster', () => {
  test('a backlog scales 0 → 1 (operator) → N (HPA through APIService → Service → Endpoints → adapter → operator) → 0 after draining', async () => {
    const n = names('e2e');
    server.cluster.create(deployment(n.app));
    server.cluster.create(scaledObject(n.so, n.app, { address: '127.0.0.1:6379', listName: n.list, listLength: '5' }));
    await until(() => operator.controller.loops.get(`default/${n.so}`), (l) => l !== undefined, 'the scale loop');
    await redis.db().rpush(n.list, ...Array.from({ length: 23 }, (_, i) => `m${i}`));
    await until(() => replicas(n.app), (r) => r !== undefined && r >= 1, '0 → 1');
    // 23 items / 5 per replica → 5 replicas; only the HPA goes past 1 in keda mode.
    await until(() => replicas(n.app), (r) => r === 5, '1 → 5 by the HPA');
    // The HPA's status catches up with the 5 ready pods on a later sync.
    const status = await until(() => hpaStatus(n.so), (st) => JSON.stringify(st?.currentMetrics).includes('"4600m"'), 'currentMetrics over 5 replicas');
    expect(status?.currentMetrics).toEqual([{ type: 'External', external: { metric: { name: `s0-redis-${n.list}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': n.so } } }, current: { averageValue: '4600m' } } }]);
    expect(status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' })]));
    // The HPA controller was let in by a SubjectAccessReview (keda-hpa-controller-external-metrics), not waved through.
    expect(subjectAccessReviewCount(server.cluster)).toBeGreaterThan(0);

    // What the HPA read, through the same proxy: KEDA's list shape and Quantity string; the name in any case.
    const got = await raw(`s0-redis-${n.list}`.toUpperCase(), `scaledobject.keda.sh/name=${n.so}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items: [{ metricName: `s0-redis-${n.list}`, metricLabels: null, value: '23' }] });
    expect((got.body.items as { timestamp: string }[])[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await redis.db().del(n.list);
    await until(() => replicas(n.app), (r) => r === 0, '→ 0 after the cooldown');
  });

  test('discovery of external.metrics.k8s.io/v1beta1 through the proxy', async () => {
    const res = await fetch(`${server.url}/apis/external.metrics.k8s.io/v1beta1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'external.metrics.k8s.io/v1beta1',
      resources: [{ name: 'externalmetric', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }],
    });
  });

  test('unknown metric, missing ScaledObject, no ScaledObject in the selector: Status errors', async () => {
    const n = names('errors');
    server.cluster.create(deployment(n.app));
    server.cluster.create(scaledObject(n.so, n.app, { address: '127.0.0.1:6379', listName: n.list, listLength: '5' }));
    await until(() => operator.controller.loops.get(`default/${n.so}`), (l) => l !== undefined, 'the scale loop');

    const unknown = await raw('s9-nope', `scaledobject.keda.sh/name=${n.so}`);
    expect(unknown).toMatchObject({ status: 404, body: { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'no matching metrics found for s9-nope' } });
    const missing = await raw(`s0-redis-${n.list}`, 'scaledobject.keda.sh/name=does-not-exist');
    expect(missing).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound', code: 404 } });
    expect(missing.body.message).toContain('ScaledObject default/does-not-exist');
    const noSelector = await raw(`s0-redis-${n.list}`, 'app=web');
    expect(noSelector).toMatchObject({ status: 400, body: { kind: 'Status', reason: 'BadRequest', code: 400 } });
  });

  test('a scaler error is a 500 with the scaler\'s message and no secret; past the threshold the fallback value (replicas × target)', async () => {
    const n = names('failing');
    const secret = 'hunter2-do-not-print';
    server.cluster.create(deployment(n.app));
    server.cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: n.so, namespace: 'default' }, stringData: { password: secret } });
    server.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: n.so, namespace: 'default' }, spec: { secretTargetRef: [{ parameter: 'password', name: n.so, key: 'password' }] } });
    const failing = scaledObject(n.so, n.app, { address: '127.0.0.1:1', listName: n.list, listLength: '5' });
    ((failing.spec as { triggers: Record<string, unknown>[] }).triggers[0] ?? {}).authenticationRef = { name: n.so };
    server.cluster.create(failing);
    await until(() => operator.controller.loops.get(`default/${n.so}`), (l) => l !== undefined, 'the scale loop');
    const error = await raw(`s0-redis-${n.list}`, `scaledobject.keda.sh/name=${n.so}`);
    expect(error).toMatchObject({ status: 500, body: { kind: 'Status', reason: 'InternalError', code: 500 } });
    expect(error.body.message).toContain(`s0-redis-${n.list}`);
    expect(JSON.stringify(error.body)).not.toContain(secret);

    const withFallback = names('fallback');
    server.cluster.create(deployment(withFallback.app));
    server.cluster.create(scaledObject(withFallback.so, withFallback.app, { address: '127.0.0.1:1', listName: withFallback.list, listLength: '5' }, { fallback: { failureThreshold: 1, replicas: 3 } }));
    await until(() => operator.controller.loops.get(`default/${withFallback.so}`), (l) => l !== undefined, 'the scale loop');
    // Every fetch counts: once past one failure, the HPA is served 3 × 5.
    const served = await until(() => raw(`s0-redis-${withFallback.list}`, `scaledobject.keda.sh/name=${withFallback.so}`), (r) => r.status === 200, 'the fallback value');
    expect(served.body).toMatchObject({ items: [{ metricName: `s0-redis-${withFallback.list}`, value: '15' }] });
  });

  test('the metrics service refuses a client whose certificate the shared CA did not sign', async () => {
    const other = await issueBundle({ dnsNames: serviceDnsNames(NS, ['keda-metrics-apiserver']), now: new Date() });
    const stranger = new MetricsServiceClient({ address: `127.0.0.1:${metricsService.port}`, tls: { ca: bundle.caCert, cert: other.tlsCert, key: other.tlsKey }, authority: AUTHORITY, timeoutMs: 1000 });
    try {
      await expect(stranger.getMetrics({ namespace: 'default', name: 'x', metricName: 's0-x' })).rejects.toMatchObject({ code: 'Unavailable' });
    } finally {
      stranger.close();
    }
  });
});
