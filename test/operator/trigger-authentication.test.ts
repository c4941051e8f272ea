// The TriggerAuthentication side of `tide operator` on the fake cluster: status lists of users as KEDA
// writes them, and a changed (or late, or fixed) authentication reaching the ScaledObjects that use it.
// Reconcile retries back off for ten minutes here, so only the authentication's own change can make a
// failed ScaledObject ready again within the test.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scalerInstanceFactory } from '../../src/engine/loop-scalers.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';
import { startOperator, type RunningOperator } from '../../src/operator/operator.js';
import { waitFor } from '../e2e/cluster.js';

let server: FakeApiServer;
let operator: RunningOperator;
/** authParams each scaler was built with, in build order. */
const builds: Record<string, string>[] = [];
let seq = 0;

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
  operator = await startOperator({
    config: loadClientConfig({ kubeconfigYaml: server.kubeconfig }), qps: 0, version: 'test', clusterObjectNamespace: 'default',
    retryBaseMs: 600_000, retryMaxMs: 600_000,
    scalerFactory: (options) => {
      const inner = scalerInstanceFactory(options);
      return (trigger, context) => {
        builds.push({ ...options?.inputs?.(trigger).authParams });
        return inner(trigger, context);
      };
    },
  });
});

afterAll(async () => {
  await operator.stop();
  await server.stop();
});

const until = <T>(read: () => T | Promise<T>, check: (value: T) => boolean, what: string): Promise<T> => waitFor(read, check, what, 10000, 25);

const KEDA = 'keda.sh/v1alpha1';
const NEVER = { timezone: 'UTC', start: '0 0 1 1 *', end: '1 0 1 1 *', desiredReplicas: '1' };

function deploymentAndScaledObject(name: string, authenticationRef: { name: string; kind?: string }): void {
  server.cluster.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'w', image: 'w:1' }] } } },
  });
  server.cluster.create({
    apiVersion: KEDA, kind: 'ScaledObject', metadata: { name, namespace: 'default' },
    spec: { scaleTargetRef: { name }, pollingInterval: 30, triggers: [{ type: 'cron', metadata: NEVER, authenticationRef }] },
  });
}

function secret(name: string, value: string): void {
  server.cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, stringData: { pw: value } });
}

function auth(kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication', name: string, spec: Record<string, unknown>): void {
  server.cluster.create({ apiVersion: KEDA, kind, metadata: { name, ...(kind === 'TriggerAuthentication' ? { namespace: 'default' } : {}) }, spec });
}

function updateAuthSpec(name: string, spec: Record<string, unknown>): void {
  const current = server.cluster.get(KEDA, 'TriggerAuthentication', 'default', name) as KubeObject;
  server.cluster.update({ ...current, spec });
}

const authStatus = (kind: string, name: string): Record<string, unknown> | undefined =>
  server.cluster.get(KEDA, kind, kind === 'TriggerAuthentication' ? 'default' : '', name)?.status as Record<string, unknown> | undefined;
const ready = (name: string): { status?: string; message?: string } | undefined =>
  ((server.cluster.get(KEDA, 'ScaledObject', 'default', name)?.status as { conditions?: { type: string; status?: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
const secretRef = (secretName: string): Record<string, unknown> => ({ secretTargetRef: [{ parameter: 'password', name: secretName, key: 'pw' }] });

describe('TriggerAuthentication controller', () => {
  test("KEDA's finalizer on both kinds; a deletion is announced with <Kind>Deleted, then the object goes", async () => {
    const n = ++seq;
    auth('TriggerAuthentication', `fin${n}`, { env: [] });
    auth('ClusterTriggerAuthentication', `cfin${n}`, { env: [] });
    const get = (kind: string, name: string): KubeObject | undefined => server.cluster.get(KEDA, kind, kind === 'TriggerAuthentication' ? 'default' : '', name);
    const events = (name: string): string[] => server.cluster.list('v1', 'Event').filter((e) => (e['involvedObject'] as { name?: string }).name === name).map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
    for (const [kind, name] of [['TriggerAuthentication', `fin${n}`], ['ClusterTriggerAuthentication', `cfin${n}`]] as const) {
      await until(() => get(kind, name)?.metadata.finalizers, (f) => f?.includes('finalizer.keda.sh') === true, `${kind}'s finalizer`);
      server.cluster.delete(KEDA, kind, kind === 'TriggerAuthentication' ? 'default' : '', name);
      await until(() => get(kind, name), (o) => o === undefined, `${kind} gone`);
      await until(() => events(name), (e) => e.includes(`${kind}Deleted: ${kind} was deleted`), `the ${kind}Deleted event`);
    }
  });

  test('status.scaledobjects lists the users in the order they came, for both kinds; gone when unused; no write when nothing changed', async () => {
    const n = ++seq;
    secret(`s${n}`, 'x');
    auth('TriggerAuthentication', `ta${n}`, secretRef(`s${n}`));
    auth('ClusterTriggerAuthentication', `cta${n}`, { env: [] });
    deploymentAndScaledObject(`b${n}`, { name: `ta${n}` });
    deploymentAndScaledObject(`a${n}`, { name: `ta${n}` });
    await until(() => authStatus('TriggerAuthentication', `ta${n}`)?.scaledobjects, (s) => s === `a${n},b${n}`, 'both users');
    deploymentAndScaledObject(`c${n}`, { name: `ta${n}`, kind: 'TriggerAuthentication' });
    deploymentAndScaledObject(`d${n}`, { name: `cta${n}`, kind: 'ClusterTriggerAuthentication' });
    await until(() => authStatus('TriggerAuthentication', `ta${n}`)?.scaledobjects, (s) => s === `a${n},b${n},c${n}`, 'the third user appended');
    await until(() => authStatus('ClusterTriggerAuthentication', `cta${n}`)?.scaledobjects, (s) => s === `d${n}`, 'the cluster authentication\'s user');

    await operator.triggerAuthentications.queue.idle();
    const writes = operator.triggerAuthentications.writes;
    await operator.triggerAuthentications.reconcile(`TriggerAuthentication/default/ta${n}`);
    await operator.triggerAuthentications.reconcile(`ClusterTriggerAuthentication//cta${n}`);
    expect(operator.triggerAuthentications.writes).toBe(writes);

    server.cluster.delete(KEDA, 'ScaledObject', 'default', `a${n}`);
    await until(() => authStatus('TriggerAuthentication', `ta${n}`)?.scaledobjects, (s) => s === `b${n},c${n}`, 'the deleted user removed');
    server.cluster.delete(KEDA, 'ScaledObject', 'default', `d${n}`);
    await until(() => authStatus('ClusterTriggerAuthentication', `cta${n}`), (s) => s !== undefined && !('scaledobjects' in s), 'no field when unused');
  });

  test('a changed TriggerAuthentication rebuilds the scalers of its ScaledObjects with the new credentials', async () => {
    const n = ++seq;
    secret(`one${n}`, `first-${n}`);
    secret(`two${n}`, `second-${n}`);
    auth('TriggerAuthentication', `ta${n}`, secretRef(`one${n}`));
    deploymentAndScaledObject(`so${n}`, { name: `ta${n}` });
    await until(() => ready(`so${n}`)?.status, (s) => s === 'True', 'Ready');
    await until(() => builds.map((b) => b['password']), (p) => p.includes(`first-${n}`), 'the first build');
    updateAuthSpec(`ta${n}`, secretRef(`two${n}`));
    await until(() => builds.map((b) => b['password']), (p) => p.includes(`second-${n}`), 'a build with the new secret');
    expect(ready(`so${n}`)?.status).toBe('True');
  });

  test('a ScaledObject waiting for a missing TriggerAuthentication becomes ready when it is created', async () => {
    const n = ++seq;
    secret(`s${n}`, 'x');
    deploymentAndScaledObject(`so${n}`, { name: `late${n}` });
    const failed = await until(() => ready(`so${n}`), (r) => r?.status === 'False', 'Ready=False');
    expect(failed?.message).toContain(`TriggerAuthentication "default/late${n}"`);
    auth('TriggerAuthentication', `late${n}`, secretRef(`s${n}`));
    await until(() => ready(`so${n}`)?.status, (s) => s === 'True', 'Ready=True once the authentication exists');
  });

  test('an unsupported source gives Ready=False naming it; replacing it makes the ScaledObject ready', async () => {
    const n = ++seq;
    secret(`s${n}`, 'x');
    auth('TriggerAuthentication', `kv${n}`, { azureKeyVault: { vaultUri: 'https://v.vault.azure.net', secrets: [{ parameter: 'password', name: 'pw' }] } });
    deploymentAndScaledObject(`so${n}`, { name: `kv${n}` });
    const failed = await until(() => ready(`so${n}`), (r) => r?.status === 'False', 'Ready=False');
    expect(failed?.message).toContain('TriggerAuthentication "default/kv' + String(n) + '": azureKeyVault: Azure Key Vault is not supported by tide yet');
    updateAuthSpec(`kv${n}`, secretRef(`s${n}`));
    await until(() => ready(`so${n}`)?.status, (s) => s === 'True', 'Ready=True with a supported source');
  });
});
