// `tide kubernetes deploy --dry-run` golden files: the exact YAML for a v3 queue app (KEDA's
// hello-world), a v4 app, an HTTP app, a timer app and a mixed app, plus the facts the issue names,
// asserted on the parsed documents so a golden file rewritten by mistake still fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateObject } from '../../src/api/validate.js';
import { runKubernetes } from '../../src/cli/kubernetes.js';

const home = mkdtempSync(join(tmpdir(), 'tide-deploy-home-'));
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/deploy/${name}`, import.meta.url));

interface Doc {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** Runs deploy --dry-run in `app` with deterministic keys; returns stdout, stderr and the parsed documents. */
async function dryRun(app: string, ...extra: string[]): Promise<{ code: number; out: string; err: string; docs: Doc[] }> {
  let out = '';
  let err = '';
  let n = 0;
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false, cwd: fixture(app), env: { HOME: home } };
  const code = await runKubernetes(['deploy', '--name', 'hello', '--registry', 'localhost:5000', '--dry-run', ...extra], io, { generateKey: (key) => `test-${key}-${n++}` });
  return { code, out, err, docs: parseAllDocuments(out).map((d) => d.toJS() as Doc | null).filter((d): d is Doc => d !== null) };
}

const kinds = (docs: Doc[]): string[] => docs.map((d) => `${d.kind}/${d.metadata.name}`);
type Container = { env: { name: string; value: string }[]; image: string };
const container = (d: Doc | undefined): Container => ((d?.spec?.['template'] as { spec: { containers: Container[] } }).spec.containers[0] as Container);

describe('tide kubernetes deploy --dry-run (golden files)', () => {
  it('v3 queue app (KEDA hello-world): Secret, Deployment with AzureFunctionsJobHost__functions__0, azure-queue ScaledObject', async () => {
    const { code, out, docs } = await dryRun('v3-queue');
    expect(code).toBe(0);
    await expect(out).toMatchFileSnapshot('golden/v3-queue.yaml');
    expect(kinds(docs)).toEqual(['Secret/hello', 'Deployment/hello', 'ScaledObject/hello']);
    expect(container(docs[1]).env).toEqual([{ name: 'AzureFunctionsJobHost__functions__0', value: 'QueueTrigger' }]);
    expect(container(docs[1]).image).toBe('localhost:5000/hello:latest');
    expect(docs[2]?.spec?.['triggers']).toEqual([{ type: 'azure-queue', name: 'QueueTrigger', metadata: { queueName: 'js-queue-items', connectionFromEnv: 'AzureWebJobsStorage' } }]);
    expect(validateObject(docs[2])).toEqual([]);
    expect(out.endsWith('---\n')).toBe(true);
  });

  it('v4 app: the same objects, functions found through @azure/functions registrations', async () => {
    const { code, out, docs } = await dryRun('v4-queue');
    expect(code).toBe(0);
    await expect(out).toMatchFileSnapshot('golden/v4-queue.yaml');
    expect(kinds(docs)).toEqual(['Secret/hello', 'Deployment/hello', 'ScaledObject/hello']);
    expect(container(docs[1]).env).toEqual([{ name: 'AzureFunctionsJobHost__functions__0', value: 'queueWorker' }]);
    expect(docs[2]?.spec?.['triggers']).toEqual([{ type: 'azure-queue', name: 'queueWorker', metadata: { queueName: 'js-queue-items', connectionFromEnv: 'AzureWebJobsStorage' } }]);
  });

  it('HTTP app: keys Secret, RBAC, Service and the -http Deployment; no ScaledObject', async () => {
    const { code, out, docs } = await dryRun('http');
    expect(code).toBe(0);
    await expect(out).toMatchFileSnapshot('golden/http.yaml');
    expect(kinds(docs)).toEqual([
      'Secret/hello', 'Secret/func-keys-kube-secret-hello', 'ServiceAccount/hello-function-keys-identity-svc-act', 'Role/functions-keys-manager-role',
      'RoleBinding/hello-function-keys-identity-svc-act-functions-keys-manager-rolebinding', 'Service/hello-http', 'Deployment/hello-http',
    ]);
    expect(Object.keys(docs[1]?.data ?? {})).toEqual(['host.master', 'host.function.default', 'host.systemKey.default', 'functions.hello.default']);
    expect(container(docs[6]).env.map((e) => e.name)).toEqual(['AzureFunctionsJobHost__functions__0', 'AzureWebJobsSecretStorageType', 'AzureWebJobsKubernetesSecretName']);
  });

  it('timer app: cron triggers from 1 minute before each run to functionTimeout (10 min) after it, in WEBSITE_TIME_ZONE', async () => {
    const { code, out, docs } = await dryRun('timer');
    expect(code).toBe(0);
    await expect(out).toMatchFileSnapshot('golden/timer.yaml');
    const so = docs.find((d) => d.kind === 'ScaledObject');
    expect(so?.spec?.['minReplicaCount']).toBeUndefined();
    expect(so?.spec?.['triggers']).toEqual([
      { type: 'cron', name: 'Hourly', metadata: { timezone: 'Europe/Berlin', start: '59 * * * *', end: '10 * * * *', desiredReplicas: '1' } },
      { type: 'cron', name: 'Nightly', metadata: { timezone: 'Europe/Berlin', start: '29 2 * * *', end: '40 2 * * *', desiredReplicas: '1' } },
    ]);
    expect(validateObject(so)).toEqual([]);
  });

  it('mixed app: HTTP and scaled Deployments; the scaler reads ScalerValues through a TriggerAuthentication; the trigger with no scaler is named and skipped', async () => {
    const { code, out, err, docs } = await dryRun('mixed');
    expect(code).toBe(0);
    await expect(out).toMatchFileSnapshot('golden/mixed.yaml');
    expect(err).toContain('Changes: cosmosDBTrigger has no KEDA scaler; it is not scaled');
    expect(err).toContain('Cleanup: keeps one replica: "0 */5 * * * *" fires more than once per 10 minutes');
    expect(kinds(docs).slice(-4)).toEqual(['Deployment/hello', 'Secret/hello-scaler', 'TriggerAuthentication/hello-scaler', 'ScaledObject/hello']);
    const so = docs.find((d) => d.kind === 'ScaledObject');
    expect(so?.spec?.['minReplicaCount']).toBe(1);
    expect(so?.spec?.['triggers']).toEqual([{ type: 'azure-queue', name: 'Orders', metadata: { queueName: 'orders' }, authenticationRef: { name: 'hello-scaler' } }]);
    const ta = docs.find((d) => d.kind === 'TriggerAuthentication');
    expect(ta?.spec).toEqual({ secretTargetRef: [{ parameter: 'connection', name: 'hello-scaler', key: 'OrdersStorage' }] });
    expect(validateObject(ta)).toEqual([]);
    expect(validateObject(so)).toEqual([]);
    // The scaler's read-only key is only in the scaler Secret; the app's Secret keeps the app's key.
    const decode = (d: Doc | undefined, k: string): string => Buffer.from(d?.data?.[k] ?? '', 'base64').toString('utf8');
    expect(decode(docs.find((d) => d.metadata.name === 'hello-scaler'), 'OrdersStorage')).toContain('read-only-key');
    expect(decode(docs[0], 'OrdersStorage')).toContain('app-key');
    expect(Object.values(docs[0]?.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8')).join()).not.toContain('read-only-key');
  });
});
