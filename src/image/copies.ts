// COPY steps applied to the context: which files land where in the image. Later steps win on the same
// path, as later layers would in Docker. Sources are context-relative (a leading `/` too), globs use
// the same rules as .dockerignore, and nothing may come from outside the app folder.
import { posix } from 'node:path';
import type { CopyStep } from './build-plan.js';
import type { ContextEntry } from './context.js';
import { ImageInputError } from './errors.js';
import { globRegex } from './ignore.js';

/** A file, directory or link placed in the image. */
export interface ImageItem {
  /** Path in the image, without the leading slash. */
  readonly path: string;
  readonly entry: ContextEntry;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

interface Source {
  readonly found: { entry: ContextEntry; rel: string }[];
  /** The source named one file (so a destination without `/` is the file's new name). */
  readonly singleFile: boolean;
}

function sourceEntries(source: string, entries: readonly ContextEntry[], step: CopyStep, file: string): Source {
  const clean = posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) throw new ImageInputError(`${file}:${step.line}: COPY source "${source}" is outside the app folder`);
  if (clean === '.' || clean === '') return { found: entries.map((entry) => ({ entry, rel: entry.rel })), singleFile: false };
  const glob = /[*?[]/.test(clean);
  const regex = glob ? globRegex(clean) : undefined;
  const roots = entries.filter((e) => (regex ? regex.test(e.rel) : e.rel === clean));
  if (roots.length === 0) throw new ImageInputError(`${file}:${step.line}: COPY source "${source}" is not in the app folder (or .dockerignore/.funcignore excludes it)`);
  const found = roots.flatMap((root) => {
    if (root.type !== 'directory') return [{ entry: root, rel: posix.basename(root.rel) }];
    // A directory's contents are copied, not the directory itself.
    return entries.filter((e) => e.rel.startsWith(`${root.rel}/`)).map((entry) => ({ entry, rel: entry.rel.slice(root.rel.length + 1) }));
  });
  return { found, singleFile: !glob && roots[0]?.type !== 'directory' };
}

/** The image paths of all COPY steps. */
export function resolveCopies(steps: readonly CopyStep[], entries: readonly ContextEntry[], file: string): Map<string, ImageItem> {
  const items = new Map<string, ImageItem>();
  for (const step of steps) {
    const intoDirectory = step.dest.endsWith('/') || step.sources.length > 1 || step.sources.some((s) => /[*?[]/.test(s));
    for (const source of step.sources) {
      const { found, singleFile } = sourceEntries(source, entries, step, file);
      const single = singleFile && !intoDirectory;
      for (const { entry, rel } of found) {
        const target = single ? step.dest : posix.join(step.dest, rel);
        const path = target.replace(/^\/+/, '');
        const mode = step.chmod ?? entry.mode;
        items.set(path, { path, entry, mode, uid: step.uid, gid: step.gid });
      }
    }
  }
  return items;
}
