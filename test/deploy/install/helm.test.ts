// The Helm chart deploy/helm/tide: helm lint, helm template with default and other values, the same
// objects (names, rules, containers) as the generator behind deploy/manifests/tide.yaml and `tide
// kubernetes install`, and every rendered object accepted by the fake API server.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { installManifests, installOptions } from '../../../src/deploy/install/index.js';
import type { Manifest } from '../../../src/deploy/manifest.js';
import { KubeClient } from '../../../src/kube/client.js';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../../src/kube/testing/index.js';
import { skipWithout } from '../../servers/availability.js';
import { helm, helmAvailable, HELM_PROGRAMS } from '../../servers/helm.js';
import { INSTALL_KIND_CRDS } from './fake-kinds.js';

const root = join(import.meta.dirname, '..', '..', '..');
const chart = join(root, 'deploy', 'helm', 'tide');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: { group: 'monitoring.coreos.com', scope: 'Namespaced', names: { kind: 'ServiceMonitor', plural: 'servicemonitors', singular: 'servicemonitor', listKind: 'ServiceMonitorList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
} as unknown as KubeObject;

function template(args: readonly string[] = []): Manifest[] {
  const text = helm(['template', 'tide', chart, '--namespace', 'keda', '--include-crds', ...args]);
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest | null).filter((d): d is Manifest => d !== null);
}

const key = (o: Manifest): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const find = (objects: readonly Manifest[], kind: string, name: string): Record<string, unknown> => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
interface PodSpec { containers: Record<string, unknown>[]; tolerations?: unknown; nodeSelector?: unknown; securityContext?: unknown }
const pod = (objects: readonly Manifest[], name: string): PodSpec => (find(objects, 'Deployment', name) as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const withoutFields = (o: Record<string, unknown>, ...fields: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => !fields.includes(k)));

describe.skipIf(!helmAvailable() || skipWithout(...HELM_PROGRAMS))('helm chart deploy/helm/tide', () => {
  const generated = installManifests(installOptions({ version }));
  let rendered: Manifest[];
  let api: FakeApiServer;
  let temp: string;

  beforeAll(async () => {
    rendered = template();
    api = await startFakeApiServer({ crds: [...INSTALL_KIND_CRDS, SERVICE_MONITOR_CRD] });
    temp = mkdtempSync(join(tmpdir(), 'tide-helm-'));
  }, 120_000);
  afterAll(async () => {
    await api.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  it('passes helm lint --strict, and its appVersion is tide\'s version', () => {
    expect(helm(['lint', '--strict', chart])).toContain('0 chart(s) failed');
    expect((parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion).toBe(version);
  });

  it('renders the generator\'s objects (the Namespace is helm\'s --create-namespace)', () => {
    expect(rendered.map(key).sort()).toEqual(generated.filter((o) => o.kind !== 'Namespace').map(key).sort());
    for (const o of rendered) expect((o.metadata.labels ?? {})['app.kubernetes.io/part-of'], key(o)).toBe('tide');
  });

  it('with the same rules, bindings, services, APIService and webhooks', () => {
    for (const o of generated.filter((g) => ['ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding', 'Service', 'APIService', 'ValidatingWebhookConfiguration', 'CustomResourceDefinition'].includes(g.kind))) {
      const chartObject = find(rendered, o.kind, o.metadata.name);
      expect(withoutFields(chartObject, 'metadata'), key(o)).toEqual(withoutFields(o, 'metadata'));
    }
  });

  it('and the same containers and pod settings', () => {
    for (const name of ['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks']) {
      expect(pod(rendered, name), name).toEqual(pod(generated, name));
      expect(find(rendered, 'Deployment', name)).toMatchObject({ spec: { replicas: 1, selector: { matchLabels: { app: name } } } });
    }
  });

  it('follows non-default values', () => {
    const values = join(temp, 'values.yaml');
    writeFileSync(values, [
      'image: { operator: { repository: registry.example/tide, tag: "9.9" }, pullPolicy: Always }',
      'operator: { replicaCount: 2 }',
      'webhooks: { enabled: false }',
      'watchNamespace: apps',
      'logLevel: debug',
      'tolerations: [{ key: dedicated, operator: Equal, value: keda, effect: NoSchedule }]',
      'nodeSelector: { pool: system }',
      'affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: pool, operator: In, values: [system] }] }] } } }',
      'resources: { operator: { requests: { cpu: 200m, memory: 200Mi }, limits: { cpu: "2", memory: 2Gi } } }',
      'ports: { metricsService: 9777 }',
      'prometheus: { operator: { serviceMonitor: { enabled: true, interval: 30s, additionalLabels: { release: prom } } } }',
    ].join('\n'));
    const objects = template(['--values', values]);
    expect(objects.filter((o) => o.metadata.name.includes('admission'))).toEqual([]);
    expect(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'keda-webhook')).toBe(false);
    const operator = pod(objects, 'keda-operator');
    expect(operator.containers[0]).toMatchObject({ image: 'registry.example/tide:9.9', imagePullPolicy: 'Always', resources: { limits: { cpu: '2', memory: '2Gi' } } });
    expect(operator.containers[0]?.['env']).toEqual(expect.arrayContaining([{ name: 'WATCH_NAMESPACE', value: 'apps' }, { name: 'TIDE_LOG_LEVEL', value: 'debug' }]) as unknown[]);
    expect(operator.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'keda', effect: 'NoSchedule' }]);
    // helm merges maps into the defaults: `kubernetes.io/os: null` in values would drop the default.
    expect(operator.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'system' });
    expect(pod(objects, 'keda-metrics-apiserver').containers[0]).toMatchObject({ image: `ghcr.io/tide-dev/tide:${version}`, args: expect.arrayContaining(['--metrics-service-address=keda-operator.keda.svc.cluster.local:9777']) as string[] });
    expect(find(objects, 'Deployment', 'keda-operator')).toMatchObject({ spec: { replicas: 2 } });
    expect(find(objects, 'ServiceMonitor', 'keda-operator')).toMatchObject({ metadata: { labels: { release: 'prom' } }, spec: { endpoints: [{ port: 'metrics', interval: '30s' }] } });
    applied.push(...objects);
  });

  it('certificates.certManager.enabled: KEDA\'s cert-manager objects, injected caBundles, the Secret mounted and the operator\'s rotation off', () => {
    const objects = template(['--set', 'certificates.certManager.enabled=true', '--set', 'clusterDomain=corp.local']);
    expect(objects.filter((o) => o.apiVersion === 'cert-manager.io/v1').map(key).sort()).toEqual([
      'Certificate/keda/keda-operator-ca', 'Certificate/keda/keda-operator-tls-certificates', 'Issuer/keda/keda-operator-issuer', 'Issuer/keda/keda-operator-selfsigned-issuer',
    ]);
    expect(find(objects, 'Certificate', 'keda-operator-ca')).toMatchObject({ spec: { isCA: true, secretName: 'kedaorg-ca', issuerRef: { name: 'keda-operator-selfsigned-issuer', kind: 'Issuer' } } });
    expect(find(objects, 'Issuer', 'keda-operator-issuer')).toMatchObject({ spec: { ca: { secretName: 'kedaorg-ca' } } });
    const serving = find(objects, 'Certificate', 'keda-operator-tls-certificates') as { spec: { secretName: string; dnsNames: string[]; usages: string[]; issuerRef: unknown } };
    expect(serving.spec).toMatchObject({ secretName: 'kedaorg-certs', usages: ['server auth', 'client auth'], issuerRef: { name: 'keda-operator-issuer', kind: 'Issuer', group: 'cert-manager.io' } });
    expect(serving.spec.dnsNames).toEqual(expect.arrayContaining(['keda-operator.keda.svc.corp.local', 'keda-metrics-apiserver.keda.svc', 'keda-admission-webhooks.keda.svc.corp.local']) as string[]);
    for (const [kind, name] of [['APIService', 'v1beta1.external.metrics.k8s.io'], ['ValidatingWebhookConfiguration', 'keda-admission']] as const) {
      expect(find(objects, kind, name), name).toMatchObject({ metadata: { annotations: { 'cert-manager.io/inject-ca-from': 'keda/keda-operator-ca' } } });
    }
    const operatorArgs = pod(objects, 'keda-operator').containers[0]?.['args'] as string[];
    expect(operatorArgs).toContain('--enable-cert-rotation=false');
    expect(operatorArgs).toContain('--k8s-cluster-domain=corp.local');
    for (const name of ['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks']) {
      const spec = pod(objects, name) as PodSpec & { volumes: unknown[] };
      expect(spec.containers[0]?.['args'], name).toContain('--cert-dir=/certs');
      expect(spec.containers[0]?.['volumeMounts'], name).toContainEqual({ name: 'certificates', mountPath: '/certs', readOnly: true });
      expect(spec.volumes, name).toContainEqual({ name: 'certificates', secret: { secretName: 'kedaorg-certs', defaultMode: 420 } });
    }
    // Defaults: the operator rotates, nothing is mounted, no annotations.
    expect(pod(rendered, 'keda-operator').containers[0]?.['args']).toContain('--enable-cert-rotation=true');
    expect(JSON.stringify(rendered)).not.toContain('cert-manager.io');
    expect(JSON.stringify(rendered)).not.toContain('--cert-dir');

    // A CA of one's own (generateCA false) and an existing issuer.
    const own = template(['--set', 'certificates.certManager.enabled=true', '--set', 'certificates.certManager.generateCA=false', '--set', 'certificates.certManager.issuer.generate=false', '--set', 'certificates.certManager.issuer.name=corp-ca']);
    expect(own.filter((o) => o.apiVersion === 'cert-manager.io/v1').map(key)).toEqual(['Certificate/keda/keda-operator-tls-certificates']);
    expect(find(own, 'Certificate', 'keda-operator-tls-certificates')).toMatchObject({ spec: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } });
    expect(find(own, 'APIService', 'v1beta1.external.metrics.k8s.io')).toMatchObject({ metadata: { annotations: { 'cert-manager.io/inject-ca-from-secret': 'keda/kedaorg-ca' } } });
    // autoGenerated false, no cert-manager: the user's Secret is mounted, nobody issues.
    const given = template(['--set', 'certificates.autoGenerated=false']);
    expect(pod(given, 'keda-operator').containers[0]?.['args']).toEqual(expect.arrayContaining(['--enable-cert-rotation=false', '--cert-dir=/certs']) as string[]);
    expect(given.some((o) => o.apiVersion === 'cert-manager.io/v1')).toBe(false);
    applied.push(...objects.filter((o) => o.apiVersion !== 'cert-manager.io/v1'));
  });

  const applied: Manifest[] = [];
  it('every rendered object applies to the fake API server (default and other values)', async () => {
    const client = new KubeClient(loadKubeconfig({ env: {}, path: writeKubeconfig() }));
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
    for (const object of [...rendered, ...applied]) {
      if (object.kind === 'ServiceMonitor') continue; // no REST mapping in the CLI's client; applied below
      await client.apply(object);
      expect(api.cluster.get(object.apiVersion, object.kind, object.metadata.namespace ?? '', object.metadata.name), key(object)).toBeDefined();
    }
    const monitor = applied.find((o) => o.kind === 'ServiceMonitor');
    expect(monitor).toBeDefined();
    if (monitor !== undefined) api.cluster.create(monitor);
  });

  function writeKubeconfig(): string {
    const path = join(temp, 'kubeconfig');
    writeFileSync(path, api.kubeconfig);
    return path;
  }
});
