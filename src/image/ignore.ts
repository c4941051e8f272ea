// .dockerignore and .funcignore: which files of the app never go into the image. .dockerignore
// patterns are anchored at the app root (Docker's patternmatcher: `*`, `?`, `[…]`, `**`, `!`
// exceptions, last match wins); .funcignore uses gitignore rules, where a pattern without an inner
// slash matches at any depth. A pattern that matches a directory excludes everything under it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Rule {
  readonly regex: RegExp;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
}

export interface IgnoreMatcher {
  /** True when `path` (relative, `/`-separated) is excluded. */
  ignores(path: string, isDirectory: boolean): boolean;
  /** True when some rule re-includes paths, so an excluded directory must still be walked. */
  readonly hasExceptions: boolean;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` matches everything below.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += (glob[i + 1] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 1;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

function cleanPattern(pattern: string): string {
  const parts: string[] = [];
  for (const part of pattern.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function compile(line: string, style: 'docker' | 'gitignore'): Rule | undefined {
  let text = style === 'docker' ? line.trim() : line.replace(/(?<!\\)\s+$/, '');
  if (text === '' || text.startsWith('#')) return undefined;
  const negated = text.startsWith('!');
  if (negated) text = text.slice(1);
  const directoryOnly = style === 'gitignore' && text.endsWith('/');
  const anchored = style === 'docker' || text.replace(/\/+$/, '').includes('/');
  const glob = cleanPattern(text);
  if (glob === '') return undefined;
  const source = anchored ? globToRegex(glob) : `(?:.*/)?${globToRegex(glob)}`;
  return { regex: new RegExp(`^${source}$`), negated, directoryOnly };
}

function matches(rule: Rule, path: string, isDirectory: boolean): boolean {
  if ((!rule.directoryOnly || isDirectory) && rule.regex.test(path)) return true;
  // A match on any parent directory excludes the path too.
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    if (rule.regex.test(path.slice(0, slash))) return true;
  }
  return false;
}

/** A matcher from the text of ignore files, applied together (excluded by any). */
export function ignoreMatcher(files: readonly { text: string; style: 'docker' | 'gitignore' }[]): IgnoreMatcher {
  const sets = files.map(({ text, style }) => text.split(/\r?\n/).flatMap((line) => compile(line, style) ?? []));
  return {
    hasExceptions: sets.some((rules) => rules.some((r) => r.negated)),
    ignores(path, isDirectory) {
      return sets.some((rules) => {
        let excluded = false;
        for (const rule of rules) if (matches(rule, path, isDirectory)) excluded = !rule.negated;
        return excluded;
      });
    },
  };
}

/** A regex for one glob matched against a whole context-relative path (COPY sources). */
export function globRegex(glob: string): RegExp {
  return new RegExp(`^${globToRegex(cleanPattern(glob))}$`);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The app's .dockerignore and .funcignore, whichever exist. */
export function appIgnoreMatcher(appDir: string): IgnoreMatcher {
  const files: { text: string; style: 'docker' | 'gitignore' }[] = [];
  const docker = readIfExists(join(appDir, '.dockerignore'));
  if (docker !== undefined) files.push({ text: docker, style: 'docker' });
  const func = readIfExists(join(appDir, '.funcignore'));
  if (func !== undefined) files.push({ text: func, style: 'gitignore' });
  return ignoreMatcher(files);
}
