// tide kubernetes deploy/delete against the in-repo fake API server (real HTTP, server-side apply,
// KEDA CRDs, simulated Deployment controller), and the bad inputs of the issue.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { InputError } from '../../src/cli/io.js';
import { runKubernetes, type KubernetesDeps } from '../../src/cli/kubernetes.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';

const temp = mkdtempSync(join(tmpdir(), 'tide-kube-cli-'));
let server: FakeApiServer;
let kubeconfig: string;
/**
 * The fake API server has no rbac.authorization.k8s.io types yet; they are registered here as
 * schemaless CRDs of the same group, version and names, which is all server-side apply needs.
 */
const rbacCrds = ['Role', 'RoleBinding'].map((kind) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.rbac.authorization.k8s.io` },
  spec: {
    group: 'rbac.authorization.k8s.io',
    scope: 'Namespaced',
    names: { kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
}));

beforeAll(async () => {
  server = await startFakeApiServer({ crds: rbacCrds });
  kubeconfig = join(temp, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig);
});
afterAll(async () => {
  await server.stop();
  rmSync(temp, { recursive: true, force: true });
});

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/deploy/${name}`, import.meta.url));

/** A copy of a fixture app, so a test may edit it. */
function appCopy(name: string): string {
  const dir = mkdtempSync(join(temp, `${name}-`));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

async function run(cwd: string, args: string[], deps: KubernetesDeps = {}, config = kubeconfig): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false, cwd, env: { HOME: temp, KUBECONFIG: config } };
  try {
    return { code: await runKubernetes(args, io, deps), out, err };
  } catch (error) {
    // What main() does with an InputError.
    if (!(error instanceof InputError)) throw error;
    return { code: 1, out, err: `${err}${error.message}\n` };
  }
}

async function runMain(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd, env: { HOME: temp, KUBECONFIG: kubeconfig } });
  return { code, out, err };
}

const get = (apiVersion: string, kind: string, name: string, namespace = 'default') => server.cluster.get(apiVersion, kind, namespace, name);
const managers = (obj: { metadata: { managedFields?: unknown } } | undefined) => ((obj?.metadata.managedFields ?? []) as { manager?: string; operation?: string }[]).map((m) => `${m.manager ?? ''}/${m.operation ?? ''}`);

const MIXED_OBJECTS: [string, string, string][] = [
  ['v1', 'Secret', 'hello'],
  ['v1', 'Secret', 'func-keys-kube-secret-hello'],
  ['v1', 'ServiceAccount', 'hello-function-keys-identity-svc-act'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'functions-keys-manager-role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'hello-function-keys-identity-svc-act-functions-keys-manager-rolebinding'],
  ['v1', 'Service', 'hello-http'],
  ['apps/v1', 'Deployment', 'hello-http'],
  ['apps/v1', 'Deployment', 'hello'],
  ['v1', 'Secret', 'hello-scaler'],
  ['keda.sh/v1alpha1', 'TriggerAuthentication', 'hello-scaler'],
  ['keda.sh/v1alpha1', 'ScaledObject', 'hello'],
];

describe('tide kubernetes deploy against the fake API server', () => {
  afterEach(async () => {
    await run(fixture('mixed'), ['delete', '--name', 'hello']);
    await run(fixture('mixed'), ['delete', '--name', 'hello', '--namespace', 'apps']);
  });

  it('--image-name: every object exists afterwards, written by field manager tide; delete removes them (the shared Role stays)', async () => {
    const deployed = await run(fixture('mixed'), ['deploy', '--name', 'hello', '--image-name', 'localhost:5000/hello:v1', '--wait']);
    expect(deployed.err).not.toContain('failed');
    expect(deployed.code).toBe(0);
    for (const [apiVersion, kind, name] of MIXED_OBJECTS) {
      const obj = get(apiVersion, kind, name);
      expect(obj, `${kind}/${name}`).toBeDefined();
      // The ServiceAccount's applied configuration is only its name: no field for a manager to own.
      if (kind !== 'ServiceAccount') expect(managers(obj), `${kind}/${name}`).toContain('tide/Apply');
    }
    expect(deployed.err).toContain('scaledobject.keda.sh/hello serverside-applied');
    expect(deployed.err).toContain('deployment.apps/hello-http available');
    expect(deployed.out).toContain('Hello: http://');
    const deploymentImage = (get('apps/v1', 'Deployment', 'hello') as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image;
    expect(deploymentImage).toBe('localhost:5000/hello:v1');

    const deleted = await run(fixture('mixed'), ['delete', '--name', 'hello']);
    expect(deleted.code).toBe(0);
    for (const [apiVersion, kind, name] of MIXED_OBJECTS.filter(([, k]) => k !== 'Role')) expect(get(apiVersion, kind, name), `${kind}/${name}`).toBeUndefined();
    expect(get('rbac.authorization.k8s.io/v1', 'Role', 'functions-keys-manager-role')).toBeDefined();
    expect(deleted.err).toContain('scaledobject.keda.sh/hello deleted');
  });

  it('a redeploy keeps the function keys already in the cluster; a missing namespace is created', async () => {
    const args = ['deploy', '--name', 'hello', '--image-name', 'localhost:5000/hello:v1', '--namespace', 'apps'];
    expect((await run(fixture('http'), args)).code).toBe(0);
    const first = get('v1', 'Secret', 'func-keys-kube-secret-hello', 'apps')?.['data'];
    expect(get('v1', 'Namespace', 'apps', '')).toBeDefined();
    expect((await run(fixture('http'), args)).code).toBe(0);
    expect(get('v1', 'Secret', 'func-keys-kube-secret-hello', 'apps')?.['data']).toEqual(first);
    await run(fixture('http'), ['delete', '--name', 'hello', '--namespace', 'apps']);
  });

  it('--registry without --dry-run builds and pushes <registry>/<name>:latest before applying', async () => {
    const built: string[] = [];
    const result = await run(fixture('v3-queue'), ['deploy', '--name', 'hello', '--registry', 'localhost:5000'], {
      buildImage: (o) => {
        built.push(`${o.image} insecure=${String(o.insecure)} ${o.appDir}`);
        return Promise.resolve({ image: o.image, digest: 'sha256:0' });
      },
    });
    expect(result.code).toBe(0);
    expect(built).toEqual([`localhost:5000/hello:latest insecure=true ${fixture('v3-queue')}`]);
    expect(get('keda.sh/v1alpha1', 'ScaledObject', 'hello')).toBeDefined();
    await run(fixture('v3-queue'), ['delete', '--name', 'hello']);
  });

  it('an object the cluster refuses stops the deploy before anything is written', async () => {
    // No keda.sh CRDs on this server: the ScaledObject is refused in the dry-run pass.
    const bare = await startFakeApiServer({ kedaCrds: false, crds: rbacCrds });
    try {
      const config = join(temp, 'bare-kubeconfig');
      writeFileSync(config, bare.kubeconfig);
      const result = await run(fixture('v3-queue'), ['deploy', '--name', 'hello', '--image-name', 'img:1'], {}, config);
      expect(result.code).toBe(1);
      expect(result.err).toContain('scaledobject.keda.sh/hello');
      expect(result.err).toContain('nothing was applied');
      expect(bare.cluster.get('v1', 'Secret', 'default', 'hello')).toBeUndefined();
      expect(bare.cluster.get('apps/v1', 'Deployment', 'default', 'hello')).toBeUndefined();
    } finally {
      await bare.stop();
    }
  });
});

describe('tide kubernetes: bad input', () => {
  it('an app with no functions: exit 1, nothing deployed', async () => {
    const dir = mkdtempSync(join(temp, 'empty-'));
    writeFileSync(join(dir, 'host.json'), '{"version": "2.0"}');
    const result = await runMain(dir, ['kubernetes', 'deploy', '--name', 'empty', '--image-name', 'img:1']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('the app has no functions');
    expect(get('v1', 'Secret', 'empty')).toBeUndefined();
  });

  it('a setting missing from local.settings.json: exit 1 naming the function, the option and the setting', async () => {
    const dir = appCopy('v3-queue');
    writeFileSync(join(dir, 'local.settings.json'), '{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "node"}}');
    const result = await runMain(dir, ['kubernetes', 'deploy', '--name', 'hello', '--registry', 'localhost:5000', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('functions.QueueTrigger.connection: connection setting "AzureWebJobsStorage" is not set');
    expect(result.out).toBe('');
  });

  it('an unreachable cluster: exit 3 before anything is built', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0); });
      });
    });
    const config = join(temp, 'closed-kubeconfig');
    writeFileSync(config, server.kubeconfig.replace(server.url, `http://127.0.0.1:${port}`));
    let built = false;
    const result = await run(fixture('v3-queue'), ['deploy', '--name', 'hello', '--registry', 'localhost:5000'], { buildImage: () => { built = true; return Promise.resolve({ image: '', digest: '' }); } }, config);
    expect(result.code).toBe(3);
    expect(result.err).toContain(`cannot reach the cluster at http://127.0.0.1:${port}`);
    expect(built).toBe(false);
  });

  it.each([
    { args: ['deploy', '--registry', 'r'], text: '--name is required' },
    { args: ['deploy', '--name', 'Hello', '--registry', 'r'], text: 'must be at most 253 characters of a-z' },
    { args: ['deploy', '--name', 'hello'], text: 'one of --registry' },
    { args: ['deploy', '--name', 'hello', '--registry', 'r', '--service-type', 'Ingress'], text: '--service-type must be one of LoadBalancer, ClusterIP, NodePort' },
    { args: ['deploy', '--name', 'hello', '--registry', 'r', '--http-scaling', 'prometheus'], text: 'needs --prometheus-url' },
    { args: ['deploy', '--name', 'hello', '--registry', 'r', '--min-replicas', '3', '--max-replicas', '2'], text: 'greater than --max-replicas' },
    { args: ['launch', '--name', 'hello'], text: 'unknown subcommand "launch"' },
  ])('usage error $text: exit 2', async ({ args, text }) => {
    const result = await runMain(fixture('v3-queue'), ['kubernetes', ...args]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(text);
  });

  it('--keda-version V1 is refused with the reason (exit 1)', async () => {
    const result = await runMain(fixture('v3-queue'), ['kubernetes', 'deploy', '--name', 'hello', '--registry', 'r', '--dry-run', '--keda-version', 'V1']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('tide serves keda.sh/v1alpha1');
  });
});
