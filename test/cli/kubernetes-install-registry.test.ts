// `tide kubernetes install --registry R` without Docker: deploy/Dockerfile built by tide's own builder
// from a (small, made-up) tide package onto a base image in a real registry (Debian's
// docker-registry), pushed, checked with skopeo and umoci, and named by the Deployments on the fake
// API server. npm is not run: the package's production node_modules go in as installed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/io.js';
import { runKubernetesInstall, type InstallDeps } from '../../src/cli/kubernetes-install.js';
import { buildAndPushTideImage, RegistryClient } from '../../src/image/index.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import { skipWithout } from '../servers/availability.js';
import { REGISTRY_PROGRAMS, startRegistry, type RegistryServer } from '../servers/registry.js';
import { pushBaseImage } from '../image/fixtures.js';
import { INSTALL_KIND_CRDS } from '../deploy/install/fake-kinds.js';

const temp = mkdtempSync(join(tmpdir(), 'tide-install-registry-'));
const repoDockerfile = join(import.meta.dirname, '..', '..', 'deploy', 'Dockerfile');

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A tide package as npm ci + npm run build leave it: one production and one dev dependency. */
function fakePackage(): string {
  const root = join(temp, 'tide');
  const lock = JSON.stringify({ name: 'tide', version: '7.7.7', lockfileVersion: 3, packages: { '': { name: 'tide', version: '7.7.7' }, 'node_modules/prod-dep': { version: '1.0.0' }, 'node_modules/dev-dep': { version: '1.0.0', dev: true } } });
  write(root, {
    'package.json': JSON.stringify({ name: 'tide', version: '7.7.7', bin: { tide: 'bin/tide.js' } }),
    'package-lock.json': lock,
    'node_modules/.package-lock.json': lock,
    'node_modules/prod-dep/package.json': '{"name":"prod-dep","version":"1.0.0"}',
    'node_modules/dev-dep/package.json': '{"name":"dev-dep","version":"1.0.0"}',
    'dist/cli/main.js': 'export async function main() { return 0; }\n',
    'bin/tide.js': "import { main } from '../dist/cli/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n",
    'deploy/crds/keda.sh_scaledobjects.yaml': 'kind: CustomResourceDefinition\n',
    'src/not-in-the-image.ts': '',
  });
  cpSync(repoDockerfile, join(root, 'deploy', 'Dockerfile'));
  return root;
}

describe.skipIf(skipWithout(...REGISTRY_PROGRAMS))('tide kubernetes install --registry (no Docker)', () => {
  let registry: RegistryServer;
  let api: FakeApiServer;
  let kubeconfig: string;
  let deps: InstallDeps;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushBaseImage(new RegistryClient(registry.host), 'node', '20');
    api = await startFakeApiServer({ crds: INSTALL_KIND_CRDS });
    kubeconfig = join(temp, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig);
    const cacheDir = join(temp, 'cache');
    deps = { packageRoot: fakePackage(), buildImage: (o) => buildAndPushTideImage({ ...o, docker: 'never', cacheDir, dockerConfig: join(temp, 'no-docker-config.json') }) };
  }, 60_000);
  afterAll(async () => {
    await api.stop();
    await registry.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (err += t), isTTY: false, cwd: temp, env: { HOME: temp, KUBECONFIG: kubeconfig } };
    try {
      return { code: await runKubernetesInstall(args, io, deps), err };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { code: 1, err: `${err}${error.message}\n` };
    }
  }

  it('builds deploy/Dockerfile onto the base image, pushes it, and the three Deployments run it', async () => {
    const result = await run(['install', '--registry', registry.host, '--base-image', `${registry.host}/node:20`]);
    expect(result.err).not.toMatch(/running npm/);
    expect(result.code).toBe(0);
    const image = `${registry.host}/tide:7.7.7`;
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${image}`], { encoding: 'utf8' })) as { config: { Entrypoint: string[]; Cmd: string[]; User: string; WorkingDir: string; Env: string[]; ExposedPorts: Record<string, object> } };
    expect(inspected.config).toMatchObject({ Entrypoint: ['node', '/tide/bin/tide.js'], Cmd: ['operator'], User: '1000:1000', WorkingDir: '/tide' });
    expect(inspected.config.Env).toContain('NODE_ENV=production');
    expect(Object.keys(inspected.config.ExposedPorts).sort()).toEqual(['6443/tcp', '8080/tcp', '8081/tcp', '9443/tcp', '9666/tcp']);

    const dir = mkdtempSync(join(temp, 'unpack-'));
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${image}`, `oci:${join(dir, 'oci')}:x`], { stdio: 'ignore' });
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${join(dir, 'oci')}:x`, join(dir, 'bundle')], { stdio: 'ignore' });
    const rootfs = join(dir, 'bundle', 'rootfs', 'tide');
    expect(readFileSync(join(rootfs, 'dist', 'cli', 'main.js'), 'utf8')).toContain('main');
    expect(existsSync(join(rootfs, 'bin', 'tide.js'))).toBe(true);
    expect(existsSync(join(rootfs, 'deploy', 'crds', 'keda.sh_scaledobjects.yaml'))).toBe(true);
    expect(existsSync(join(rootfs, 'node_modules', 'prod-dep', 'package.json'))).toBe(true);
    expect(existsSync(join(rootfs, 'node_modules', 'dev-dep'))).toBe(false);
    expect(existsSync(join(rootfs, 'src'))).toBe(false);

    for (const name of ['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks']) {
      const deployment = api.cluster.get('apps/v1', 'Deployment', 'keda', name) as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } };
      expect(deployment.spec.template.spec.containers[0]?.image, name).toBe(image);
    }
  });

  it('an unbuilt package is refused before anything is applied', async () => {
    const root = join(temp, 'unbuilt');
    write(root, { 'package.json': '{"name":"tide","version":"1.0.0"}', 'node_modules/.keep': '' });
    cpSync(repoDockerfile, join(root, 'deploy', 'Dockerfile'));
    const api2 = await startFakeApiServer({ crds: INSTALL_KIND_CRDS });
    writeFileSync(kubeconfig, api2.kubeconfig);
    const saved = deps;
    deps = { ...deps, packageRoot: root };
    try {
      const result = await run(['install', '--registry', registry.host]);
      expect(result.code).toBe(1);
      expect(result.err).toContain('run npm run build');
      expect(api2.cluster.get('apps/v1', 'Deployment', 'keda', 'keda-operator')).toBeUndefined();
    } finally {
      deps = saved;
      writeFileSync(kubeconfig, api.kubeconfig);
      await api2.stop();
    }
  });
});
