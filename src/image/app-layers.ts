// The layers tide adds on top of the base image: production node_modules (when the Dockerfile runs
// npm install/ci) and the app files of the COPY steps. Each layer is keyed on its inputs' metadata, so
// a rebuild of an unchanged app takes both from the cache without reading a file.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { BuildPlan } from './build-plan.js';
import type { ContextEntry } from './context.js';
import type { ImageItem } from './copies.js';
import type { LayerBlob, LayerCache } from './layer-cache.js';
import type { TarEntry } from './tar.js';

const FORMAT = 'tide-layer-v1';

function withParents(items: Iterable<ImageItem>, extraDirectories: readonly string[]): TarEntry[] {
  const entries = new Map<string, TarEntry>();
  const directory = (path: string): void => {
    if (path === '' || path === '.' || entries.has(path)) return;
    directory(posix.dirname(path));
    entries.set(path, { path, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  };
  for (const dir of extraDirectories) directory(dir.replace(/^\/+/, '').replace(/\/+$/, ''));
  for (const item of items) {
    directory(posix.dirname(item.path));
    const { entry } = item;
    const base = { path: item.path, mode: item.mode, uid: item.uid, gid: item.gid };
    if (entry.type === 'file') entries.set(item.path, { ...base, type: 'file', size: entry.size, source: entry.abs });
    else if (entry.type === 'symlink') entries.set(item.path, { ...base, type: 'symlink', linkname: entry.linkname ?? '' });
    else entries.set(item.path, { ...base, type: 'directory' });
  }
  // Sorted by path bytes: the same files always give the same archive.
  return [...entries.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function cacheKey(entries: readonly TarEntry[], mtimes: ReadonlyMap<string, number>): string {
  const hash = createHash('sha256').update(FORMAT);
  for (const e of entries) hash.update(JSON.stringify([e.path, e.type, e.mode, e.uid, e.gid, e.size ?? 0, e.linkname ?? '', e.source ?? '', mtimes.get(e.path) ?? 0]));
  return hash.digest('hex');
}

export interface BuiltLayer extends LayerBlob {
  /** What the layer holds, for history and logs. */
  readonly description: string;
  readonly cached: boolean;
}

/** One layer from image items: from the cache when the same inputs were packed before. */
export async function layerOf(description: string, items: Iterable<ImageItem>, extraDirectories: readonly string[], cache: LayerCache): Promise<BuiltLayer> {
  const list = [...items];
  const entries = withParents(list, extraDirectories);
  const key = cacheKey(entries, new Map(list.map((item) => [item.path, item.entry.mtimeMs])));
  const cached = cache.lookup(key);
  if (cached) return { ...cached, description, cached: true };
  return { ...(await cache.writeLayer(key, entries)), description, cached: false };
}

/** node_modules entries placed under the workdir of `RUN npm install`. */
export function moduleItems(plan: BuildPlan, modules: readonly ContextEntry[]): ImageItem[] {
  const workdir = (plan.npmInstall?.workdir ?? '/').replace(/^\/+/, '');
  return modules.map((entry) => ({ path: posix.join(workdir, entry.rel), entry, mode: entry.mode, uid: 0, gid: 0 }));
}

/** Native addons (`.node` files) among the items, which only run where they were built. */
export function nativeAddons(items: Iterable<ImageItem>): string[] {
  return [...items].filter((item) => item.entry.type === 'file' && item.path.endsWith('.node')).map((item) => `/${item.path}`);
}
