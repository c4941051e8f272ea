// Content-addressed layer cache: gzipped layer blobs under blobs/sha256/<hex>, and for layers tide
// makes, an index from a key over the inputs (paths, modes, sizes, mtimes) to the blob, so a rebuild of
// unchanged files neither reads nor compresses them again. Base-image blobs from other registries are
// kept here too. Lives in ~/.cache/tide/layers, or $TIDE_CACHE_DIR/layers.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { tarStream, type TarEntry } from './tar.js';

/** A gzipped layer on disk. */
export interface LayerBlob {
  /** sha256 of the gzipped bytes (the manifest's layer digest). */
  readonly digest: string;
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  readonly diffId: string;
  readonly size: number;
  readonly path: string;
}

function hashing(hash: ReturnType<typeof createHash>, count?: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      if (count) count.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

export class LayerCache {
  constructor(readonly dir: string) {}

  /** The cache directory for an environment. */
  static forEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): LayerCache {
    const root = env.TIDE_CACHE_DIR !== undefined && env.TIDE_CACHE_DIR !== '' ? env.TIDE_CACHE_DIR : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tide');
    return new LayerCache(join(root, 'layers'));
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  private tempPath(): string {
    const dir = join(this.dir, 'tmp');
    mkdirSync(dir, { recursive: true });
    return join(dir, randomBytes(8).toString('hex'));
  }

  private commit(temp: string, digest: string): string {
    const path = this.blobPath(digest);
    mkdirSync(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    renameSync(temp, path);
    return path;
  }

  /** The layer made earlier from inputs with this key, if its blob is still there. */
  lookup(key: string): LayerBlob | undefined {
    try {
      const entry = JSON.parse(readFileSync(join(this.dir, 'index', `${key}.json`), 'utf8')) as Omit<LayerBlob, 'path'>;
      const path = this.blobPath(entry.digest);
      return existsSync(path) ? { ...entry, path } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Packs entries (already sorted) into a gzipped tar blob and records it under `key`. */
  async writeLayer(key: string, entries: readonly TarEntry[]): Promise<LayerBlob> {
    const temp = this.tempPath();
    const diff = createHash('sha256');
    const compressed = createHash('sha256');
    const count = { bytes: 0 };
    try {
      await pipeline(Readable.from(tarStream(entries)), hashing(diff), createGzip({ level: 6 }), hashing(compressed, count), createWriteStream(temp));
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    const layer = { digest: `sha256:${compressed.digest('hex')}`, diffId: `sha256:${diff.digest('hex')}`, size: count.bytes };
    const path = this.commit(temp, layer.digest);
    mkdirSync(join(this.dir, 'index'), { recursive: true });
    writeFileSync(join(this.dir, 'index', `${key}.json`), JSON.stringify(layer));
    return { ...layer, path };
  }

  /** A blob by digest if cached. */
  cachedBlob(digest: string): string | undefined {
    const path = this.blobPath(digest);
    return existsSync(path) ? path : undefined;
  }

  /** Stores a downloaded blob, checking its digest. */
  async storeBlob(digest: string, body: ReadableStream<Uint8Array>): Promise<string> {
    const temp = this.tempPath();
    const hash = createHash('sha256');
    try {
      await pipeline(Readable.fromWeb(body), hashing(hash), createWriteStream(temp));
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) throw new Error(`downloaded blob ${digest} has digest ${actual}`);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    return this.commit(temp, digest);
  }
}
