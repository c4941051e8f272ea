// The RUN steps tide does itself: `npm install`/`npm ci` and `npm run build` in the app folder, before
// packaging, and the production part of node_modules for the image (devDependencies left out, read from
// npm's lockfile flags). npm is not run again while package.json and the lockfiles are unchanged.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { walk, type ContextEntry } from './context.js';
import { ImageInputError } from './errors.js';

/** Runs npm with arguments in `dir`, lines to `log`; throws an input error naming the command. */
export async function runNpm(dir: string, args: readonly string[], log: (line: string) => void): Promise<void> {
  const command = `npm ${args.join(' ')}`;
  log(`running ${command} in ${dir}`);
  const child = spawn('npm', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  const tail: string[] = [];
  const lines = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (line.trim() === '') continue;
      log(`  ${line}`);
      tail.push(line);
      if (tail.length > 10) tail.shift();
    }
  };
  child.stdout.on('data', lines);
  child.stderr.on('data', lines);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).catch((error: unknown) => {
    throw new ImageInputError(`cannot run ${command} in ${dir}: ${(error as Error).message} (is npm on PATH?)`);
  });
  if (code !== 0) throw new ImageInputError(`${command} failed in ${dir} (exit ${String(code)}):\n${tail.join('\n')}`);
}

function fingerprint(appDir: string): string {
  const hash = createHash('sha256');
  for (const name of ['package.json', 'package-lock.json', 'npm-shrinkwrap.json']) {
    hash.update(`${name}\0`);
    if (existsSync(join(appDir, name))) hash.update(readFileSync(join(appDir, name)));
  }
  const hidden = join(appDir, 'node_modules', '.package-lock.json');
  hash.update(existsSync(hidden) ? String(statSync(hidden).mtimeMs) : 'none');
  return hash.digest('hex');
}

/** `npm install` or `npm ci` in the app unless it ran on these same package files before. */
export async function ensureInstalled(appDir: string, command: 'install' | 'ci', stampDir: string, log: (line: string) => void): Promise<void> {
  const stamp = join(stampDir, `${createHash('sha256').update(appDir).digest('hex').slice(0, 32)}.json`);
  const previous = existsSync(stamp) ? readFileSync(stamp, 'utf8') : undefined;
  if (previous === fingerprint(appDir) && existsSync(join(appDir, 'node_modules'))) {
    log(`npm ${command}: package files unchanged since the last build, skipped`);
    return;
  }
  await runNpm(appDir, [command, '--no-audit', '--no-fund'], log);
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stamp, fingerprint(appDir));
}

interface LockPackage {
  dev?: boolean;
}

function lockPackages(appDir: string): Record<string, LockPackage> | undefined {
  for (const path of [join(appDir, 'node_modules', '.package-lock.json'), join(appDir, 'npm-shrinkwrap.json'), join(appDir, 'package-lock.json')]) {
    try {
      const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages?: Record<string, LockPackage> };
      if (lock.packages !== undefined) return lock.packages;
    } catch {
      // Missing or not JSON: try the next lockfile.
    }
  }
  return undefined;
}

/**
 * The production part of the app's node_modules (paths `node_modules/…`), leaving out packages the
 * lockfile marks `dev` and .bin links into them.
 */
export function productionModules(appDir: string, log: (line: string) => void): ContextEntry[] {
  const root = join(appDir, 'node_modules');
  if (!existsSync(root)) return [];
  const packages = lockPackages(appDir);
  if (packages === undefined) log('warning: no package-lock.json: all of node_modules goes into the image, devDependencies too');
  const dev = new Set(Object.entries(packages ?? {}).filter(([, p]) => p.dev === true).map(([path]) => path));
  const isDev = (rel: string): boolean => {
    for (let at = rel.indexOf('/'); ; at = rel.indexOf('/', at + 1)) {
      if (dev.has(at < 0 ? rel : rel.slice(0, at))) return true;
      if (at < 0) return false;
    }
  };
  const skip = (rel: string): boolean => isDev(rel);
  return walk(root, skip, 'node_modules').filter((entry) => {
    if (entry.type !== 'symlink' || !entry.rel.includes('/.bin/')) return true;
    // .bin/x → ../pkg/bin/x: keep only links into packages that stay.
    return !isDev(posix.normalize(posix.join(posix.dirname(entry.rel), entry.linkname ?? '')));
  });
}
