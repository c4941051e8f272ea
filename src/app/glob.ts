// The file patterns `package.json` `main` may hold for a v4 app (`dist/src/functions/*.js`,
// `src/{index.js,functions/*.js}`, `dist/**/*.js`): *, ?, [..], ** and {a,b}, matched from the app root.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Expands `{a,b}` groups (nested too) into the plain patterns they stand for. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      const parts: string[] = [];
      let start = open + 1;
      for (const comma of commas) {
        parts.push(pattern.slice(start, comma));
        start = comma + 1;
      }
      parts.push(pattern.slice(start, i));
      const rest = pattern.slice(i + 1);
      return parts.flatMap((part) => expandBraces(pattern.slice(0, open) + part + rest));
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  return [pattern];
}

/** A regular expression for one path segment of a glob. */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const isMagic = (segment: string): boolean => /[*?[]/.test(segment);

/** Files under `root` matching `pattern`, as paths relative to root with `/`, sorted. */
export async function globFiles(root: string, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  for (const plain of expandBraces(pattern.trim().replace(/^\.\//, ''))) {
    const segments = plain.split('/').filter((s) => s !== '' && s !== '.');
    await walk(root, '', segments, found);
  }
  return [...found].sort();
}

async function walk(root: string, relative: string, segments: readonly string[], found: Set<string>): Promise<void> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  const entries = await list(join(root, relative));
  const at = (name: string): string => (relative === '' ? name : `${relative}/${name}`);
  if (segment === '**') {
    await walk(root, relative, rest, found);
    for (const e of entries) {
      if (e.dir && !e.name.startsWith('.') && e.name !== 'node_modules') await walk(root, at(e.name), segments, found);
    }
    return;
  }
  const matches = isMagic(segment)
    ? entries.filter((e) => segmentRegExp(segment).test(e.name) && (segment.startsWith('.') || !e.name.startsWith('.')))
    : entries.filter((e) => e.name === segment);
  for (const e of matches) {
    if (rest.length === 0) {
      if (!e.dir) found.add(at(e.name));
    } else if (e.dir) await walk(root, at(e.name), rest, found);
  }
}

async function list(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, dir: e.isDirectory() }));
  } catch {
    return [];
  }
}
