// Test inputs for image builds: a tiny base image (one layer with a fake /tide/tide-host.mjs, as tide's
// runtime image has its host bundle there) pushed by tide's own registry client, as a multi-platform
// index whose arm64 entry has a different layer; and a small function app with npm dependencies that
// install offline (file: tarballs made with tide's tar writer).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MEDIA, RegistryClient, tarStream, type TarEntry } from '../../src/image/index.js';

const sha = (data: Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const file = (path: string, text: string, mode = 0o644): TarEntry => ({ path, type: 'file', mode, uid: 0, gid: 0, data: Buffer.from(text) });
const dir = (path: string): TarEntry => ({ path, type: 'directory', mode: 0o755, uid: 0, gid: 0 });

async function pushPlatform(client: RegistryClient, repo: string, arch: string, marker: string): Promise<{ digest: string; size: number }> {
  const tar = await tarOf([dir('tide'), file(`tide/${marker}`, arch), file('tide/tide-host.mjs', '// fake tide host\n', 0o755)]);
  const layer = gzipSync(tar);
  const config = Buffer.from(JSON.stringify({
    architecture: arch,
    os: 'linux',
    created: '2024-01-02T03:04:05Z',
    config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_VERSION=20.0.0'], Cmd: ['node', '/tide/tide-host.mjs'], WorkingDir: '/', Labels: { 'base.label': 'kept' } },
    rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    history: [{ created_by: 'test base layer' }],
  }));
  await client.pushBlob(repo, sha(layer), layer.length, () => Promise.resolve({ data: layer }));
  await client.pushBlob(repo, sha(config), config.length, () => Promise.resolve({ data: config }));
  // Docker's media types, as most base images on Docker Hub still use.
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.dockerManifest,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha(layer), size: layer.length }],
  }));
  await client.putManifest(repo, sha(manifest), manifest, MEDIA.dockerManifest);
  return { digest: sha(manifest), size: manifest.length };
}

/** Pushes `<registry>/<repo>:<tag>` as an index of linux/arm64 (marker tide/ARM64) and linux/amd64 (tide/AMD64). */
export async function pushBaseImage(client: RegistryClient, repo: string, tag: string): Promise<void> {
  const arm = await pushPlatform(client, repo, 'arm64', 'ARM64');
  const amd = await pushPlatform(client, repo, 'amd64', 'AMD64');
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.dockerList,
    manifests: [
      { mediaType: MEDIA.dockerManifest, ...arm, platform: { os: 'linux', architecture: 'arm64' } },
      { mediaType: MEDIA.dockerManifest, ...amd, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }));
  await client.putManifest(repo, tag, index, MEDIA.dockerList);
}

/** An npm package tarball as `npm pack` makes it (files under package/). */
async function packageTarball(name: string, extra: Record<string, string> = {}): Promise<Buffer> {
  const files = { 'package.json': JSON.stringify({ name, version: '1.0.0', main: 'index.js' }), 'index.js': `module.exports = ${JSON.stringify(name)};\n`, ...extra };
  return gzipSync(await tarOf([dir('package'), ...Object.entries(files).sort().map(([path, text]) => file(`package/${path}`, text))]));
}

export function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** The Dockerfile `tide init --docker` writes, on `base`, plus a label, a user and an extra env. */
export function appDockerfile(base: string, extra = ''): string {
  return [
    `ARG BASE=${base}`,
    'FROM ${BASE}',
    'ENV AzureWebJobsScriptRoot=/home/site/wwwroot \\',
    '    AzureFunctionsJobHost__Logging__Console__IsEnabled=true',
    'WORKDIR /home/site/wwwroot',
    '# Copy package.json and install packages before copying the rest of the code to enable caching',
    'COPY package.json package.json',
    'RUN npm install',
    'COPY . .',
    'RUN npm run build',
    'LABEL org.opencontainers.image.title="hello app" tide.dev/app=hello',
    'EXPOSE 80',
    'USER 1000',
    'CMD ["node", "/tide/tide-host.mjs"]',
    extra,
  ].join('\n');
}

/** A v4 function app with a production and a dev dependency (file: tarballs), a build script and a .dockerignore. */
export async function makeApp(base: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'tide-image-app-'));
  mkdirSync(join(root, 'vendor'));
  writeFileSync(join(root, 'vendor', 'leftpad-1.0.0.tgz'), await packageTarball('leftpad'));
  writeFileSync(join(root, 'vendor', 'devtool-1.0.0.tgz'), await packageTarball('devtool'));
  write(root, {
    'package.json': JSON.stringify({
      name: 'hello',
      version: '1.0.0',
      main: 'src/functions/*.js',
      scripts: { build: 'node build.js' },
      dependencies: { leftpad: 'file:vendor/leftpad-1.0.0.tgz' },
      devDependencies: { devtool: 'file:vendor/devtool-1.0.0.tgz' },
    }, null, 2),
    'build.js': "require('fs').mkdirSync('dist', { recursive: true }); require('fs').writeFileSync('dist/built.txt', 'built');\n",
    'host.json': JSON.stringify({ version: '2.0' }),
    'local.settings.json': JSON.stringify({ IsEncrypted: false, Values: { SECRET: 'do-not-ship' } }),
    'src/functions/hello.js': "const { app } = require('@azure/functions');\n",
    '.dockerignore': 'local.settings.json\n',
    Dockerfile: appDockerfile(base),
  });
  return root;
}
