// The admission webhook over real HTTPS with AdmissionReview bodies, its cluster lookups answered by
// the in-repo fake API server (real HTTP) through the same KubeApi-based implementation as in a cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApi } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { issueBundle, serviceDnsNames, type CertificateBundle } from '../../src/kube/certificates/issue.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import { KubeWebhookCluster } from '../../src/webhooks/kube-cluster.js';
import { startWebhookServer, type WebhookServer } from '../../src/webhooks/server.js';
import { post, review } from './helpers.js';

const SO_PATH = '/validate-keda-sh-v1alpha1-scaledobject';
const NS = 'apps';

let api: FakeApiServer;
let webhook: WebhookServer;
let certs: CertificateBundle;

const cron = { type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' } };
const cpu = { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } };

function scaledObject(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: NS, ...metadata }, spec };
}

function deployment(name: string, resources?: Record<string, unknown>): KubeObject {
  const container = { name: 'main', image: 'nginx', ...(resources !== undefined ? { resources } : {}) };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'sidecar', image: 'envoy', resources: { requests: { cpu: '10m', memory: '16Mi' } } }, container] } } },
  };
}

function hpa(name: string, target: string, metadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: NS, ...metadata },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: 5 },
  };
}

const admit = async (object: Record<string, unknown>, options: Parameters<typeof review>[1] = {}, path = SO_PATH) => {
  const { uid, body } = review(object, options);
  const answer = await post(webhook.port, certs.caCert, path, body);
  expect(answer.httpStatus).toBe(200);
  expect(answer.body.apiVersion).toBe('admission.k8s.io/v1');
  expect(answer.body.kind).toBe('AdmissionReview');
  expect(answer.body.response.uid).toBe(uid);
  return answer.body.response;
};

beforeAll(async () => {
  api = await startFakeApiServer({ builtinControllers: false });
  const cluster = api.cluster;
  // The fake serves no LimitRange (core/v1); register one for these tests through its registry.
  const configMaps = cluster.registry.lookup('', 'v1', 'configmaps');
  if (configMaps === undefined) throw new Error('the fake serves no ConfigMaps');
  cluster.registry.setCrdTypes('test.limitranges', [{ ...configMaps, kind: 'LimitRange', listKind: 'LimitRangeList', resource: 'limitranges', singular: 'limitrange', shortNames: ['limits'], crd: 'test.limitranges' }]);
  for (const ns of [NS, 'limited']) cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  cluster.create(deployment('app'));
  cluster.create(deployment('web'));
  cluster.create(deployment('cpu-app'));
  cluster.create(deployment('cpu-ok', { requests: { cpu: '100m' } }));
  cluster.create(deployment('cpu-limit-only', { limits: { cpu: '1' } }));
  cluster.create(scaledObject('first', { scaleTargetRef: { name: 'app' }, triggers: [cron] }) as KubeObject);
  cluster.create(hpa('manual', 'web'));
  cluster.create({ ...deployment('in-limited'), metadata: { name: 'in-limited', namespace: 'limited' } });
  cluster.create({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'limited' }, spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m' } }] } });

  certs = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-admission-webhooks']), now: new Date() });
  const kube = new KubeApi(loadClientConfig({ kubeconfigYaml: api.kubeconfig }), { qps: 0 });
  webhook = await startWebhookServer({ port: 0, host: '127.0.0.1', certificate: { cert: certs.tlsCert, key: certs.tlsKey }, cluster: new KubeWebhookCluster(kube) });
});

afterAll(async () => {
  await webhook.close();
  await api.stop();
});

describe('ScaledObject webhook: offline rules', () => {
  it('allows a valid ScaledObject with status code 200', async () => {
    const response = await admit(scaledObject('good', { scaleTargetRef: { name: 'web-free' }, triggers: [cron] }));
    expect(response).toEqual({ uid: response.uid, allowed: true, status: { metadata: {}, code: 200 } });
  });

  it('denies bad trigger metadata as Forbidden, naming the field', async () => {
    const response = await admit(scaledObject('bad', { scaleTargetRef: { name: 'x' }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *' } }] }));
    expect(response.allowed).toBe(false);
    expect(response.status).toEqual({ metadata: {}, code: 403, reason: 'Forbidden', message: 'spec.triggers[0].metadata.desiredReplicas: required (set metadata.desiredReplicas)' });
  });

  it('denies minReplicaCount > maxReplicaCount', async () => {
    const response = await admit(scaledObject('bounds', { scaleTargetRef: { name: 'x' }, minReplicaCount: 5, maxReplicaCount: 2, triggers: [cron] }));
    expect(response.allowed).toBe(false);
    expect(response.status.message).toBe('spec.minReplicaCount: must be ≤ maxReplicaCount (2), got 5');
  });

  it('returns warnings with an allowed object (pollingInterval with min > 0, unknown spec fields; none about status)', async () => {
    const response = await admit(scaledObject('warned', { scaleTargetRef: { name: 'x' }, minReplicaCount: 1, pollingInterval: 10, triggers: [cron] }));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([expect.stringMatching(/^spec\.pollingInterval: has no effect/)]);
    const withStatus = { ...scaledObject('warned', { scaleTargetRef: { name: 'x' }, triggers: [cron], pollingIntervall: 5 }), status: { hpaName: 'keda-hpa-warned', bogus: 1 } };
    const update = await admit(withStatus, { operation: 'UPDATE', oldObject: withStatus });
    expect(update.warnings).toEqual(['spec.pollingIntervall: unknown field "pollingIntervall" (did you mean "pollingInterval"?): Kubernetes drops it']);
  });

  it('lets a finalizer-only update through even when the object is invalid, and allows deletes', async () => {
    const invalid = scaledObject('going', { scaleTargetRef: { name: 'x' }, minReplicaCount: 5, maxReplicaCount: 2, triggers: [cron] });
    const old = { ...invalid, metadata: { ...(invalid.metadata as object), finalizers: ['finalizer.keda.sh'] } };
    expect((await admit(invalid, { operation: 'UPDATE', oldObject: old })).allowed).toBe(true);
    const changed = { ...invalid, spec: { ...(invalid.spec as object), maxReplicaCount: 3 } };
    expect((await admit(changed, { operation: 'UPDATE', oldObject: old })).allowed).toBe(false);
    expect((await admit(invalid, { operation: 'DELETE', oldObject: invalid })).allowed).toBe(true);
  });
});

describe('ScaledObject webhook: cluster checks (KEDA messages)', () => {
  it('denies a second ScaledObject on the same workload; the ScaledObject itself may update', async () => {
    const response = await admit(scaledObject('second', { scaleTargetRef: { name: 'app' }, triggers: [cron] }));
    expect(response.status).toEqual({ metadata: {}, code: 403, reason: 'Forbidden', message: "the workload 'app' of type 'apps/v1.Deployment' is already managed by the ScaledObject 'first'" });
    const self = scaledObject('first', { scaleTargetRef: { name: 'app', apiVersion: 'apps/v1', kind: 'Deployment' }, triggers: [cron] });
    expect((await admit(self, { operation: 'UPDATE', oldObject: self })).allowed).toBe(true);
  });

  it('denies a ScaledObject whose HPA name another ScaledObject already uses', async () => {
    const response = await admit(scaledObject('third', { scaleTargetRef: { name: 'elsewhere' }, advanced: { horizontalPodAutoscalerConfig: { name: 'keda-hpa-first' } }, triggers: [cron] }));
    expect(response.status.message).toBe("the HPA 'keda-hpa-first' is already managed by the ScaledObject 'first'");
  });

  it('denies a workload an HPA of its own already scales, unless taken over or excluded', async () => {
    const so = (name: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) =>
      scaledObject(name, { scaleTargetRef: { name: 'web' }, triggers: [cron], ...extra }, metadata);
    expect((await admit(so('web-so'))).status.message).toBe("the workload 'web' of type 'apps/v1.Deployment' is already managed by the hpa 'manual'");
    const transfer = { annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'true' } };
    expect((await admit(so('web-so', {}, transfer))).status.message).toBe(
      "the existing hpa 'manual' for workload 'web' of type 'apps/v1.Deployment' must be specified by name in advanced settings to enable ownership transfer",
    );
    expect((await admit(so('web-so', { advanced: { horizontalPodAutoscalerConfig: { name: 'manual' } } }, transfer))).allowed).toBe(true);

    api.cluster.create(hpa('owned', 'web', { ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'web-owner', uid: 'u1', controller: true }], annotations: {} }));
    const ownerAnswer = await admit(so('web-owner'));
    expect(ownerAnswer.status.message).toBe("the workload 'web' of type 'apps/v1.Deployment' is already managed by the hpa 'manual'");
    api.cluster.delete('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'manual');
    api.cluster.create(hpa('manual', 'web', { annotations: { 'validations.keda.sh/hpa-ownership': 'false' } }));
    expect((await admit(so('web-owner'))).allowed).toBe(true);
  });

  it('denies a cpu trigger when a container has no cpu request or limit; allows requests, limits, a LimitRange default and dry runs', async () => {
    const so = (target: string, namespace = NS) => ({
      ...scaledObject(`so-${target}`, { scaleTargetRef: { name: target }, minReplicaCount: 1, triggers: [cpu] }),
      metadata: { name: `so-${target}`, namespace },
    });
    const denied = await admit(so('cpu-app'));
    expect(denied.status).toEqual({ metadata: {}, code: 403, reason: 'Forbidden', message: "the scaledobject has a cpu trigger but the container main doesn't have the cpu request defined" });
    expect((await admit(so('cpu-app'), { dryRun: true })).allowed).toBe(true);
    expect((await admit(so('cpu-ok'))).allowed).toBe(true);
    expect((await admit(so('cpu-limit-only'))).allowed).toBe(true);
    expect((await admit(so('in-limited', 'limited'))).allowed).toBe(true);
    const memory = scaledObject('mem', { scaleTargetRef: { name: 'cpu-ok' }, minReplicaCount: 1, triggers: [{ ...cpu, type: 'memory' }] });
    expect((await admit(memory)).status.message).toBe("the scaledobject has a memory trigger but the container main doesn't have the memory request defined");
    const sidecarOnly = scaledObject('side', { scaleTargetRef: { name: 'cpu-app' }, minReplicaCount: 1, triggers: [{ ...cpu, metadata: { value: '60', containerName: 'sidecar' } }] });
    expect((await admit(sidecarOnly)).allowed).toBe(true);
  });

  it('answers a missing scale target of a cpu trigger with the API server\'s NotFound, and an unknown kind with the RESTMapper error', async () => {
    const ghost = await admit(scaledObject('ghost', { scaleTargetRef: { name: 'ghost' }, minReplicaCount: 1, triggers: [cpu] }));
    expect(ghost).toMatchObject({ allowed: false, status: { code: 404, reason: 'NotFound', message: 'deployments.apps "ghost" not found' } });
    const unknown = await admit(scaledObject('odd', { scaleTargetRef: { name: 'x', apiVersion: 'example.com/v1', kind: 'Widget' }, triggers: [cron] }));
    expect(unknown.status).toEqual({ metadata: {}, code: 403, reason: 'Forbidden', message: 'no matches for kind "Widget" in version "example.com/v1"' });
  });
});

describe('the other kinds', () => {
  const ta = (kind: string, spec: Record<string, unknown>) => ({ apiVersion: 'keda.sh/v1alpha1', kind, metadata: { name: 'auth', ...(kind === 'TriggerAuthentication' ? { namespace: NS } : {}) }, spec });

  it('TriggerAuthentication: an unknown field is allowed with a warning (Kubernetes prunes it); a bad oauth2 tokenUrl is denied', async () => {
    const path = '/validate-keda-sh-v1alpha1-triggerauthentication';
    const pruned = await admit(ta('TriggerAuthentication', { secretTargetRef: [{ parameter: 'p', name: 's', key: 'k' }], secretTargetRefs: [] }), {}, path);
    expect(pruned.allowed).toBe(true);
    expect(pruned.warnings).toEqual(['spec.secretTargetRefs: unknown field "secretTargetRefs" (did you mean "secretTargetRef"?): Kubernetes drops it']);
    const oauth = { oauth2: { type: 'clientCredentials', clientId: 'c', tokenUrl: 'ftp://tokens', clientSecret: { valueFrom: { secretKeyRef: { name: 's', key: 'k' } } } } };
    const denied = await admit(ta('TriggerAuthentication', oauth), {}, path);
    expect(denied.status).toEqual({ metadata: {}, code: 403, reason: 'Forbidden', message: 'spec.oauth2.tokenUrl: must be an http or https URL, got "ftp://tokens"' });
  });

  it('ClusterTriggerAuthentication and ScaledJob on their own paths', async () => {
    const cta = await admit(ta('ClusterTriggerAuthentication', { podIdentity: { provider: 'aws', externalID: 'x' } }), {}, '/validate-keda-sh-v1alpha1-clustertriggerauthentication');
    expect(cta.status.message).toBe('spec.podIdentity.externalID: needs roleArn to be set as well');
    const job = (trigger: Record<string, unknown>) => ({
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'j', namespace: NS },
      spec: { jobTargetRef: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, triggers: [trigger] },
    });
    expect((await admit(job(cron), {}, '/validate-keda-sh-v1alpha1-scaledjob')).allowed).toBe(true);
    const denied = await admit(job({ ...cron, metricType: 'Value' }), {}, '/validate-keda-sh-v1alpha1-scaledjob');
    expect(denied.status.message).toBe('spec.triggers[0].metricType: must not be set on ScaledJob triggers (KEDA refuses the ScaledJob)');
  });
});

describe('requests it cannot use', () => {
  it('answers 400 inside an AdmissionReview for a wrong content type, a non-review body and a kind on the wrong path', async () => {
    const wrongType = await post(webhook.port, certs.caCert, SO_PATH, '{}', { 'Content-Type': 'text/plain' });
    expect(wrongType.body.response).toMatchObject({ uid: '', allowed: false, status: { code: 400, message: 'contentType=text/plain, expected application/json' } });
    const notReview = await post(webhook.port, certs.caCert, SO_PATH, { hello: 'world' });
    expect(notReview.body.response).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(notReview.body.response.status.message).toMatch(/^not an AdmissionReview: request/);
    const wrongPath = await admit(scaledObject('x', { scaleTargetRef: { name: 'x' }, triggers: [cron] }), {}, '/validate-keda-sh-v1alpha1-scaledjob');
    expect(wrongPath.status).toEqual({ metadata: {}, code: 400, message: 'this webhook validates ScaledJob, got "ScaledObject"' });
  });

  it('answers an unknown path with a 404 Status', async () => {
    const answer = await post(webhook.port, certs.caCert, '/validate-apps-v1-deployment', review({ kind: 'Deployment' }).body);
    expect(answer.httpStatus).toBe(404);
  });
});
