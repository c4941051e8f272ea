// Reading the app folder of an image through the registry (what `--image-name` needs without Docker):
// an image built and pushed by buildAndPushAppImage, and a hand-made image whose upper layers delete
// files (whiteouts), replace a folder (opaque directory) and hold a long (PAX) path and symlinks.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp } from '../../src/app/load-app.js';
import { buildAndPushAppImage, ImageInputError, MEDIA, RegistryClient, tarStream, type TarEntry } from '../../src/image/index.js';
import { readAppFromImage, type AppFromImage } from '../../src/image/read-app.js';
import { skipWithout } from '../servers/availability.js';
import { REGISTRY_PROGRAMS, startRegistry, type RegistryServer } from '../servers/registry.js';
import { makeApp, pushBaseImage, write } from './fixtures.js';

const sha = (data: Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const file = (path: string, text: string): TarEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from(text) });
const dir = (path: string): TarEntry => ({ path, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
const link = (path: string, linkname: string): TarEntry => ({ path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname });

async function layer(entries: TarEntry[]): Promise<{ gz: Buffer; diffId: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(entries)) chunks.push(chunk);
  const tar = Buffer.concat(chunks);
  return { gz: gzipSync(tar), diffId: sha(tar) };
}

/** Pushes an image of these layers with this runtime config (OCI media types). */
async function pushImage(client: RegistryClient, repo: string, layers: TarEntry[][], config: Record<string, unknown>): Promise<void> {
  const built = await Promise.all(layers.map(layer));
  for (const l of built) await client.pushBlob(repo, sha(l.gz), l.gz.length, () => Promise.resolve({ data: l.gz }));
  const configBlob = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: built.map((l) => l.diffId) } }));
  await client.pushBlob(repo, sha(configBlob), configBlob.length, () => Promise.resolve({ data: configBlob }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha(configBlob), size: configBlob.length },
    layers: built.map((l) => ({ mediaType: MEDIA.ociLayer, digest: sha(l.gz), size: l.gz.length })),
  }));
  await client.putManifest(repo, '1', manifest, MEDIA.ociManifest);
}

describe.skipIf(skipWithout(...REGISTRY_PROGRAMS))('readAppFromImage (docker-registry)', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  const opened: AppFromImage[] = [];
  const read = async (image: string): Promise<AppFromImage> => {
    const app = await readAppFromImage(image, { log: () => undefined, dockerConfig: '/nonexistent/config.json' });
    opened.push(app);
    return app;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient(registry.host);
    await pushBaseImage(client, 'tide-base', '1');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(opened.map((a) => a.remove()));
    await registry.stop();
  });

  it('extracts the app folder of an image built by buildAndPushAppImage (production node_modules, built files; no local.settings.json)', async () => {
    const appDir = await makeApp(`${registry.host}/tide-base:1`);
    write(appDir, { 'Ping/function.json': JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in' }, { name: '$return', type: 'http', direction: 'out' }] }), 'Ping/index.js': 'module.exports = async () => ({ body: "pong" });' });
    // A v3 app for the loader: no "main", so the function.json folders are indexed.
    write(appDir, { 'package.json': readFileSync(join(appDir, 'package.json'), 'utf8').replace('"main": "src/functions/*.js",', '') });
    const cacheDir = mkdtempSync(join(tmpdir(), 'tide-read-app-cache-'));
    await buildAndPushAppImage({ appDir, image: `${registry.host}/built:1`, docker: 'never', cacheDir, dockerConfig: join(cacheDir, 'none.json'), log: () => undefined });

    const app = await read(`${registry.host}/built:1`);
    expect(app.scriptRoot).toBe('/home/site/wwwroot');
    expect(existsSync(join(app.dir, 'host.json'))).toBe(true);
    expect(readFileSync(join(app.dir, 'dist', 'built.txt'), 'utf8')).toBe('built');
    expect(existsSync(join(app.dir, 'node_modules', 'leftpad', 'index.js'))).toBe(true);
    expect(existsSync(join(app.dir, 'node_modules', 'devtool'))).toBe(false);
    expect(existsSync(join(app.dir, 'local.settings.json'))).toBe(false);
    expect(existsSync(join(app.dir, 'tide'))).toBe(false); // the base image's own files are outside the app folder

    const loaded = await loadFunctionApp(app.dir, {}, { localSettings: false });
    expect(loaded.functions.map((f) => f.name)).toEqual(['Ping']);
  });

  it('applies the layers in order: whiteouts delete, an opaque folder hides what was below, long paths and inside symlinks survive', async () => {
    const long = `deep/${'x'.repeat(120)}/function.json`;
    await pushImage(client, 'layered', [
      [dir('srv'), dir('srv/app'), file('srv/app/host.json', '{"version":"2.0"}'), file('srv/app/Old/function.json', '{}'), file('srv/app/Gone.txt', 'x'), dir('srv/app/lib'), file('srv/app/lib/a.js', 'a'), file('etc/passwd', 'root')],
      [file('srv/app/.wh.Gone.txt', ''), file('srv/app/Old/.wh..wh..opq', ''), file('srv/app/Old/new.js', 'new'), file(`srv/app/${long}`, '{"bindings":[]}'), link('srv/app/lib/b.js', 'a.js'), link('srv/app/escape', '/etc/passwd'), link('srv/app/up', '../../etc/passwd')],
    ], { WorkingDir: '/srv/app', Env: ['PATH=/bin'] });
    const app = await read(`${registry.host}/layered:1`);
    expect(app.scriptRoot).toBe('/srv/app');
    expect(existsSync(join(app.dir, 'Gone.txt'))).toBe(false);
    expect(existsSync(join(app.dir, 'Old', 'function.json'))).toBe(false);
    expect(readFileSync(join(app.dir, 'Old', 'new.js'), 'utf8')).toBe('new');
    expect(readFileSync(join(app.dir, ...long.split('/')), 'utf8')).toBe('{"bindings":[]}');
    expect(readlinkSync(join(app.dir, 'lib', 'b.js'))).toBe('a.js');
    expect(lstatSync(join(app.dir, 'lib', 'a.js')).isFile()).toBe(true);
    expect(existsSync(join(app.dir, 'escape'))).toBe(false);
    expect(existsSync(join(app.dir, 'up'))).toBe(false);
    expect(existsSync(join(app.dir, 'passwd'))).toBe(false);
  });

  it('an image with nothing in its app folder is an input error naming the folder', async () => {
    const error = await read(`${registry.host}/tide-base:1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as Error).message).toContain('has no files in /home/site/wwwroot');
  });
});
