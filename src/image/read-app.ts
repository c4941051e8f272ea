// The function app inside an image, read through the registry without Docker: `tide kubernetes deploy
// --image-name` needs the function list of an image it did not build. func runs the image with a
// script that prints host.json and the function.json files of $AzureWebJobsScriptRoot; tide reads the
// image's layers instead and extracts that folder (host.json, package.json, function.json folders, the
// v4 entry files and the node_modules they import) into a temp dir, applying the layers in order with
// their whiteouts, so src/app can index it as it indexes a local folder.
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { credentialsFromDockerConfig, dockerConfigPath } from './auth.js';
import { fetchBaseImage, type ImageConfig } from './base-image.js';
import { ImageInputError, RegistryError } from './errors.js';
import { formatReference, parseImageReference } from './reference.js';
import { RegistryClient, type Descriptor } from './registry-client.js';
import { readTar } from './tar-read.js';

export interface ReadAppOptions {
  /** Plain HTTP to the registry (loopback registries always use it). */
  insecure?: boolean;
  username?: string;
  password?: string;
  /** Docker config file with `auths` (default $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  dockerConfig?: string;
  /** Platform picked from a multi-platform image (default linux/amd64). */
  platform?: string;
  log: (line: string) => void;
}

export interface AppFromImage {
  /** The temp folder holding the app folder of the image. */
  readonly dir: string;
  /** The app folder inside the image (`$AzureWebJobsScriptRoot`, else WORKDIR, else /home/site/wwwroot). */
  readonly scriptRoot: string;
  /** Removes the temp folder. */
  readonly remove: () => Promise<void>;
}

const DEFAULT_SCRIPT_ROOT = '/home/site/wwwroot';

/** Where the host looks for the app in a container of this image (func's print-functions.sh does the same). */
export function scriptRootOf(config: ImageConfig): string {
  const env = (config.config?.Env ?? []).find((e) => e.startsWith('AzureWebJobsScriptRoot='));
  const fromEnv = env?.slice('AzureWebJobsScriptRoot='.length).trim();
  if (fromEnv) return posix.resolve('/', fromEnv);
  const workdir = config.config?.WorkingDir?.trim();
  return workdir && workdir !== '/' ? posix.resolve('/', workdir) : DEFAULT_SCRIPT_ROOT;
}

function layerStream(body: ReadableStream<Uint8Array>, layer: Descriptor, image: string): AsyncIterable<Uint8Array> {
  const raw = Readable.fromWeb(body);
  if (/\+gzip$|\.gzip$/.test(layer.mediaType)) return raw.pipe(createGunzip());
  if (/\.tar$/.test(layer.mediaType)) return raw;
  throw new ImageInputError(`image ${image}: layer ${layer.digest.slice(0, 19)} is ${layer.mediaType}, which tide cannot read (gzip or plain tar layers only)`);
}

/** Applies one layer's entries under `root` (a path inside the image) to `dest`. */
async function applyLayer(entries: AsyncIterable<Uint8Array>, root: string, dest: string): Promise<void> {
  const prefix = root.replace(/^\/+/, '');
  const inside = (path: string): string | undefined => {
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
    const rel = path.slice(prefix.length).replace(/^\/+/, '');
    return rel.split('/').includes('..') ? undefined : rel;
  };
  const target = (rel: string): string => join(dest, ...rel.split('/'));
  for await (const entry of readTar(entries, (p) => inside(p) !== undefined)) {
    const rel = inside(entry.path);
    if (rel === undefined) continue;
    const base = posix.basename(rel);
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    if (base === '.wh..wh..opq') {
      // An opaque directory: what lower layers put there is gone.
      const dir = target(parent);
      for (const name of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, name), { recursive: true, force: true });
      continue;
    }
    if (base.startsWith('.wh.')) {
      await rm(target(posix.join(parent, base.slice(4))), { recursive: true, force: true });
      continue;
    }
    if (rel === '') continue;
    const path = target(rel);
    if (entry.type === 'directory') await mkdir(path, { recursive: true });
    else if (entry.type === 'file' && entry.data) {
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { recursive: true, force: true });
      await writeFile(path, entry.data, { mode: entry.mode & 0o777 });
    } else if (entry.type === 'symlink') {
      // Only links that stay inside the app folder (node_modules/.bin, workspaces); others point at the image's system.
      const resolved = resolve(dirname(path), entry.linkname);
      if (entry.linkname.startsWith('/') || !(resolved === dest || resolved.startsWith(`${dest}${sep}`))) continue;
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { recursive: true, force: true });
      await symlink(entry.linkname, path);
    } else if (entry.type === 'hardlink') {
      const from = inside(entry.linkname.replace(/^(\.\/|\/)+/, ''));
      if (from === undefined) continue;
      await mkdir(dirname(path), { recursive: true });
      await copyFile(target(from), path).catch(() => undefined);
    }
  }
}

/** Extracts the app folder of `image` into a temp dir through the registry API. */
export async function readAppFromImage(image: string, options: ReadAppOptions): Promise<AppFromImage> {
  const ref = parseImageReference(image, '--image-name');
  const credentials = options.username !== undefined ? { username: options.username, password: options.password ?? '' } : credentialsFromDockerConfig(ref.registry, options.dockerConfig ?? dockerConfigPath(), options.log);
  const client = new RegistryClient(ref.registry, { ...(options.insecure !== undefined ? { insecure: options.insecure } : {}), ...(credentials !== undefined ? { credentials } : {}) });
  const what = formatReference(ref);
  const { layers, config } = await fetchBaseImage(client, ref, options.platform ?? 'linux/amd64');
  const scriptRoot = scriptRootOf(config);
  options.log(`reading the app in ${scriptRoot} from ${what} (${layers.length} layers)`);
  const dir = await mkdtemp(join(tmpdir(), 'tide-image-app-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    for (const layer of layers) {
      const response = await client.getBlob(ref.repository, layer.digest);
      if (!response.body) throw new RegistryError(`registry ${ref.registry} sent no content for layer ${layer.digest} of ${what}`);
      await applyLayer(layerStream(response.body, layer, what), scriptRoot, dir);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  if ((await readdir(dir)).length === 0) {
    await remove();
    throw new ImageInputError(`image ${what} has no files in ${scriptRoot} (the app folder: $AzureWebJobsScriptRoot, else WORKDIR, else ${DEFAULT_SCRIPT_ROOT})`);
  }
  return { dir, scriptRoot, remove };
}

