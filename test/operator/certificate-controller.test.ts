// The operator's certificate rotation on the fake API server: the kedaorg-certs Secret is issued on
// start for the right names, the caBundle of the APIService and of every webhook of keda-admission is
// set and repaired after a user resets it, a serving certificate near expiry (injected clock) is renewed
// and the servers' certificate source picks it up, a missing webhook configuration is waited for, a
// conflicting write is retried, rotation off writes nothing, and no key material reaches the logs.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readOperatorFlags } from '../../src/cli/operator.js';
import { UsageError, type CliIO } from '../../src/cli/io.js';
import { apiService } from '../../src/deploy/install/api-service.js';
import { installOptions } from '../../src/deploy/install/options.js';
import { webhookConfiguration } from '../../src/deploy/install/webhook-configuration.js';
import { KubeApi, type KubeObject } from '../../src/kube/api.js';
import { DAY_MS, kedaCertificateDnsNames, operatorCertificateDnsNames } from '../../src/kube/certificates/issue.js';
import { bundleFromSecret } from '../../src/kube/certificates/secret.js';
import { startCertificateSource } from '../../src/kube/certificates/serving-source.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject as StoredObject } from '../../src/kube/testing/index.js';
import { CertificateController, type CertificateControllerOptions } from '../../src/operator/certificate-controller.js';
import { startOperator, type RunningOperator } from '../../src/operator/operator.js';
import type { Logger } from '../../src/telemetry/logger.js';

let server: FakeApiServer;
const stops: (() => Promise<void> | void)[] = [];
const logLines: string[] = [];

/** A Logger that keeps every line as the JSON a log collector would see. */
function capturingLogger(fields: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (message: string, extra?: Record<string, unknown>): void => { logLines.push(JSON.stringify({ level, message, ...fields, ...extra })); };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => capturingLogger({ ...fields, ...more }) };
}

const io = (env: Record<string, string> = {}): CliIO => ({ stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: '/', env });

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await server.stop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A namespace with the installed APIService and webhook configuration pointing into it (each test its own). */
function install(namespace: string, options: { webhooks?: boolean } = {}): { apiServiceName: string; webhookName: string } {
  server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const o = installOptions({ version: 'test', namespace });
  const service = apiService(o) as unknown as StoredObject;
  const apiServiceName = `v1beta1.${namespace}.example.com`; // one APIService per test, same shape as the real one
  server.cluster.create({ ...service, metadata: { ...service.metadata, name: apiServiceName } });
  const config = webhookConfiguration(o) as unknown as StoredObject;
  const webhookName = `keda-admission-${namespace}`;
  if (options.webhooks !== false) server.cluster.create({ ...config, metadata: { ...config.metadata, name: webhookName } });
  return { apiServiceName, webhookName };
}

const api = (): KubeApi => new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
const secretOf = (namespace: string): StoredObject | undefined => server.cluster.get('v1', 'Secret', namespace, 'kedaorg-certs');
const caBundleOf = (namespace: string): string | undefined => {
  const secret = secretOf(namespace);
  return (secret?.['data'] as Record<string, string> | undefined)?.['ca.crt'];
};
const apiServiceBundle = (name: string): unknown => (server.cluster.get('apiregistration.k8s.io/v1', 'APIService', '', name)?.['spec'] as { caBundle?: unknown } | undefined)?.caBundle;
const webhookBundles = (name: string): unknown[] => {
  const config = server.cluster.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', name);
  return ((config?.['webhooks'] ?? []) as { clientConfig: { caBundle?: unknown } }[]).map((w) => w.clientConfig.caBundle);
};

function controller(options: Partial<CertificateControllerOptions> & { namespace: string }, kube: KubeApi = api()): CertificateController {
  const c = new CertificateController({ api: kube, dnsNames: kedaCertificateDnsNames(options.namespace), log: capturingLogger(), retryMs: 50, ...options });
  stops.push(() => c.stop());
  return c;
}

describe('tide operator --enable-cert-rotation', () => {
  let operator: RunningOperator;
  let names: { apiServiceName: string; webhookName: string };

  beforeAll(async () => {
    names = install('certs-a');
    const flags = readOperatorFlags(['--enable-cert-rotation=true', '--k8s-cluster-domain=example.org'], io({ POD_NAMESPACE: 'certs-a' }));
    const rotation = flags.certRotation;
    if (rotation === undefined) throw new Error('rotation should be on');
    operator = await startOperator({
      config: loadClientConfig({ kubeconfigYaml: server.kubeconfig }), qps: 0, version: 'test', log: capturingLogger(),
      certificateRotation: { ...rotation, apiServiceName: names.apiServiceName, validatingWebhookName: names.webhookName, retryMs: 50 },
    });
    stops.push(() => operator.stop());
  });

  test('creates kedaorg-certs with a CA and a serving certificate for every service name', async () => {
    await until(() => bundleFromSecret(secretOf('certs-a')) !== undefined, 'the Secret');
    const bundle = bundleFromSecret(secretOf('certs-a'));
    if (bundle === undefined) throw new Error('no bundle');
    const ca = new X509Certificate(bundle.caCert);
    const serving = new X509Certificate(bundle.tlsCert);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=KEDA');
    expect(serving.verify(ca.publicKey)).toBe(true);
    // KEDA's four names per service with the cluster domain given, and the names the other components ask for.
    for (const name of ['keda-operator', 'keda-operator.certs-a', 'keda-operator.certs-a.svc', 'keda-operator.certs-a.svc.example.org',
      'keda-metrics-apiserver.certs-a.svc.example.org', 'keda-admission-webhooks.certs-a.svc', 'keda-admission-webhooks.certs-a.svc.cluster.local']) {
      expect(serving.checkHost(name, { wildcards: false }), name).toBe(name);
    }
    expect(serving.checkHost('keda-operator.other.svc')).toBeUndefined();
  });

  test('sets the caBundle of the APIService and of every webhook', async () => {
    await until(() => caBundleOf('certs-a') !== undefined && apiServiceBundle(names.apiServiceName) === caBundleOf('certs-a'), 'the APIService caBundle');
    await until(() => webhookBundles(names.webhookName).every((b) => b === caBundleOf('certs-a')), 'every webhook caBundle');
    expect(webhookBundles(names.webhookName)).toHaveLength(4);
    await until(() => (operator.certificates?.passes ?? 0) > 0, 'the first pass to finish');
    expect(['patched', 'current']).toContain(operator.certificates?.last?.apiService);
    expect(['patched', 'current']).toContain(operator.certificates?.last?.validatingWebhook);
  });

  test('repairs a caBundle that a user reset', async () => {
    const wanted = caBundleOf('certs-a');
    await until(() => apiServiceBundle(names.apiServiceName) === wanted && webhookBundles(names.webhookName).every((b) => b === wanted), 'the first patch');
    // What `kubectl apply` of the plain manifest does: the fields come back without caBundle.
    const service = server.cluster.get('apiregistration.k8s.io/v1', 'APIService', '', names.apiServiceName);
    if (service === undefined) throw new Error('no APIService');
    server.cluster.update({ ...service, spec: { ...(service['spec'] as object), caBundle: undefined } });
    const config = server.cluster.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', names.webhookName);
    if (config === undefined) throw new Error('no webhook configuration');
    const hooks = config['webhooks'] as { clientConfig: Record<string, unknown> }[];
    server.cluster.update({ ...config, webhooks: hooks.map((w, i) => (i === 2 ? { ...w, clientConfig: { ...w.clientConfig, caBundle: undefined } } : w)) });
    expect(apiServiceBundle(names.apiServiceName)).toBeUndefined();
    expect(webhookBundles(names.webhookName)[2]).toBeUndefined();
    await until(() => apiServiceBundle(names.apiServiceName) === wanted, 'the APIService repaired');
    await until(() => webhookBundles(names.webhookName)[2] === wanted, 'the webhook repaired');
    expect(caBundleOf('certs-a')).toBe(wanted); // the CA was kept
  });
});

describe('renewal', () => {
  test('a serving certificate near expiry is renewed under the same CA, and a server picks it up', async () => {
    const { apiServiceName, webhookName } = install('certs-b');
    let now = new Date();
    const clock = (): Date => now;
    const c = controller({ namespace: 'certs-b', apiServiceName, validatingWebhookName: webhookName, now: clock });
    const first = await c.sync();
    expect(first).toEqual({ renewed: 'all', apiService: 'patched', validatingWebhook: 'patched' });
    const before = bundleFromSecret(secretOf('certs-b'));
    if (before === undefined) throw new Error('no bundle');
    expect(await c.sync()).toEqual({ renewed: undefined, apiService: 'current', validatingWebhook: 'current' });

    // A server (the webhooks' and adapter's certificate source) on the same Secret and clock.
    const seen: string[] = [];
    const source = await startCertificateSource({ api: api(), namespace: 'certs-b', dnsNames: kedaCertificateDnsNames('certs-b'), now: clock, recheckMs: 20 },
      (pair) => { seen.push(pair.cert); }, () => undefined);
    stops.push(() => { source.stop(); });
    expect(source.initial.cert).toBe(before.tlsCert);

    now = new Date(now.getTime() + 300 * DAY_MS); // less than a third of the year left
    const report = await c.sync();
    const after = bundleFromSecret(secretOf('certs-b'));
    if (after === undefined) throw new Error('no bundle');
    // Whoever renewed first (this pass, or the source's own check on the same clock), the CA stays, so no caBundle changes.
    expect(report.apiService).toBe('current');
    expect(report.validatingWebhook).toBe('current');
    expect(after.caCert).toBe(before.caCert);
    expect(after.tlsCert).not.toBe(before.tlsCert);
    await until(() => { const s = bundleFromSecret(secretOf('certs-b')); return s !== undefined && seen.at(-1) === s.tlsCert; }, 'the server to load the renewed certificate');
    const renewed = new X509Certificate(seen.at(-1) ?? '');
    expect(Date.parse(renewed.validTo)).toBeGreaterThan(now.getTime() + 300 * DAY_MS);
    expect(renewed.verify(new X509Certificate(before.caCert).publicKey)).toBe(true);
  });

  test('the controller alone: a serving certificate near expiry is renewed, the CA and caBundles stay', async () => {
    const { apiServiceName, webhookName } = install('certs-h');
    let now = new Date();
    const c = controller({ namespace: 'certs-h', apiServiceName, validatingWebhookName: webhookName, now: () => now });
    await c.sync();
    const before = bundleFromSecret(secretOf('certs-h'));
    now = new Date(now.getTime() + 250 * DAY_MS);
    expect(await c.sync()).toEqual({ renewed: 'serving', apiService: 'current', validatingWebhook: 'current' });
    const after = bundleFromSecret(secretOf('certs-h'));
    expect(after?.caCert).toBe(before?.caCert);
    expect(after?.tlsCert).not.toBe(before?.tlsCert);
    expect(Date.parse(new X509Certificate(after?.tlsCert ?? '').validFrom)).toBeGreaterThan(now.getTime() - 2 * 60 * 60 * 1000);
    expect(logLines.some((l) => l.includes('renewed the serving certificate') && l.includes('certs-h/kedaorg-certs'))).toBe(true);
  });

  test('a CA near expiry is replaced and every caBundle follows', async () => {
    const { apiServiceName, webhookName } = install('certs-c');
    let now = new Date();
    const c = controller({ namespace: 'certs-c', apiServiceName, validatingWebhookName: webhookName, now: () => now, caLifetimeMs: 30 * DAY_MS, servingLifetimeMs: 10 * DAY_MS });
    await c.sync();
    const oldCa = caBundleOf('certs-c');
    now = new Date(now.getTime() + 25 * DAY_MS);
    expect(await c.sync()).toEqual({ renewed: 'all', apiService: 'patched', validatingWebhook: 'patched' });
    expect(caBundleOf('certs-c')).not.toBe(oldCa);
    expect(apiServiceBundle(apiServiceName)).toBe(caBundleOf('certs-c'));
    expect(webhookBundles(webhookName).every((b) => b === caBundleOf('certs-c'))).toBe(true);
  });
});

describe('conditions', () => {
  test('a missing webhook configuration is waited for, then patched when it appears', async () => {
    const { apiServiceName, webhookName } = install('certs-d', { webhooks: false });
    const c = controller({ namespace: 'certs-d', apiServiceName, validatingWebhookName: webhookName });
    c.start();
    await until(() => c.last?.validatingWebhook === 'missing', 'a pass that finds no webhook configuration');
    await until(() => apiServiceBundle(apiServiceName) === caBundleOf('certs-d'), 'the APIService patched anyway');
    expect(logLines.filter((l) => l.includes(`ValidatingWebhookConfiguration ${webhookName} not found`))).toHaveLength(1);
    const config = webhookConfiguration(installOptions({ version: 'test', namespace: 'certs-d' })) as unknown as StoredObject;
    server.cluster.create({ ...config, metadata: { ...config.metadata, name: webhookName } });
    await until(() => webhookBundles(webhookName).length === 4 && webhookBundles(webhookName).every((b) => b === caBundleOf('certs-d')), 'the late webhook configuration patched');
    await c.stop();
  });

  test('--enable-webhook-patching=false leaves the webhook configuration alone', async () => {
    const { apiServiceName, webhookName } = install('certs-e');
    const flags = readOperatorFlags(['--enable-cert-rotation', '--enable-webhook-patching=false'], io({ POD_NAMESPACE: 'certs-e' }));
    expect(flags.certRotation?.validatingWebhookName).toBeUndefined();
    const c = controller({ ...flags.certRotation, namespace: 'certs-e', apiServiceName, validatingWebhookName: undefined });
    expect(await c.sync()).toMatchObject({ apiService: 'patched', validatingWebhook: 'disabled' });
    expect(webhookBundles(webhookName).every((b) => b === undefined)).toBe(true);
  });

  test('a write that loses a race (409) reads again and retries', async () => {
    const { apiServiceName, webhookName } = install('certs-f');
    let raced = 0;
    // The API server is real (the fake); only the timing of a concurrent writer is arranged: someone
    // updates the webhook configuration between our read and our write.
    class RacingApi extends KubeApi {
      override async replace(object: KubeObject): Promise<KubeObject> {
        if (object.kind === 'ValidatingWebhookConfiguration' && raced === 0) {
          raced++;
          const current = server.cluster.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', webhookName);
          if (current !== undefined) server.cluster.update({ ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, touched: 'yes' } } });
        }
        return super.replace(object);
      }
    }
    const c = controller({ namespace: 'certs-f', apiServiceName, validatingWebhookName: webhookName }, new RacingApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 }));
    expect(await c.sync()).toMatchObject({ validatingWebhook: 'patched' });
    expect(raced).toBe(1);
    const config = server.cluster.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', webhookName);
    expect(config?.metadata.labels?.['touched']).toBe('yes'); // the other writer's change survived
    expect(webhookBundles(webhookName).every((b) => b === caBundleOf('certs-f'))).toBe(true);
  });

  test('without --enable-cert-rotation the operator writes no certificates', async () => {
    const { apiServiceName } = install('certs-g');
    const flags = readOperatorFlags([], io({ POD_NAMESPACE: 'certs-g' }));
    expect(flags.certRotation).toBeUndefined();
    expect(readOperatorFlags(['--enable-cert-rotation=false'], io({ POD_NAMESPACE: 'certs-g' })).certRotation).toBeUndefined();
    const rv = server.cluster.get('apiregistration.k8s.io/v1', 'APIService', '', apiServiceName)?.metadata.resourceVersion;
    const operator = await startOperator({ config: loadClientConfig({ kubeconfigYaml: server.kubeconfig }), qps: 0, version: 'test', watchNamespace: 'certs-g' });
    stops.push(() => operator.stop());
    expect(operator.certificates).toBeUndefined();
    expect(secretOf('certs-g')).toBeUndefined();
    expect(server.cluster.get('apiregistration.k8s.io/v1', 'APIService', '', apiServiceName)?.metadata.resourceVersion).toBe(rv);
    expect(operator.api.requests.get('PUT') ?? 0).toBe(0);
    expect(operator.api.requests.get('PATCH') ?? 0).toBe(0);
  });
});

describe('certificate flags', () => {
  test("KEDA's names and defaults", () => {
    const flags = readOperatorFlags(['--enable-cert-rotation=true'], io({ POD_NAMESPACE: 'keda' }));
    expect(flags.certRotation).toMatchObject({ namespace: 'keda', secretName: 'kedaorg-certs', apiServiceName: 'v1beta1.external.metrics.k8s.io', validatingWebhookName: 'keda-admission' });
    expect(flags.certRotation?.dnsNames).toEqual(operatorCertificateDnsNames('keda', ['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks'], 'cluster.local'));
    const renamed = readOperatorFlags(['--enable-cert-rotation', '--cert-secret-name', 'my-certs', '--metrics-server-service-name=keda-operator-metrics-apiserver',
      '--k8s-cluster-name=prod', '--validating-webhook-name=mine'], io({ POD_NAMESPACE: 'ns1' }));
    expect(renamed.certRotation?.secretName).toBe('my-certs');
    expect(renamed.certRotation?.validatingWebhookName).toBe('mine');
    expect(renamed.certRotation?.dnsNames).toContain('keda-operator-metrics-apiserver.ns1.svc.cluster.local');
  });

  test('a value that is not a boolean is a usage error naming the flag', () => {
    expect(() => readOperatorFlags(['--enable-cert-rotation=yes'], io())).toThrow(UsageError);
    expect(() => readOperatorFlags(['--enable-webhook-patching=maybe'], io())).toThrow(/--enable-webhook-patching must be true or false/);
  });
});

describe('logs', () => {
  test('name objects and dates, never a key or a certificate (runs last: every test above logged into logLines)', () => {
    const all = logLines.join('\n');
    expect(all).toContain('renewed the serving certificate');
    expect(all).toContain('set caBundle');
    const keys = ['certs-a', 'certs-b', 'certs-c', 'certs-h'].map((ns) => bundleFromSecret(secretOf(ns))?.tlsKey ?? '');
    expect(keys.every((k) => k.includes('PRIVATE KEY'))).toBe(true);
    for (const key of keys) expect(all).not.toContain(key.split('\n')[1]); // a line of the key's base64 body
    expect(all).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|LS0tLS1CRUdJTi/); // PEM, or PEM in base64 (a Secret's data, a caBundle)
  });
});
