// End to end as on a cluster: `tide webhooks` runs (in-process) with a certificate for
// keda-admission-webhooks.keda.svc; the fake API server reaches it through the Service and Endpoints
// that tide's install manifests declare, as the ValidatingWebhookConfiguration keda-admission (rendered
// by src/deploy/install, caBundle filled in) says; ScaledObjects are written through the API.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWebhooksFlags, runWebhooks, type RunningWebhooks } from '../../src/cli/webhooks.js';
import type { CliIO } from '../../src/cli/io.js';
import { installManifests, installOptions } from '../../src/deploy/install/index.js';
import { KubeApi, type KubeObject } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { caBundle, issueBundle, serviceDnsNames } from '../../src/kube/certificates/issue.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';

const NS = 'apps';
const cron = { type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' } };
const cpu = { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } };

let api: FakeApiServer;
let kube: KubeApi;
let dir: string;
let webhooks: { running: RunningWebhooks; stop: () => Promise<number> } | undefined;
let configuration: KubeObject;

const scaledObject = (name: string, target: string, trigger: unknown): KubeObject => ({
  apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: NS }, spec: { scaleTargetRef: { name: target }, minReplicaCount: 1, triggers: [trigger] },
});

const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } } },
});

/** The API server's refusal of a write. */
async function refusal(write: Promise<unknown>): Promise<{ status: number; reason: string; message: string }> {
  try {
    await write;
  } catch (error) {
    if (error instanceof KubeApiError) return { status: error.status, reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('the write was admitted');
}

/** `tide webhooks --port 0 --cert-dir … --kubeconfig …` until stop() is called. */
async function startWebhooks(certDir: string, kubeconfig: string): Promise<{ running: RunningWebhooks; stop: () => Promise<number> }> {
  const io: CliIO = { stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: dir, env: {} };
  let release = (): void => undefined;
  const stopped = new Promise<void>((r) => { release = r; });
  let started: (r: RunningWebhooks) => void = () => undefined;
  const running = new Promise<RunningWebhooks>((r) => { started = r; });
  const exit = runWebhooks(readWebhooksFlags(['--port', '0', '--cert-dir', certDir, '--kubeconfig', kubeconfig, '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0'], io), io, () => stopped, started);
  const result = await Promise.race([running, exit.then((code) => { throw new Error(`tide webhooks exited with ${code}`); })]);
  return { running: result, stop: async () => { release(); return exit; } };
}

beforeAll(async () => {
  api = await startFakeApiServer({ builtinControllers: false });
  kube = new KubeApi(loadClientConfig({ kubeconfigYaml: api.kubeconfig }), { qps: 0 });
  dir = await mkdtemp(join(tmpdir(), 'tide-webhooks-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, api.kubeconfig);
  const certs = await issueBundle({ dnsNames: serviceDnsNames('keda', ['keda-admission-webhooks']), now: new Date() });
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'tls.crt'), certs.tlsCert);
  await writeFile(join(dir, 'certs', 'tls.key'), certs.tlsKey);
  webhooks = await startWebhooks(join(dir, 'certs'), kubeconfig);

  const manifests = installManifests(installOptions({ version: '0.0.0-test', namespace: 'keda' }));
  const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === 'keda-admission-webhooks');
  const rendered = manifests.find((m) => m.kind === 'ValidatingWebhookConfiguration');
  if (service === undefined || rendered === undefined) throw new Error('the install manifests lack the webhooks Service or keda-admission');
  configuration = structuredClone(rendered);
  for (const w of configuration.webhooks as { clientConfig: Record<string, unknown> }[]) w.clientConfig.caBundle = caBundle(certs);

  for (const ns of ['keda', NS]) await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await kube.create(service);
  // What the endpoints controller would publish for the webhooks pod: 127.0.0.1 on the Service's target port name.
  await kube.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'keda-admission-webhooks', namespace: 'keda' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: webhooks.running.server.port }] }] });
  await kube.create(configuration);
  for (const name of ['app', 'cpu-app', 'other']) await kube.create(deployment(name));
});

afterAll(async () => {
  await webhooks?.stop();
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('keda-admission through the fake API server', () => {
  it('admits a valid ScaledObject', async () => {
    const created = await kube.create(scaledObject('first', 'app', cron));
    expect(created.metadata.uid).toBeDefined();
  });

  it('refuses a second ScaledObject on the same Deployment with KEDA\'s message', async () => {
    const r = await refusal(kube.create(scaledObject('second', 'app', cron)));
    expect(r).toEqual({ status: 403, reason: 'Forbidden', message: 'admission webhook "vscaledobject.kb.io" denied the request: the workload \'app\' of type \'apps/v1.Deployment\' is already managed by the ScaledObject \'first\'' });
    expect(api.cluster.get('keda.sh/v1alpha1', 'ScaledObject', NS, 'second')).toBeUndefined();
    // KEDA's webhook metrics count the validation and the refusal with KEDA's reason.
    const text = await webhooks?.running.metrics.registry.metrics() ?? '';
    expect(text).toMatch(new RegExp(`keda_webhook_scaled_object_validations_total\\{namespace="${NS}",action="create"\\} [1-9]`));
    expect(text).toContain(`keda_webhook_scaled_object_validation_errors_total{namespace="${NS}",action="create",reason="other-scaled-object"} 1`);
  });

  it('checks updates too: retargeting a ScaledObject onto a managed Deployment is refused', async () => {
    await kube.create(scaledObject('mover', 'other', cron));
    const r = await refusal(kube.mergePatch('keda.sh/v1alpha1', 'ScaledObject', NS, 'mover', { spec: { scaleTargetRef: { name: 'app' } } }));
    expect(r.status).toBe(403);
    expect(r.message).toContain('is already managed by the ScaledObject \'first\'');
  });

  it('refuses a cpu trigger on a container without a cpu request; a dryRun=All create reaches the webhook with dryRun true, which skips that check', async () => {
    const r = await refusal(kube.create(scaledObject('cpu', 'cpu-app', cpu)));
    expect(r.message).toBe('admission webhook "vscaledobject.kb.io" denied the request: the scaledobject has a cpu trigger but the container main doesn\'t have the cpu request defined');
    const dry = await kube.request('POST', `/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects?dryRun=All`, scaledObject('cpu', 'cpu-app', cpu)) as KubeObject;
    expect(dry.metadata.name).toBe('cpu');
    expect(api.cluster.get('keda.sh/v1alpha1', 'ScaledObject', NS, 'cpu')).toBeUndefined();
    // The other checks still run on a dry run.
    const dryDuplicate = await refusal(kube.request('POST', `/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects?dryRun=All`, scaledObject('second', 'app', cron)));
    expect(dryDuplicate.status).toBe(403);
  });

  it('with the webhook down, keda-admission as rendered (Ignore) lets writes through; failurePolicy Fail refuses them', async () => {
    const port = webhooks?.running.server.port ?? 0;
    expect(await webhooks?.stop()).toBe(0);
    webhooks = undefined;
    await kube.create(scaledObject('unchecked', 'app', cron));
    expect(api.cluster.get('keda.sh/v1alpha1', 'ScaledObject', NS, 'unchecked')).toBeDefined();

    const failing = structuredClone(configuration);
    for (const w of failing.webhooks as Record<string, unknown>[]) w.failurePolicy = 'Fail';
    const live = await kube.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', undefined, 'keda-admission');
    await kube.replace({ ...failing, metadata: { ...failing.metadata, resourceVersion: live?.metadata.resourceVersion ?? '' } });
    const r = await refusal(kube.create(scaledObject('refused', 'other', cron)));
    expect(r).toEqual({
      status: 500, reason: 'InternalError',
      message: `Internal error occurred: failed calling webhook "vscaledobject.kb.io": failed to call webhook: Post "https://keda-admission-webhooks.keda.svc:443/validate-keda-sh-v1alpha1-scaledobject?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
    // Only the kinds keda-admission names are affected.
    expect((await kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unaffected', namespace: NS } })).metadata.name).toBe('unaffected');
  });
});
