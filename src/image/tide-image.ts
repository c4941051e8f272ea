// tide's own image (deploy/Dockerfile) built from the installed tide package with the same builder
// as app images: no Docker needed. npm is not run: the package's node_modules (production part) and
// dist/ are what goes in, so building never reinstalls the tree tide is running from.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndPushAppImage, type BuildAndPushOptions, type BuildResult } from './build.js';
import { ImageInputError } from './errors.js';

export interface TideImageOptions extends Omit<BuildAndPushOptions, 'appDir' | 'dockerfile' | 'npm'> {
  /** The tide package root (package.json, dist/, bin/, node_modules/, deploy/). */
  packageRoot: string;
  /** Replaces the Dockerfile's FROM (a mirror of node:20 in a registry the cluster can reach). */
  baseImage?: string;
}

/** The FROM line of deploy/Dockerfile swapped for `base`. */
export function withBaseImage(dockerfile: string, base: string): string {
  return dockerfile.replace(/^FROM\s+\S+/m, `FROM ${base}`);
}

/** Builds deploy/Dockerfile of the tide package and pushes it. */
export async function buildAndPushTideImage(options: TideImageOptions): Promise<BuildResult> {
  const root = options.packageRoot;
  const dockerfile = join(root, 'deploy', 'Dockerfile');
  if (!existsSync(dockerfile)) throw new ImageInputError(`no deploy/Dockerfile in the tide package at ${root}`);
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new ImageInputError(`tide is not built in ${root} (no dist/cli/main.js): run npm run build there`);
  if (!existsSync(join(root, 'node_modules'))) {
    throw new ImageInputError(`tide's dependencies are not in ${join(root, 'node_modules')} (installed as a project dependency, npm hoists them): build from a clone after npm ci, or from a global install (npm install -g)`);
  }
  const { packageRoot: _root, baseImage, ...rest } = options;
  const temp = baseImage === undefined ? undefined : mkdtempSync(join(tmpdir(), 'tide-image-'));
  try {
    let path = dockerfile;
    if (temp !== undefined && baseImage !== undefined) {
      path = join(temp, 'Dockerfile');
      writeFileSync(path, withBaseImage(readFileSync(dockerfile, 'utf8'), baseImage));
    }
    return await buildAndPushAppImage({ ...rest, appDir: root, dockerfile: path, npm: 'as-installed' });
  } finally {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
}
