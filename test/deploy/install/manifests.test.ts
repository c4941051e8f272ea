// The install objects: KEDA's names, the webhook paths tide serves, least-privilege bindings, and
// deploy/manifests/tide.yaml (plus the chart's crds/) kept in step with the generator.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { installManifests, installOptions, KEDA_WEBHOOKS } from '../../../src/deploy/install/index.js';
import { renderInstallYaml } from '../../../src/deploy/install/render.js';
import type { Manifest } from '../../../src/deploy/manifest.js';
import { WEBHOOK_PATHS } from '../../../src/webhooks/server.js';

const root = join(import.meta.dirname, '..', '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const names = (objects: readonly Manifest[], kind: string): string[] => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
const find = (objects: readonly Manifest[], kind: string, name: string): Record<string, unknown> => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
type Container = { image: string; args: string[]; ports: { containerPort: number }[]; env: { name: string; value?: string }[] };
const container = (objects: readonly Manifest[], name: string): Container =>
  (find(objects, 'Deployment', name) as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0] as Container;

describe('install manifests', () => {
  const objects = installManifests(installOptions({ version }));

  it('has KEDA object names', () => {
    expect(names(objects, 'Namespace')).toEqual(['keda']);
    expect(names(objects, 'CustomResourceDefinition').sort()).toEqual(['clustertriggerauthentications.keda.sh', 'scaledjobs.keda.sh', 'scaledobjects.keda.sh', 'triggerauthentications.keda.sh']);
    expect(names(objects, 'Deployment')).toEqual(['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks']);
    expect(names(objects, 'Service')).toEqual(['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks']);
    expect(names(objects, 'APIService')).toEqual(['v1beta1.external.metrics.k8s.io']);
    expect(names(objects, 'ValidatingWebhookConfiguration')).toEqual(['keda-admission']);
    expect(names(objects, 'Secret')).toEqual([]); // kedaorg-certs is the components' to issue
    expect(names(objects, 'ClusterRoleBinding')).toEqual(expect.arrayContaining(['keda-operator', 'keda-system-auth-delegator', 'keda-hpa-controller-external-metrics']) as string[]);
  });

  it('applies in dependency order: namespace and CRDs first, APIService and webhook configuration last', () => {
    const kinds = objects.map((o) => o.kind);
    expect(kinds[0]).toBe('Namespace');
    expect(kinds.lastIndexOf('CustomResourceDefinition')).toBeLessThan(kinds.indexOf('ServiceAccount'));
    expect(kinds.lastIndexOf('Deployment')).toBeLessThan(kinds.indexOf('APIService'));
    expect(kinds.at(-1)).toBe('ValidatingWebhookConfiguration');
  });

  it('webhook configuration: KEDA names, the paths tide webhooks serves, Ignore on failure', () => {
    const config = find(objects, 'ValidatingWebhookConfiguration', 'keda-admission') as { webhooks: { name: string; failurePolicy: string; clientConfig: { service: { name: string; namespace: string; path: string } }; rules: { resources: string[]; operations: string[] }[] }[] };
    expect(config.webhooks.map((w) => w.name)).toEqual(['vscaledobject.kb.io', 'vscaledjob.kb.io', 'vstriggerauthentication.kb.io', 'vsclustertriggerauthentication.kb.io']);
    expect(config.webhooks.map((w) => w.clientConfig.service.path).sort()).toEqual(Object.keys(WEBHOOK_PATHS).sort());
    for (const w of config.webhooks) {
      expect(w.failurePolicy).toBe('Ignore');
      expect(w.clientConfig.service).toMatchObject({ name: 'keda-admission-webhooks', namespace: 'keda' });
      expect(w.rules[0]?.operations).toEqual(['CREATE', 'UPDATE']);
    }
    expect(KEDA_WEBHOOKS.map((w) => w.resource)).toEqual(['scaledobjects', 'scaledjobs', 'triggerauthentications', 'clustertriggerauthentications']);
  });

  it('APIService points at keda-metrics-apiserver, whose Service maps 443 to 6443', () => {
    expect(find(objects, 'APIService', 'v1beta1.external.metrics.k8s.io')).toMatchObject({ spec: { group: 'external.metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { name: 'keda-metrics-apiserver', namespace: 'keda' } } });
    expect(find(objects, 'Service', 'keda-metrics-apiserver')).toMatchObject({ spec: { ports: [{ port: 443, targetPort: 6443 }, { port: 80, targetPort: 8080 }], selector: { app: 'keda-metrics-apiserver' } } });
  });

  it('one image, three commands with the flags the commands read', () => {
    const image = `ghcr.io/tide-dev/tide:${version}`;
    expect(container(objects, 'keda-operator')).toMatchObject({ image, args: ['operator', '--health-probe-bind-address=:8081', '--metrics-bind-address=:8080', '--enable-cert-rotation=true'] });
    expect(container(objects, 'keda-metrics-apiserver')).toMatchObject({ image, args: ['metrics-server', '--secure-port=6443', '--metrics-service-address=keda-operator.keda.svc.cluster.local:9666'] });
    expect(container(objects, 'keda-admission-webhooks')).toMatchObject({ image, args: ['webhooks', '--port=9443'] });
    expect(container(objects, 'keda-operator').ports.map((p) => p.containerPort)).toEqual([8080, 8081, 9666]);
  });

  it('the adapter alone may delegate auth and read the front-proxy CA; the HPA controller may read external metrics', () => {
    const subjectOf = (kind: string, name: string): unknown => (find(objects, kind, name) as { subjects: unknown[] }).subjects;
    expect(subjectOf('ClusterRoleBinding', 'keda-system-auth-delegator')).toEqual([{ kind: 'ServiceAccount', name: 'keda-metrics-server', namespace: 'keda' }]);
    expect(find(objects, 'RoleBinding', 'keda-auth-reader')).toMatchObject({ metadata: { namespace: 'kube-system' }, roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' } });
    expect(subjectOf('ClusterRoleBinding', 'keda-hpa-controller-external-metrics')).toEqual([{ kind: 'ServiceAccount', name: 'horizontal-pod-autoscaler', namespace: 'kube-system' }]);
    const webhookRules = (find(objects, 'ClusterRole', 'keda-admission-webhooks') as { rules: { verbs: string[] }[] }).rules;
    expect(webhookRules.flatMap((r) => r.verbs)).not.toContain('create');
  });

  it('options: namespace, per-component image, watch namespace, no webhooks', () => {
    const custom = installManifests(installOptions({ version, namespace: 'tide-system', image: 'r/tide:1', images: { webhooks: 'r/hooks:2' }, watchNamespace: 'apps', webhooks: false }));
    expect(names(custom, 'Deployment')).toEqual(['keda-operator', 'keda-metrics-apiserver']);
    expect(names(custom, 'ValidatingWebhookConfiguration')).toEqual([]);
    expect(custom.filter((o) => o.metadata.namespace !== undefined && o.metadata.name !== 'keda-auth-reader').every((o) => o.metadata.namespace === 'tide-system')).toBe(true);
    expect(container(custom, 'keda-operator').image).toBe('r/tide:1');
    expect(container(custom, 'keda-operator').args).toContain('--enable-webhook-patching=false'); // no keda-admission to patch
    expect(container(custom, 'keda-operator').env).toContainEqual({ name: 'WATCH_NAMESPACE', value: 'apps' });
    expect(find(custom, 'APIService', 'v1beta1.external.metrics.k8s.io')).toMatchObject({ spec: { service: { namespace: 'tide-system' } } });
    expect(installManifests(installOptions({ version, images: { webhooks: 'r/hooks:2' } })).some((o) => JSON.stringify(o).includes('r/hooks:2'))).toBe(true);
  });

  it('deploy/manifests/tide.yaml is current (run npm run manifests when this fails)', () => {
    const onDisk = readFileSync(join(root, 'deploy', 'manifests', 'tide.yaml'), 'utf8');
    expect(onDisk, 'deploy/manifests/tide.yaml is stale: run npm run manifests').toBe(renderInstallYaml(version));
    const docs = parseAllDocuments(onDisk).map((d) => d.toJS() as Manifest | null).filter((d) => d !== null);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  });

  it('the chart carries the same CRD files as deploy/crds (run npm run manifests when this fails)', () => {
    const crdDir = join(root, 'deploy', 'crds');
    const chartDir = join(root, 'deploy', 'helm', 'tide', 'crds');
    expect(readdirSync(chartDir).sort()).toEqual(readdirSync(crdDir).sort());
    for (const name of readdirSync(crdDir)) expect(readFileSync(join(chartDir, name), 'utf8'), name).toBe(readFileSync(join(crdDir, name), 'utf8'));
  });
});
