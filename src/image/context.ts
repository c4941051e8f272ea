// The app folder as a build context: every entry not excluded by .dockerignore/.funcignore, with
// what the layer cache keys on (size, mtime, mode).
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { IgnoreMatcher } from './ignore.js';

export interface ContextEntry {
  /** Path relative to the context, `/`-separated. */
  readonly rel: string;
  readonly abs: string;
  readonly type: 'file' | 'directory' | 'symlink';
  /** Normalised permissions: 0o755 for directories and executables, 0o644 otherwise, 0o777 for links. */
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly linkname?: string;
}

/** One entry for a path, or undefined for sockets, fifos and devices. */
export function statEntry(abs: string, rel: string): ContextEntry | undefined {
  const stat = lstatSync(abs);
  const base = { rel, abs, size: 0, mtimeMs: stat.mtimeMs };
  if (stat.isDirectory()) return { ...base, type: 'directory', mode: 0o755 };
  if (stat.isSymbolicLink()) return { ...base, type: 'symlink', mode: 0o777, linkname: readlinkSync(abs) };
  if (stat.isFile()) return { ...base, type: 'file', mode: stat.mode & 0o111 ? 0o755 : 0o644, size: stat.size };
  return undefined;
}

/**
 * Entries under `root` (relative paths prefixed by `prefix`), sorted, skipping what `skip` says;
 * a skipped directory is not entered unless `enterSkipped` (ignore files with `!` exceptions).
 */
export function walk(root: string, skip: (rel: string, isDirectory: boolean) => boolean, prefix = '', enterSkipped = false): ContextEntry[] {
  const out: ContextEntry[] = [];
  const visit = (dir: string, relDir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const entry = statEntry(join(dir, name), rel);
      if (entry === undefined) continue;
      const skipped = skip(rel, entry.type === 'directory');
      if (!skipped) out.push(entry);
      if (entry.type === 'directory' && (!skipped || enterSkipped)) visit(entry.abs, rel);
    }
  };
  visit(root, prefix);
  return out;
}

/** The context's entries that the ignore files let through. */
export function contextEntries(appDir: string, matcher: IgnoreMatcher, exclude: (rel: string) => boolean = () => false): ContextEntry[] {
  return walk(appDir, (rel, isDirectory) => exclude(rel) || matcher.ignores(rel, isDirectory), '', matcher.hasExceptions);
}
