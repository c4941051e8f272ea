// Builds function app images without Docker onto a small base image in a real registry (Debian's
// docker-registry) and checks what was pushed with skopeo and umoci, not with tide's own client.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndPushAppImage, ImageInputError, RegistryClient, RegistryError, type BuildAndPushOptions } from '../../src/image/index.js';
import { skipWithout } from '../servers/availability.js';
import { REGISTRY_PROGRAMS, startRegistry, type RegistryServer } from '../servers/registry.js';
import { makeApp, pushBaseImage, write } from './fixtures.js';

const skopeo = (...args: string[]): string => execFileSync('skopeo', args, { encoding: 'utf8' });

interface Unpacked {
  rootfs: string;
  runtime: { process: { cwd: string; args: string[]; env: string[]; user: { uid: number } } };
}

/** skopeo copy to an OCI layout, then umoci unpack --rootless: the image's files as a container sees them. */
function unpack(image: string): Unpacked {
  const dir = mkdtempSync(join(tmpdir(), 'tide-unpack-'));
  skopeo('copy', '--src-tls-verify=false', `docker://${image}`, `oci:${join(dir, 'oci')}:x`);
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${join(dir, 'oci')}:x`, join(dir, 'bundle')], { stdio: 'ignore' });
  return { rootfs: join(dir, 'bundle', 'rootfs'), runtime: JSON.parse(readFileSync(join(dir, 'bundle', 'config.json'), 'utf8')) as Unpacked['runtime'] };
}

describe.skipIf(skipWithout(...REGISTRY_PROGRAMS))('image build without Docker, pushed to docker-registry', () => {
  let registry: RegistryServer;
  let app: string;
  let cacheDir: string;
  const lines: string[] = [];
  let firstLog: string[] = [];
  const options = (extra: Partial<BuildAndPushOptions> = {}): BuildAndPushOptions => ({
    appDir: app,
    image: `${registry.host}/hello:latest`,
    docker: 'never',
    cacheDir,
    dockerConfig: join(cacheDir, 'no-docker-config.json'),
    log: (line) => lines.push(line),
    ...extra,
  });
  const uploads = (from: number): string[] => registry.requests().slice(from).filter((r) => r.method === 'POST' && r.path.includes('/blobs/uploads/')).map((r) => r.path);

  beforeAll(async () => {
    registry = await startRegistry();
    await pushBaseImage(new RegistryClient(registry.host), 'tide-base', '1');
    app = await makeApp(`${registry.host}/tide-base:1`);
    cacheDir = mkdtempSync(join(tmpdir(), 'tide-layer-cache-'));
  }, 60_000);
  afterAll(async () => {
    await registry.stop();
  });

  it('pushes an image whose config carries the Dockerfile\'s ENV, WORKDIR, CMD, LABEL, EXPOSE and USER on the base\'s', async () => {
    const result = await buildAndPushAppImage(options());
    firstLog = [...lines];
    expect(result).toEqual({ image: `${registry.host}/hello:latest`, digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) as string });
    const inspected = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${registry.host}/hello:latest`)) as { Digest: string; Architecture: string; Layers: string[] };
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Architecture).toBe('amd64');
    expect(inspected.Layers).toHaveLength(3);
    const config = JSON.parse(skopeo('inspect', '--config', '--tls-verify=false', `docker://${registry.host}/hello:latest`)) as { config: Record<string, unknown> };
    expect(config.config).toEqual({
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_VERSION=20.0.0', 'AzureWebJobsScriptRoot=/home/site/wwwroot', 'AzureFunctionsJobHost__Logging__Console__IsEnabled=true'],
      WorkingDir: '/home/site/wwwroot',
      Cmd: ['node', '/tide/tide-host.mjs'],
      Labels: { 'base.label': 'kept', 'org.opencontainers.image.title': 'hello app', 'tide.dev/app': 'hello' },
      ExposedPorts: { '80/tcp': {} },
      User: '1000',
    });
  }, 120_000);

  it('puts the app, its build output and production node_modules where the config says; not local.settings.json or devDependencies', () => {
    const { rootfs, runtime } = unpack(`${registry.host}/hello:latest`);
    expect(runtime.process.cwd).toBe('/home/site/wwwroot');
    expect(runtime.process.args).toEqual(['node', '/tide/tide-host.mjs']);
    const root = join(rootfs, runtime.process.cwd);
    expect(readFileSync(join(rootfs, 'tide', 'tide-host.mjs'), 'utf8')).toBe('// fake tide host\n');
    expect(existsSync(join(rootfs, 'tide', 'AMD64'))).toBe(true);
    expect(existsSync(join(rootfs, 'tide', 'ARM64'))).toBe(false);
    expect(readFileSync(join(root, 'host.json'), 'utf8')).toBe(JSON.stringify({ version: '2.0' }));
    expect(existsSync(join(root, 'src', 'functions', 'hello.js'))).toBe(true);
    expect(readFileSync(join(root, 'dist', 'built.txt'), 'utf8')).toBe('built');
    expect(readFileSync(join(root, 'node_modules', 'leftpad', 'index.js'), 'utf8')).toContain('leftpad');
    expect(existsSync(join(root, 'node_modules', 'devtool'))).toBe(false);
    expect(existsSync(join(root, 'local.settings.json'))).toBe(false);
  }, 60_000);

  it('a rebuild with no change takes layers from the cache, uploads no blob and gives the same digest', async () => {
    const first = await buildAndPushAppImage(options());
    await registry.settle();
    const before = registry.requests().length;
    lines.length = 0;
    const second = await buildAndPushAppImage(options());
    await registry.settle();
    expect(second.digest).toBe(first.digest);
    expect(uploads(before)).toEqual([]);
    expect(lines.some((l) => l.startsWith('node_modules (production): unchanged, from the layer cache'))).toBe(true);
    expect(lines).toContain('npm install: package files unchanged since the last build, skipped');
    // npm run build rewrites dist/ on every build, so the app layer is packed again: same bytes, same digest.
    expect(lines.some((l) => l.startsWith('app files: ') && l.includes('already in the registry'))).toBe(true);
  }, 120_000);

  it('the same app packed with an empty cache gives the same digest (deterministic layers)', async () => {
    const first = await buildAndPushAppImage(options());
    const fresh = await buildAndPushAppImage(options({ cacheDir: mkdtempSync(join(tmpdir(), 'tide-layer-cache-')) }));
    expect(fresh.digest).toBe(first.digest);
  }, 120_000);

  it('logs what it did: npm install and build, layers, pushed blobs', () => {
    expect(firstLog.some((l) => l.startsWith('running npm install --no-audit --no-fund in '))).toBe(true);
    expect(firstLog.some((l) => l.startsWith('running npm run build in '))).toBe(true);
    expect(firstLog.find((l) => l.startsWith('pushed '))).toMatch(/^pushed 127\.0\.0\.1:\d+\/hello:latest@sha256:[a-f0-9]{64}: 3 blobs uploaded, 1 mounted, 0 already there$/);
  });

  it('a changed app file uploads only the app layer and the config, in chunks when asked', async () => {
    const first = await buildAndPushAppImage(options());
    write(app, { 'src/functions/hello.js': "const { app } = require('@azure/functions'); // changed\n" });
    await registry.settle();
    const before = registry.requests().length;
    const second = await buildAndPushAppImage(options({ chunkSize: 512 }));
    await registry.settle();
    expect(second.digest).not.toBe(first.digest);
    expect(uploads(before)).toHaveLength(2);
    expect(registry.requests().slice(before).filter((r) => r.method === 'PATCH').length).toBeGreaterThan(1);
    const { rootfs } = unpack(`${registry.host}/hello:latest`);
    expect(readFileSync(join(rootfs, 'home/site/wwwroot/src/functions/hello.js'), 'utf8')).toContain('// changed');
  }, 120_000);

  it('refuses a RUN it cannot do without Docker, naming the Dockerfile line', async () => {
    const dockerfile = join(app, 'Dockerfile.apt');
    writeFileSync(dockerfile, `FROM ${registry.host}/tide-base:1\nWORKDIR /app\nRUN apt-get update && apt-get install -y curl\n`);
    const error = await buildAndPushAppImage(options({ dockerfile })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as Error).message).toContain(`${dockerfile}:3: RUN apt-get update && apt-get install -y curl`);
    expect((error as Error).message).toContain('cannot run "apt-get update"');
  });

  it('without a Dockerfile (and no Docker) says to run tide init --docker-only', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tide-image-nodockerfile-'));
    const error = await buildAndPushAppImage(options({ appDir: empty })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as Error).message).toMatch(/no Dockerfile at .*Dockerfile and no Docker engine answers: run "tide init --docker-only"/);
  });

  it('a registry that is not running gives a RegistryError naming it', async () => {
    const other = await startRegistry();
    await other.stop();
    const error = await buildAndPushAppImage(options({ image: `${other.host}/hello:1`, dockerfile: join(app, 'Dockerfile') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(`cannot reach registry ${other.host}`);
  });
});
