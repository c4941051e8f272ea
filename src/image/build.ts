// Building an app image without Docker: Dockerfile → plan on the base image's config, npm steps run
// locally, layers for production node_modules and the app (cached by their inputs), pushed through the
// registry API. A Docker engine, when one answers, builds instead, as func does.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { layerOf, moduleItems, nativeAddons, type BuiltLayer } from './app-layers.js';
import { credentialsFromDockerConfig, dockerConfigPath, type Credentials } from './auth.js';
import { fetchBaseImage, scratchImage, type BaseImage, type ImageConfig } from './base-image.js';
import { planBuild, readFrom, type BuildPlan } from './build-plan.js';
import { contextEntries } from './context.js';
import { resolveCopies } from './copies.js';
import { dockerBuildAndPush, dockerEngineAnswers } from './docker-engine.js';
import { parseDockerfile } from './dockerfile.js';
import { ImageInputError } from './errors.js';
import { appIgnoreMatcher } from './ignore.js';
import { LayerCache } from './layer-cache.js';
import { ensureInstalled, productionModules, runNpm } from './npm.js';
import { pushImage } from './push.js';
import { formatReference, parseImageReference, type ImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';

export interface BuildAndPushOptions {
  /** The function app folder (the build context). */
  appDir: string;
  /** Where to push, e.g. `localhost:5000/hello:latest`. */
  image: string;
  /** Dockerfile path (relative to appDir or absolute); default `<appDir>/Dockerfile`. */
  dockerfile?: string;
  /** Plain HTTP to the registries (loopback registries always use it). */
  insecure?: boolean;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
  /** `auto` (default): Docker when an engine answers; `never`: tide's builder; `always`: Docker only. */
  docker?: 'auto' | 'never' | 'always';
  /** Credentials for the target registry; otherwise from the Docker config file. */
  username?: string;
  password?: string;
  /** Docker config file with `auths` (default $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  dockerConfig?: string;
  /** Layer cache folder (default $TIDE_CACHE_DIR/layers or ~/.cache/tide/layers). */
  cacheDir?: string;
  /** Platform picked from a multi-platform base image (default linux/amd64). */
  platform?: string;
  /** Uploads larger than this are sent in chunks of this size (default 16 MiB). */
  chunkSize?: number;
  /** `as-installed`: RUN npm steps are not run; node_modules and build output are taken as they are (tide's own image from its installed package). */
  npm?: 'run' | 'as-installed';
}

export interface BuildResult {
  /** The reference pushed (registry/repository:tag). */
  image: string;
  /** The manifest digest; `<image without tag>@<digest>` pins exactly this build. */
  digest: string;
}

const EPOCH = '1970-01-01T00:00:00Z';

function client(registry: string, options: BuildAndPushOptions, target: boolean): RegistryClient {
  let credentials: Credentials | undefined;
  if (target && options.username !== undefined) credentials = { username: options.username, password: options.password ?? '' };
  else credentials = credentialsFromDockerConfig(registry, options.dockerConfig ?? dockerConfigPath(), options.log);
  return new RegistryClient(registry, {
    ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
  });
}

function readDockerfile(options: BuildAndPushOptions): { path: string; text: string } {
  const path = options.dockerfile === undefined ? join(options.appDir, 'Dockerfile') : isAbsolute(options.dockerfile) ? options.dockerfile : join(options.appDir, options.dockerfile);
  if (!existsSync(path)) {
    const hint = options.dockerfile === undefined ? `run "tide init --docker-only" in ${options.appDir} to write one (tide builds without Docker from a Dockerfile)` : 'check the dockerfile option';
    throw new ImageInputError(`no Dockerfile at ${path} and no Docker engine answers: ${hint}`);
  }
  return { path, text: readFileSync(path, 'utf8') };
}

async function appLayers(appDir: string, plan: BuildPlan, file: string, cache: LayerCache, log: (line: string) => void, runSteps = true): Promise<BuiltLayer[]> {
  if (plan.npmInstall && runSteps) await ensureInstalled(appDir, plan.npmInstall.command, join(cache.dir, 'npm-stamps'), log);
  if (plan.npmBuild && runSteps) await runNpm(appDir, ['run', 'build'], log);
  const matcher = appIgnoreMatcher(appDir);
  // With RUN npm install, node_modules is what npm made (production part), not a copy of the folder.
  const skipModules = plan.npmInstall !== undefined;
  const entries = contextEntries(appDir, matcher, (rel) => skipModules && (rel === 'node_modules' || rel.startsWith('node_modules/')));
  const appItems = resolveCopies(plan.copies, entries, file);
  const modules = skipModules ? moduleItems(plan, productionModules(appDir, log)) : [];
  const addons = nativeAddons([...modules, ...appItems.values()]);
  if (addons.length > 0) {
    log(`warning: native addons go into the image as built on this machine (${process.platform}-${process.arch}); they fail in a linux/amd64 container if built for another platform: ${addons.slice(0, 5).join(', ')}${addons.length > 5 ? ` and ${addons.length - 5} more` : ''}`);
  }
  const layers: BuiltLayer[] = [];
  if (modules.length > 0) layers.push(await layerOf('node_modules (production)', modules, [], cache));
  if (appItems.size > 0 || plan.workdirs.length > 0) layers.push(await layerOf('app files', appItems.values(), plan.workdirs, cache));
  for (const layer of layers) log(`${layer.description}: ${layer.cached ? 'unchanged, from the layer cache' : 'packed'} (${layer.digest.slice(0, 19)})`);
  return layers;
}

function imageConfig(base: BaseImage, plan: BuildPlan, layers: readonly BuiltLayer[]): ImageConfig {
  const created = base.config.created ?? EPOCH;
  return {
    ...base.config,
    created,
    config: plan.config,
    rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, ...layers.map((l) => l.diffId)] },
    // Every history entry has `created`: umoci stat panics without it.
    history: [
      ...(base.config.history ?? []).map((entry) => ({ created, ...entry })),
      ...layers.map((l) => ({ created, created_by: `tide image build: ${l.description}`, comment: 'buildkit-free build by tide' })),
    ],
  };
}

async function buildWithoutDocker(options: BuildAndPushOptions, target: ImageReference): Promise<BuildResult> {
  const appDir = resolve(options.appDir);
  const dockerfile = readDockerfile(options);
  const file = dockerfile.path;
  const from = readFrom(parseDockerfile(dockerfile.text, file), file);
  const platform = options.platform ?? from.platform ?? 'linux/amd64';
  const cache = options.cacheDir !== undefined ? new LayerCache(options.cacheDir) : LayerCache.forEnvironment();
  const targetClient = client(target.registry, options, true);
  const baseRef = from.base === 'scratch' ? undefined : parseImageReference(from.base, `${file}: FROM`);
  const baseClient = baseRef === undefined || baseRef.registry === target.registry ? targetClient : client(baseRef.registry, options, false);
  options.log(`base image ${baseRef === undefined ? 'scratch' : formatReference(baseRef)} (${platform})`);
  const base = baseRef === undefined ? scratchImage(platform) : await fetchBaseImage(baseClient, baseRef, platform);
  const plan = planBuild(from.rest, base.config.config ?? {}, from.args, file);
  const layers = await appLayers(appDir, plan, file, cache, options.log, options.npm !== 'as-installed');
  const config = imageConfig(base, plan, layers);
  const source = { client: baseClient, ref: baseRef ?? target, image: base };
  const { digest, counts } = await pushImage(targetClient, target, source, layers, config, cache, options.log);
  options.log(`pushed ${formatReference(target)}@${digest}: ${counts.uploaded} blobs uploaded, ${counts.mounted} mounted, ${counts.skipped} already there`);
  return { image: formatReference(target), digest };
}

/** Builds the app's image and pushes it; Docker when an engine answers, else tide's own builder. */
export async function buildAndPushAppImage(options: BuildAndPushOptions): Promise<BuildResult> {
  const target = parseImageReference(options.image, 'image');
  const mode = options.docker ?? 'auto';
  if (mode !== 'never' && (mode === 'always' || (await dockerEngineAnswers()))) {
    return dockerBuildAndPush(options.appDir, options.image, options.dockerfile, options.log);
  }
  return buildWithoutDocker(options, target);
}
