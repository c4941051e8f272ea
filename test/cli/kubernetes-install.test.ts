// `tide kubernetes install|remove` against the in-repo fake API server: every generated object is
// applied (server-side, field manager tide), --wait sees the Deployments available, remove keeps the
// CRDs and the users' objects, and another adapter's APIService is replaced only with --take-over.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../../src/cli/io.js';
import { runKubernetes } from '../../src/cli/kubernetes.js';
import { installManifests, installOptions } from '../../src/deploy/install/index.js';
import type { Manifest } from '../../src/deploy/manifest.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import { INSTALL_KIND_CRDS } from '../deploy/install/fake-kinds.js';

const version = (await import('../../package.json', { with: { type: 'json' } })).default.version;
const APISERVICE = ['apiregistration.k8s.io/v1', 'APIService', undefined, 'v1beta1.external.metrics.k8s.io'] as const;

describe('tide kubernetes install / remove', () => {
  let api: FakeApiServer;
  let temp: string;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await startFakeApiServer({ crds: INSTALL_KIND_CRDS });
    temp = mkdtempSync(join(tmpdir(), 'tide-install-'));
    kubeconfig = join(temp, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig);
  });
  afterEach(async () => {
    await api.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false, cwd: temp, env: { HOME: temp, KUBECONFIG: kubeconfig } };
    try {
      return { code: await runKubernetes(args, io, { sleep: () => new Promise((done) => setTimeout(done, 20)) }), out, err };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { code: 1, out, err: `${err}${error.message}\n` };
    }
  }

  const get = (apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined => api.cluster.get(apiVersion, kind, namespace ?? '', name);
  const image = (name: string): string | undefined =>
    (get('apps/v1', 'Deployment', 'keda', name) as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } } | undefined)?.spec.template.spec.containers[0]?.image;

  /** KEDA as its release manifests leave a cluster, with a user's ScaledObject and TriggerAuthentication. */
  function kedaInstalled(): void {
    api.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
    api.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    const kedaLabels = { 'app.kubernetes.io/part-of': 'keda-operator', 'app.kubernetes.io/version': '2.16.0' };
    api.cluster.create({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.external.metrics.k8s.io', labels: kedaLabels }, spec: { group: 'external.metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, caBundle: 'S0VEQQ==', service: { name: 'keda-metrics-apiserver', namespace: 'keda' } } });
    for (const name of ['keda-operator', 'keda-metrics-apiserver']) {
      api.cluster.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'keda', labels: { app: name, ...kedaLabels } }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `ghcr.io/kedacore/${name}:2.16.0`, command: ['/keda'] }] } } } });
    }
    api.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'auth', namespace: 'apps' }, spec: { secretTargetRef: [{ parameter: 'password', name: 's', key: 'p' }] } });
    api.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', namespace: 'apps' }, spec: { scaleTargetRef: { name: 'worker' }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 * * * *', end: '5 * * * *', desiredReplicas: '2' } }] } });
  }

  it('--dry-run prints the objects as YAML (or JSON lines) and touches nothing', async () => {
    const yaml = await run(['install', '--dry-run', '--registry', 'registry.example:5000/team']);
    expect(yaml.code).toBe(0);
    const docs = parseAllDocuments(yaml.out).map((d) => d.toJS() as Manifest | null).filter((d) => d !== null);
    expect(docs).toEqual(installManifests(installOptions({ version, image: `registry.example:5000/team/tide:${version}` })));
    const json = await run(['install', '--dry-run', '--output', 'json', '--namespace', 'tide', '--image', 'r/tide:dev', '--no-webhooks']);
    const lines = json.out.trim().split('\n').map((l) => JSON.parse(l) as Manifest);
    expect(lines).toEqual(installManifests(installOptions({ version, namespace: 'tide', image: 'r/tide:dev', webhooks: false })));
    expect(get(...APISERVICE)).toBeUndefined();
    expect(get('v1', 'Namespace', undefined, 'keda')).toBeUndefined();
  });

  it('install applies every object server-side and waits for the Deployments; a second install configures', async () => {
    const first = await run(['install', '--image', 'r/tide:1', '--wait']);
    expect(first.err).toContain('deployment.apps/keda-operator created');
    expect(first.code).toBe(0);
    for (const object of installManifests(installOptions({ version, image: 'r/tide:1' }))) {
      const stored = get(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
      expect(stored, `${object.kind}/${object.metadata.name}`).toBeDefined();
      expect((stored?.metadata as { managedFields?: { manager: string }[] }).managedFields?.map((f) => f.manager)).toContain('tide');
    }
    for (const name of ['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks']) expect(first.err).toContain(`deployment.apps/${name} available`);
    expect(image('keda-operator')).toBe('r/tide:1');
    // The fake starts with the keda.sh CRDs registered: those four are configured, the rest created.
    expect(first.err).toMatch(/installed in namespace keda: \d+ objects \(\d+ created, 4 configured\)/);
    const second = await run(['install', '--image', 'r/tide:2']);
    expect(second.code).toBe(0);
    expect(second.err).toContain('deployment.apps/keda-operator configured');
    expect(image('keda-operator')).toBe('r/tide:2');
  });

  it('remove deletes tide\'s objects, keeps the CRDs, the namespace and the users\' ScaledObjects', async () => {
    expect((await run(['install'])).code).toBe(0);
    api.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    api.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'auth', namespace: 'apps' }, spec: { secretTargetRef: [{ parameter: 'password', name: 's', key: 'p' }] } });
    const removed = await run(['remove']);
    expect(removed.code).toBe(0);
    expect(removed.err).toContain('deployment.apps/keda-operator deleted');
    expect(removed.err).toContain('apiservice.apiregistration.k8s.io/v1beta1.external.metrics.k8s.io deleted');
    expect(get('apps/v1', 'Deployment', 'keda', 'keda-operator')).toBeUndefined();
    expect(get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, 'keda-system-auth-delegator')).toBeUndefined();
    expect(get('rbac.authorization.k8s.io/v1', 'RoleBinding', 'kube-system', 'keda-auth-reader')).toBeUndefined();
    expect(get(...APISERVICE)).toBeUndefined();
    expect(get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'scaledobjects.keda.sh')).toBeDefined();
    expect(get('keda.sh/v1alpha1', 'TriggerAuthentication', 'apps', 'auth')).toBeDefined();
    expect(get('v1', 'Namespace', undefined, 'keda')).toBeDefined();
    const again = await run(['remove']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('tide is not installed in namespace keda');
  });

  it('refuses to replace KEDA\'s adapter without --take-over, changing nothing', async () => {
    kedaInstalled();
    const refused = await run(['install']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('APIService v1beta1.external.metrics.k8s.io is served by KEDA (service keda/keda-metrics-apiserver)');
    expect(refused.err).toContain('deployment.apps/keda-operator (namespace keda)');
    expect(refused.err).toContain('--take-over');
    expect((get(...APISERVICE)?.metadata as { labels: Record<string, string> }).labels['app.kubernetes.io/part-of']).toBe('keda-operator');
    expect(image('keda-operator')).toBe('ghcr.io/kedacore/keda-operator:2.16.0');
    expect(get('v1', 'ServiceAccount', 'keda', 'keda-metrics-server')).toBeUndefined();
    // remove will not delete KEDA either
    const remove = await run(['remove']);
    expect(remove.code).toBe(1);
    expect(remove.err).toContain('is not tide\'s');
    expect(get('apps/v1', 'Deployment', 'keda', 'keda-operator')).toBeDefined();
  });

  it('--take-over replaces KEDA\'s adapter and Deployments and keeps the users\' objects', async () => {
    kedaInstalled();
    const result = await run(['install', '--take-over', '--image', 'r/tide:1']);
    expect(result.code).toBe(0);
    expect(result.err).toContain('replaced apiservice.apiregistration.k8s.io/v1beta1.external.metrics.k8s.io of KEDA');
    expect(result.err).toContain('replaced deployment.apps/keda-operator (namespace keda) of KEDA');
    expect(result.err).toContain('kept: the keda.sh CRDs');
    const apiService = get(...APISERVICE) as unknown as { metadata: { labels: Record<string, string> }; spec: { caBundle?: string; service: { name: string } } };
    expect(apiService.metadata.labels['app.kubernetes.io/part-of']).toBe('tide');
    expect(apiService.spec.caBundle).toBeUndefined(); // KEDA's CA is not trusted for tide's adapter
    const operator = get('apps/v1', 'Deployment', 'keda', 'keda-operator') as unknown as { spec: { template: { spec: { containers: { image: string; command?: string[]; args: string[] }[] } } } };
    expect(operator.spec.template.spec.containers[0]).toMatchObject({ image: 'r/tide:1', args: expect.arrayContaining(['operator']) as string[] });
    expect(operator.spec.template.spec.containers[0]?.command).toBeUndefined();
    expect(get('keda.sh/v1alpha1', 'ScaledObject', 'apps', 'worker')).toBeDefined();
    expect(get('keda.sh/v1alpha1', 'TriggerAuthentication', 'apps', 'auth')).toBeDefined();
  });

  it('names the Datadog cluster agent when it owns the APIService', async () => {
    api.cluster.create({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.external.metrics.k8s.io', labels: { 'app.kubernetes.io/name': 'datadog' } }, spec: { group: 'external.metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { name: 'datadog-cluster-agent-metrics-api', namespace: 'datadog' } } });
    const refused = await run(['install']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('served by the Datadog cluster agent (service datadog/datadog-cluster-agent-metrics-api)');
  });

  it('an unreachable cluster exits 3 before anything is built', async () => {
    await api.stop();
    const result = await run(['install', '--registry', '127.0.0.1:1']);
    expect(result.code).toBe(3);
    expect(result.err).toContain('cannot reach the cluster');
    expect(result.err).not.toContain('building');
    api = await startFakeApiServer({ crds: INSTALL_KIND_CRDS });
  });

  it('usage errors', async () => {
    await expect(run(['install', '--image', 'a', '--registry', 'b'])).rejects.toThrow(/not both/);
    await expect(run(['install', '--keda-version', 'v1'])).rejects.toThrow(/V2/);
    await expect(run(['install', '--base-image', 'x'])).rejects.toThrow(/--registry/);
  });
});
