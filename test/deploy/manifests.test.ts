// appManifests and its generators by table: the func flags that change objects, and tide's additions.
import { describe, expect, it } from 'vitest';
import { validateObject } from '../../src/api/validate.js';
import type { FunctionDefinition } from '../../src/app/function-model.js';
import { parseHostJson } from '../../src/app/host-json.js';
import { EMPTY_LOCAL_SETTINGS } from '../../src/app/local-settings.js';
import { appManifests } from '../../src/deploy/app-manifests.js';
import type { DeployOptions, Manifest } from '../../src/deploy/manifest.js';
import { scalerAuthentication } from '../../src/deploy/trigger-authentication.js';

const fn = (name: string, type: string, options: Record<string, unknown> = {}): FunctionDefinition => ({
  name,
  trigger: { name: 'x', type, direction: 'in', options },
  bindings: [],
  disabled: false,
  source: { model: 'v3', scriptFile: 'index.js', directory: name },
});

const base: DeployOptions = { name: 'app', namespace: 'ns', image: 'reg/app:1', keysSecretName: 'func-keys-kube-secret-app', keySecretAnnotations: {}, mountKeys: false, settings: { kind: 'secret' }, serviceType: 'LoadBalancer' };
const values = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', Other: 'DefaultEndpointsProtocol=https;AccountName=o;AccountKey=k' };
const app = { functions: [fn('Web', 'httpTrigger'), fn('Work', 'queueTrigger', { queueName: 'q' })], localSettings: { ...EMPTY_LOCAL_SETTINGS, values }, hostJson: parseHostJson('{"version":"2.0"}', {}).hostJson };
const keys = (k: string): string => `k-${k}`;
const find = (objects: Manifest[], kind: string, name: string): Record<string, unknown> | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name);
const podSpec = (d: Record<string, unknown> | undefined): Record<string, unknown> => ((d?.['spec'] as { template: { spec: Record<string, unknown> } }).template.spec);

describe('appManifests', () => {
  it('--use-config-map writes a ConfigMap with plain values; --secret-name references an existing Secret and writes none', () => {
    const cm = appManifests({ app, options: { ...base, settings: { kind: 'config-map' } }, generateKey: keys });
    expect(find(cm.objects, 'ConfigMap', 'app')?.['data']).toEqual({ ...values, FUNCTIONS_WORKER_RUNTIME: 'node' });
    expect(podSpec(find(cm.objects, 'Deployment', 'app'))['containers']).toMatchObject([{ envFrom: [{ configMapRef: { name: 'app' } }] }]);
    const existing = appManifests({ app, options: { ...base, settings: { kind: 'existing-secret', name: 'mine' } }, generateKey: keys });
    expect(find(existing.objects, 'Secret', 'app')).toBeUndefined();
    expect(podSpec(find(existing.objects, 'Deployment', 'app-http'))['containers']).toMatchObject([{ envFrom: [{ secretRef: { name: 'mine' } }] }]);
  });

  it('--mount-funckeys-as-containervolume: no RBAC, the keys volume on every Deployment, no AzureWebJobsKubernetesSecretName', () => {
    const result = appManifests({ app, options: { ...base, mountKeys: true, pullSecret: 'pull' }, generateKey: keys });
    expect(result.objects.map((o) => o.kind)).not.toContain('Role');
    for (const name of ['app', 'app-http']) {
      const spec = podSpec(find(result.objects, 'Deployment', name));
      expect(spec['volumes']).toEqual([{ name: 'functions-keys-volume', secret: { secretName: 'func-keys-kube-secret-app' } }]);
      expect(spec['imagePullSecrets']).toEqual([{ name: 'pull' }]);
      expect(spec['serviceAccountName']).toBeUndefined();
    }
    expect(JSON.stringify(find(result.objects, 'Deployment', 'app-http'))).not.toContain('AzureWebJobsKubernetesSecretName');
  });

  it('min/max replicas, polling and cooldown go to the ScaledObject; min also sets the Deployment replicas', () => {
    const result = appManifests({ app, options: { ...base, minReplicas: 2, maxReplicas: 7, pollingInterval: 5, cooldownPeriod: 60 }, generateKey: keys });
    expect(find(result.objects, 'ScaledObject', 'app')?.['spec']).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 7, pollingInterval: 5, cooldownPeriod: 60 });
    expect(find(result.objects, 'Deployment', 'app')?.['spec']).toMatchObject({ replicas: 2 });
    expect(find(result.objects, 'Deployment', 'app-http')?.['spec']).toMatchObject({ replicas: 1 });
  });

  it('--http-scaling prometheus: a valid ScaledObject app-http on the HTTP functions request rate, 1..max', () => {
    const result = appManifests({ app, options: { ...base, maxReplicas: 9, httpScaling: { prometheusUrl: 'http://prom:9090', target: 50 } }, generateKey: keys });
    const so = find(result.objects, 'ScaledObject', 'app-http');
    expect(so?.['spec']).toEqual({
      scaleTargetRef: { name: 'app-http' },
      minReplicaCount: 1,
      maxReplicaCount: 9,
      triggers: [{ type: 'prometheus', name: 'http-requests', metadata: { serverAddress: 'http://prom:9090', query: 'sum(rate(tide_function_executions_total{function=~"Web"}[1m]))', threshold: '50' } }],
    });
    expect(validateObject(so)).toEqual([]);
  });

  it('keys already in the cluster are kept; names the app no longer has are dropped; key annotations are written', () => {
    const result = appManifests({ app, options: { ...base, keySecretAnnotations: { team: 'a' } }, generateKey: keys, existingKeys: { 'host.master': 'old', 'functions.gone.default': 'x' } });
    const secret = find(result.objects, 'Secret', 'func-keys-kube-secret-app');
    const data = Object.fromEntries(Object.entries(secret?.['data'] as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(data).toEqual({ 'host.master': 'old', 'host.function.default': 'k-host.function.default', 'host.systemKey.default': 'k-host.systemKey.default', 'functions.web.default': 'k-functions.web.default' });
    expect((secret?.['metadata'] as { annotations?: unknown }).annotations).toEqual({ team: 'a' });
  });

  it('an app with only unscaled triggers deploys with one replica and no ScaledObject', () => {
    const result = appManifests({ app: { ...app, functions: [fn('Docs', 'cosmosDBTrigger')] }, options: base, generateKey: keys });
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => o.kind)).toEqual(['Secret', 'Deployment']);
    expect(find(result.objects, 'Deployment', 'app')?.['spec']).toMatchObject({ replicas: 1 });
    expect(result.notes.join('\n')).toContain('Docs: cosmosDBTrigger has no KEDA scaler');
  });
});

describe('scalerAuthentication', () => {
  const triggers = [
    { type: 'azure-queue', name: 'A', metadata: { queueName: 'a', connectionFromEnv: 'AzureWebJobsStorage' } },
    { type: 'azure-queue', name: 'B', metadata: { queueName: 'b', connectionFromEnv: 'Other' } },
    { type: 'azure-queue', name: 'C', metadata: { queueName: 'c', connectionFromEnv: 'Unrouted' } },
  ];

  it('two settings for the same parameter get two TriggerAuthentications; unrouted settings stay *FromEnv; unused values are noted', () => {
    const result = scalerAuthentication(base, triggers, { values: { AzureWebJobsStorage: 's1', Other: 's2', Unused: 'x' } });
    expect(result.triggers.map((t) => [t.authenticationRef?.name, t.metadata])).toEqual([
      ['app-scaler', { queueName: 'a' }],
      ['app-scaler-2', { queueName: 'b' }],
      [undefined, { queueName: 'c', connectionFromEnv: 'Unrouted' }],
    ]);
    expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Secret/app-scaler', 'TriggerAuthentication/app-scaler', 'TriggerAuthentication/app-scaler-2']);
    expect(Object.keys(result.objects[0]?.['data'] as object)).toEqual(['AzureWebJobsStorage', 'Other']);
    expect(result.notes).toEqual(['ScalerValues.Unused: no trigger reads this setting; it is not used']);
    for (const o of result.objects.slice(1)) expect(validateObject(o)).toEqual([]);
  });

  it('--scaler-secret-name alone routes every *FromEnv to the existing Secret and writes no Secret', () => {
    const result = scalerAuthentication(base, triggers.slice(0, 1), { values: {}, existingSecret: 'scaler-creds' });
    expect(result.objects).toEqual([{ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'app-scaler', namespace: 'ns' }, spec: { secretTargetRef: [{ parameter: 'connection', name: 'scaler-creds', key: 'AzureWebJobsStorage' }] } }]);
  });

  it('no credentials: triggers unchanged, no objects', () => {
    expect(scalerAuthentication(base, triggers, undefined)).toEqual({ triggers, objects: [], notes: [] });
  });
});
