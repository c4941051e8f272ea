import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call, eventually } from './http-client.js';

const DEP = '/apis/apps/v1/namespaces/default/deployments';
const HPA = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const EVENTS = '/api/v1/namespaces/default/events';

type Obj = Record<string, unknown>;
type Condition = { type: string; status: string; reason: string; message: string };

function deployment(name: string, replicas: number): Obj {
  return { metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
}

function hpa(name: string, target: string, metrics: Obj[], extra: Obj = {}): Obj {
  return { metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: 8, metrics, ...extra } };
}

function external(name: string, type: 'AverageValue' | 'Value', quantity: string, so = 'worker'): Obj {
  const target = type === 'AverageValue' ? { type, averageValue: quantity } : { type, value: quantity };
  return { type: 'External', external: { metric: { name, selector: { matchLabels: { 'scaledobject.keda.sh/name': so } } }, target } };
}

async function status(base: string, name: string): Promise<Obj & { conditions?: Condition[] }> {
  const r = await call(base, 'GET', `${HPA}/${name}`);
  return (r.body.status ?? {}) as Obj & { conditions?: Condition[] };
}

function condition(s: { conditions?: Condition[] }, type: string): Condition | undefined {
  return s.conditions?.find((c) => c.type === type);
}

async function specReplicas(base: string, name: string): Promise<number> {
  return ((await call(base, 'GET', `${DEP}/${name}`)).body.spec as { replicas: number }).replicas;
}

/** Waits until the HPA's status satisfies `check`. */
function statusWhere(base: string, name: string, check: (s: Obj & { conditions?: Condition[] }) => boolean, timeoutMs = 5000): Promise<Obj & { conditions?: Condition[] }> {
  return eventually(async () => {
    const s = await status(base, name);
    return check(s) ? s : undefined;
  }, timeoutMs);
}

describe('HPA controller with the external metrics API served by an APIService', () => {
  let s: FakeApiServer;
  let metrics: Server;
  let value = 100;
  const requests: string[] = [];
  let now = Date.parse('2025-03-01T10:00:00Z');

  beforeAll(async () => {
    // Stands in for KEDA's metrics adapter: an ExternalMetricValueList with two items that the HPA must sum.
    metrics = createServer((req, res) => {
      requests.push(req.url ?? '');
      const items = [Math.floor(value * 0.6), value - Math.floor(value * 0.6)].map((v) => ({ metricName: 's0-queue', metricLabels: null, timestamp: '2025-03-01T10:00:00Z', value: String(v) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items }));
    });
    await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', () => { r(); }));
    const port = (metrics.address() as AddressInfo).port;
    s = await startFakeApiServer({
      clock: () => now,
      hpaSyncPeriodMs: 20,
      serviceUrl: (ns, name, servicePort) => (ns === 'keda' && name === 'keda-operator-metrics-apiserver' && servicePort === 443 ? `http://127.0.0.1:${port}` : 'http://127.0.0.1:1'),
    });
    await call(s.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'keda' } });
    const apiService = await call(s.url, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      metadata: { name: 'v1beta1.external.metrics.k8s.io' },
      spec: { service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver', port: 443 }, group: 'external.metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
    });
    expect(apiService.status).toBe(201);
  });
  afterAll(async () => {
    await s.stop();
    metrics.closeAllConnections();
    metrics.close();
  });

  it('scales out within the scale-up policy, then to maxReplicas once the policy period has passed', async () => {
    await call(s.url, 'POST', DEP, deployment('worker', 1));
    const created = await call(s.url, 'POST', HPA, hpa('keda-hpa-worker', 'worker', [external('s0-queue', 'AverageValue', '10')], {
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    }));
    expect(created.status).toBe(201);
    // 100 / 10 wants 10 replicas; the default scale-up policy allows max(1 + 4 pods, 1 × 200%) = 5 per 15 s.
    const limited = await statusWhere(s.url, 'keda-hpa-worker', (x) => x.currentReplicas === 5 && x.currentMetrics !== undefined && JSON.stringify(x.currentMetrics).includes('"20"'));
    expect(await specReplicas(s.url, 'worker')).toBe(5);
    expect(limited).toMatchObject({
      desiredReplicas: 5,
      currentMetrics: [{ type: 'External', external: { metric: { name: 's0-queue', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'worker' } } }, current: { averageValue: '20' } } }],
      lastScaleTime: '2025-03-01T10:00:00Z',
    });
    expect(condition(limited, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'ReadyForNewScale' });
    expect(condition(limited, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from external metric s0-queue' });
    expect(condition(limited, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    expect(requests[0]).toBe('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-queue?labelSelector=scaledobject.keda.sh%2Fname%3Dworker');

    now += 16_000;
    const capped = await statusWhere(s.url, 'keda-hpa-worker', (x) => x.currentReplicas === 8);
    expect(await specReplicas(s.url, 'worker')).toBe(8);
    expect(capped).toMatchObject({ desiredReplicas: 8, lastScaleTime: '2025-03-01T10:00:16Z' });
    expect(condition(capped, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    const events = (await call(s.url, 'GET', `${EVENTS}?fieldSelector=involvedObject.name=keda-hpa-worker,reason=SuccessfulRescale`)).body.items ?? [];
    // Lists come in name order (random suffixes); the size says which rescale came first.
    expect(events.map((e) => e.message).sort()).toEqual(['New size: 5; reason: external metric s0-queue above target', 'New size: 8; reason: external metric s0-queue above target']);
  });

  it('holds a lower recommendation for the scale-down stabilization window, then scales in', async () => {
    value = 8;
    const held = await statusWhere(s.url, 'keda-hpa-worker', (x) => condition(x, 'AbleToScale')?.reason === 'ScaleDownStabilized');
    expect(held).toMatchObject({ currentReplicas: 8, desiredReplicas: 8 });
    expect(await specReplicas(s.url, 'worker')).toBe(8);
    now += 61_000;
    const scaledIn = await statusWhere(s.url, 'keda-hpa-worker', (x) => x.currentReplicas === 1);
    expect(await specReplicas(s.url, 'worker')).toBe(1);
    expect(scaledIn.desiredReplicas).toBe(1);
    expect(condition(scaledIn, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });
  });

  it('proxies GETs of the aggregated API to the APIService\'s Service, as kubectl get --raw sees them', async () => {
    const r = await call(s.url, 'GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-queue?labelSelector=scaledobject.keda.sh%2Fname%3Dworker');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'ExternalMetricValueList', items: [{ metricName: 's0-queue', value: '4' }, { metricName: 's0-queue', value: '4' }] });
    expect(requests[requests.length - 1]).toBe('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-queue?labelSelector=scaledobject.keda.sh%2Fname%3Dworker');
  });

  it('keeps the replica count and reports FailedGetExternalMetric when the metrics API is down', async () => {
    metrics.closeAllConnections();
    await new Promise<void>((r) => metrics.close(() => { r(); }));
    const failed = await statusWhere(s.url, 'keda-hpa-worker', (x) => condition(x, 'ScalingActive')?.status === 'False');
    expect(condition(failed, 'ScalingActive')).toMatchObject({ reason: 'FailedGetExternalMetric' });
    expect(condition(failed, 'ScalingActive')?.message).toMatch(/^the HPA was unable to compute the replica count: unable to get external metric s0-queue: unable to fetch metrics from external metrics API: the server is currently unable to handle the request \(get s0-queue\.external\.metrics\.k8s\.io\)/);
    expect(condition(failed, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' });
    expect(failed).toMatchObject({ currentReplicas: 1, desiredReplicas: 1, currentMetrics: [{ type: '' }] });
    expect(await specReplicas(s.url, 'worker')).toBe(1);
    const warned = await eventually(async () => {
      const items = (await call(s.url, 'GET', `${EVENTS}?fieldSelector=reason=FailedComputeMetricsReplicas`)).body.items ?? [];
      return items.length > 0 ? items : undefined;
    });
    expect(warned[0]).toMatchObject({ type: 'Warning', source: { component: 'horizontal-pod-autoscaler' }, involvedObject: { kind: 'HorizontalPodAutoscaler', name: 'keda-hpa-worker' } });
    const proxied = await call(s.url, 'GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-queue');
    expect(proxied).toMatchObject({ status: 503, body: { kind: 'Status', reason: 'ServiceUnavailable' } });
    expect(proxied.body.message).toMatch(/^error trying to reach service: connect ECONNREFUSED/);
  });
});

describe('HPA controller with an in-process metrics provider', () => {
  let s: FakeApiServer;
  const values = new Map<string, number[]>([['s0-value', [30]]]);

  beforeAll(async () => {
    s = await startFakeApiServer({
      hpaSyncPeriodMs: 20,
      externalMetrics: (_ns, name) => {
        const v = values.get(name);
        return v === undefined ? Promise.reject(new Error(`no metric ${name}`)) : Promise.resolve(v);
      },
    });
  });
  afterAll(async () => { await s.stop(); });

  it('a Value target multiplies the usage ratio by the ready pods (legacy limits without behavior)', async () => {
    await call(s.url, 'POST', DEP, deployment('byvalue', 2));
    await eventually(async () => ((await call(s.url, 'GET', `${DEP}/byvalue`)).body.status as Obj | undefined)?.readyReplicas === 2 || undefined);
    await call(s.url, 'POST', HPA, hpa('byvalue', 'byvalue', [external('s0-value', 'Value', '10')], { maxReplicas: 6 }));
    const done = await statusWhere(s.url, 'byvalue', (x) => x.currentReplicas === 6);
    expect(done).toMatchObject({ desiredReplicas: 6, currentMetrics: [{ type: 'External', external: { current: { value: '30' } } }] });
    expect(condition(done, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    const events = (await call(s.url, 'GET', `${EVENTS}?fieldSelector=involvedObject.name=byvalue,reason=SuccessfulRescale`)).body.items ?? [];
    // 30 / 10 × 2 ready pods = 6, but the legacy rule allows at most max(2 × 2, 4) = 4 in one step.
    expect(events.map((e) => e.message).sort()).toEqual(['New size: 4; reason: external metric s0-value above target', 'New size: 6; reason: external metric s0-value above target']);
    const raw = await call(s.url, 'GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-value?labelSelector=a%3Db');
    expect(raw.body).toMatchObject({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', items: [{ metricName: 's0-value', value: '30' }] });
  });

  it('a missing metric and an unserved cpu metric leave replicas alone with the first failure as ScalingActive', async () => {
    await call(s.url, 'POST', DEP, deployment('nometrics', 2));
    await call(s.url, 'POST', HPA, hpa('nometrics', 'nometrics', [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      external('s0-missing', 'AverageValue', '5'),
    ]));
    const failed = await statusWhere(s.url, 'nometrics', (x) => condition(x, 'ScalingActive') !== undefined);
    expect(condition(failed, 'ScalingActive')).toEqual(expect.objectContaining({
      status: 'False', reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
    }));
    expect(failed).toMatchObject({ currentReplicas: 2, desiredReplicas: 0, currentMetrics: [{ type: '' }, { type: '' }] });
    expect(await specReplicas(s.url, 'nometrics')).toBe(2);
  });

  it('replicas outside [min, max] go to the bound; 0 replicas disable scaling', async () => {
    await call(s.url, 'POST', DEP, deployment('bounds', 9));
    await call(s.url, 'POST', HPA, hpa('bounds', 'bounds', [external('s0-value', 'Value', '10')], { maxReplicas: 3 }));
    const capped = await statusWhere(s.url, 'bounds', (x) => x.desiredReplicas === 3);
    expect(capped).toMatchObject({ currentReplicas: 9 });
    expect(capped.currentMetrics).toBeUndefined();
    expect(await specReplicas(s.url, 'bounds')).toBe(3);
    await call(s.url, 'PATCH', `${DEP}/bounds/scale`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
    const disabled = await statusWhere(s.url, 'bounds', (x) => condition(x, 'ScalingActive')?.reason === 'ScalingDisabled');
    expect(disabled).toMatchObject({ desiredReplicas: 0 });
    expect(disabled.currentReplicas).toBeUndefined();
    expect(await specReplicas(s.url, 'bounds')).toBe(0);
  });

  it('a target that does not exist is AbleToScale False / FailedGetScale', async () => {
    await call(s.url, 'POST', HPA, hpa('orphan', 'nothere', [external('s0-value', 'Value', '10')]));
    const failed = await statusWhere(s.url, 'orphan', (x) => condition(x, 'AbleToScale') !== undefined);
    expect(condition(failed, 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale', message: 'the HPA controller was unable to get the target\'s current scale: deployments.apps "nothere" not found' });
  });
});

describe('HPA controller without an external metrics APIService', () => {
  let s: FakeApiServer;
  beforeAll(async () => { s = await startFakeApiServer({ hpaSyncPeriodMs: 20 }); });
  afterAll(async () => { await s.stop(); });

  it('reports that the aggregated API is not served', async () => {
    await call(s.url, 'POST', DEP, deployment('web', 2));
    await call(s.url, 'POST', HPA, hpa('web', 'web', [external('s0-queue', 'AverageValue', '5')]));
    const failed = await statusWhere(s.url, 'web', (x) => condition(x, 'ScalingActive') !== undefined);
    expect(condition(failed, 'ScalingActive')).toMatchObject({
      status: 'False', reason: 'FailedGetExternalMetric',
      message: 'the HPA was unable to compute the replica count: unable to get external metric s0-queue: unable to fetch metrics from external metrics API: the server could not find the requested resource (get s0-queue.external.metrics.k8s.io)',
    });
  });
});
