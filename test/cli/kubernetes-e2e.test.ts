// Issue 9's "done when", end to end without Docker: `tide kubernetes deploy --name hello --registry
// 127.0.0.1:<port>` builds the app image with tide's own builder onto a base image in a real registry
// (Debian's docker-registry), pushes it, and applies the objects to the in-repo fake API server; the
// pushed image is checked with skopeo. `--image-name` in a folder without an app reads the functions from
// that image's layers through the registry.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/io.js';
import { runKubernetes, type KubernetesDeps } from '../../src/cli/kubernetes.js';
import { buildAndPushAppImage, RegistryClient } from '../../src/image/index.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import { skipWithout } from '../servers/availability.js';
import { REGISTRY_PROGRAMS, startRegistry, type RegistryServer } from '../servers/registry.js';
import { pushBaseImage } from '../image/fixtures.js';

const temp = mkdtempSync(join(tmpdir(), 'tide-kube-e2e-'));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/deploy/${name}`, import.meta.url));
const repoModules = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** As in kubernetes.test.ts: the fake has no rbac.authorization.k8s.io types, registered as schemaless CRDs. */
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

interface Container { image: string; env?: { name: string; value?: string }[] }
interface Trigger { type: string; metadata: Record<string, string> }

describe.skipIf(skipWithout(...REGISTRY_PROGRAMS))('tide kubernetes deploy: build, push, apply (no Docker)', () => {
  let registry: RegistryServer;
  let api: FakeApiServer;
  let kubeconfig: string;
  const cacheDir = join(temp, 'cache');
  // tide's real builder, never Docker, with its own layer cache and no Docker config of the machine.
  const deps: KubernetesDeps = {
    buildImage: (o) => buildAndPushAppImage({ ...o, docker: 'never', cacheDir, dockerConfig: join(temp, 'no-docker-config.json') }),
  };

  beforeAll(async () => {
    registry = await startRegistry();
    await pushBaseImage(new RegistryClient(registry.host), 'tide-runtime', '1');
    api = await startFakeApiServer({ crds: rbacCrds });
    kubeconfig = join(temp, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig);
  }, 60_000);
  afterAll(async () => {
    await api.stop();
    await registry.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  async function run(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false, cwd, env: { HOME: temp, KUBECONFIG: kubeconfig } };
    try {
      return { code: await runKubernetes(args, io, deps), out, err };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { code: 1, out, err: `${err}${error.message}\n` };
    }
  }

  /** A copy of a fixture app with the Dockerfile `tide init --docker` writes, on the test's base image. */
  function appWithDockerfile(name: string): string {
    const dir = mkdtempSync(join(temp, `${name}-`));
    cpSync(fixture(name), dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), [
      `FROM ${registry.host}/tide-runtime:1`,
      'ENV AzureWebJobsScriptRoot=/home/site/wwwroot',
      'WORKDIR /home/site/wwwroot',
      'COPY . .',
      'CMD ["node", "/tide/tide-host.mjs"]',
    ].join('\n'));
    writeFileSync(join(dir, '.dockerignore'), 'local.settings.json\n');
    return dir;
  }

  /** A folder with only local.settings.json: no app, so --image-name reads the functions from the image. */
  function settingsOnly(name: string): string {
    const dir = mkdtempSync(join(temp, `settings-${name}-`));
    cpSync(join(fixture(name), 'local.settings.json'), join(dir, 'local.settings.json'));
    return dir;
  }

  const container = (name: string, ns = 'default'): Container | undefined =>
    (api.cluster.get('apps/v1', 'Deployment', ns, name) as unknown as { spec: { template: { spec: { containers: Container[] } } } } | undefined)?.spec.template.spec.containers[0];
  const triggers = (name: string, ns = 'default'): Trigger[] =>
    (api.cluster.get('keda.sh/v1alpha1', 'ScaledObject', ns, name) as unknown as { spec: { triggers: Trigger[] } } | undefined)?.spec.triggers ?? [];
  const inspect = (image: string): { Digest: string; Layers: string[]; Env: string[] } =>
    JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${image}`], { encoding: 'utf8' })) as { Digest: string; Layers: string[]; Env: string[] };

  it('v3 queue app (KEDA hello-world): the image is pushed, the Deployment names it, the objects exist', async () => {
    const app = appWithDockerfile('v3-queue');
    const result = await run(app, ['deploy', '--name', 'hello', '--registry', registry.host]);
    expect(result.err).not.toMatch(/failed|error/i);
    expect(result.code).toBe(0);
    const image = `${registry.host}/hello:latest`;
    const pushed = inspect(image);
    expect(result.err).toContain(`pushed ${image}@${pushed.Digest}`);
    expect(pushed.Layers.length).toBe(2); // the base layer + the app files
    expect(pushed.Env).toContain('AzureWebJobsScriptRoot=/home/site/wwwroot');

    expect(container('hello')?.image).toBe(image);
    expect(container('hello')?.env).toEqual([{ name: 'AzureFunctionsJobHost__functions__0', value: 'QueueTrigger' }]);
    expect(triggers('hello')).toEqual([expect.objectContaining({ type: 'azure-queue', metadata: expect.objectContaining({ queueName: 'js-queue-items', connectionFromEnv: 'AzureWebJobsStorage' }) as Record<string, string> }) as Trigger]);
    expect(api.cluster.get('v1', 'Secret', 'default', 'hello')).toBeDefined();
  });

  it('--image-name in a folder without an app: the functions come from the image layers', async () => {
    const result = await run(settingsOnly('v3-queue'), ['deploy', '--name', 'fromimage', '--image-name', `${registry.host}/hello:latest`]);
    expect(result.code).toBe(0);
    expect(result.err).toContain('reading the app in /home/site/wwwroot');
    expect(container('fromimage')?.image).toBe(`${registry.host}/hello:latest`);
    expect(container('fromimage')?.env).toEqual([{ name: 'AzureFunctionsJobHost__functions__0', value: 'QueueTrigger' }]);
    expect(triggers('fromimage')[0]?.metadata.queueName).toBe('js-queue-items');
  });

  it('v4 app: built with its node_modules, pushed and deployed; --image-name indexes the v4 registrations from the image', async () => {
    const app = appWithDockerfile('v4-queue');
    for (const pkg of ['@azure/functions', '@azure/functions-extensions-base', 'cookie']) {
      mkdirSync(join(app, 'node_modules', pkg, '..'), { recursive: true });
      cpSync(join(repoModules, pkg), join(app, 'node_modules', pkg), { recursive: true });
    }
    const result = await run(app, ['deploy', '--name', 'hello4', '--registry', registry.host]);
    expect(result.code).toBe(0);
    expect(inspect(`${registry.host}/hello4:latest`).Digest).toMatch(/^sha256:/);
    expect(container('hello4')?.image).toBe(`${registry.host}/hello4:latest`);
    expect(triggers('hello4')[0]?.metadata.queueName).toBe('js-queue-items');

    const fromImage = await run(settingsOnly('v4-queue'), ['deploy', '--name', 'fromimage4', '--image-name', `${registry.host}/hello4:latest`, '--dry-run']);
    expect(fromImage.code).toBe(0);
    expect(fromImage.out).toContain('value: queueWorker');
    expect(fromImage.out).toContain('queueName: js-queue-items');
    expect(fromImage.out).toContain(`image: ${registry.host}/hello4:latest`);
  });

  it('--image-name of an image the registry does not have: exit 3 naming it, nothing applied', async () => {
    const result = await run(settingsOnly('v3-queue'), ['deploy', '--name', 'missing', '--image-name', `${registry.host}/nope:1`]);
    expect(result.code).toBe(3);
    expect(result.err).toContain('has no image nope:1');
    expect(api.cluster.get('v1', 'Secret', 'default', 'missing')).toBeUndefined();
  });
});
