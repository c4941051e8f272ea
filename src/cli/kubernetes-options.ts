// Flags of `tide kubernetes deploy|delete`: every `func kubernetes deploy` flag (functions.md §1.1)
// under func's spelling, tide's additions (--http-scaling, --scaler-secret-name, --wait, --kubeconfig,
// --context), and how they become DeployOptions. Flags that need Docker's semantics say so.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { globFiles } from '../app/glob.js';
import { caseless, isJsonObject, parseJsonText } from '../app/json-text.js';
import { names, type DeployOptions, type HttpScaling, type ScalerCredentials, type ServiceType, type SettingsSource } from '../deploy/manifest.js';
import { numberFlag, parseFlags } from './args.js';
import { InputError, UsageError } from './io.js';

export const KUBERNETES_OPTIONS = {
  name: { type: 'string' },
  'image-name': { type: 'string' },
  registry: { type: 'string' },
  namespace: { type: 'string' },
  'pull-secret': { type: 'string' },
  'polling-interval': { type: 'string' },
  'cooldown-period': { type: 'string' },
  'min-replicas': { type: 'string' },
  'max-replicas': { type: 'string' },
  'keys-secret-name': { type: 'string' },
  'mount-funckeys-as-containervolume': { type: 'boolean' },
  'secret-name': { type: 'string' },
  'config-map-name': { type: 'string' },
  'use-config-map': { type: 'boolean' },
  'service-type': { type: 'string' },
  'no-docker': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'write-configs': { type: 'boolean' },
  'config-file': { type: 'string' },
  'ignore-errors': { type: 'boolean' },
  'show-service-fqdn': { type: 'boolean' },
  'keda-version': { type: 'string' },
  'use-git-hash-version': { type: 'boolean' },
  'hash-files': { type: 'string' },
  'image-build': { type: 'string' },
  'key-secret-annotations': { type: 'string', multiple: true },
  // tide's own
  'http-scaling': { type: 'string' },
  'prometheus-url': { type: 'string' },
  'http-target': { type: 'string' },
  'scaler-secret-name': { type: 'string' },
  wait: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

/** Everything the command needs besides the app itself. */
export interface KubernetesFlags {
  readonly action: 'deploy' | 'delete';
  readonly name: string;
  /** --namespace, when given (else the context's, else default). */
  readonly namespace?: string;
  readonly registry?: string;
  readonly imageName?: string;
  /** No build or push: --no-docker, --image-build false, or --image-name without --registry. */
  readonly skipBuild: boolean;
  readonly dryRun: boolean;
  readonly writeConfigs?: string;
  readonly ignoreErrors: boolean;
  readonly showServiceFqdn: boolean;
  readonly useGitHash: boolean;
  readonly hashFiles?: string;
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly scalerSecretName?: string;
  /** DeployOptions minus what is resolved later (namespace, image, scaler values). */
  readonly deploy: Omit<DeployOptions, 'namespace' | 'image' | 'scalerCredentials'>;
}

const NAME = /^[a-z0-9\-.]*$/;
const SERVICE_TYPES: readonly ServiceType[] = ['LoadBalancer', 'ClusterIP', 'NodePort'];

function integerFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = numberFlag(name, value, 0, min);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return n;
}

/** `k1=v1,k2=v2` (func's form), repeatable; split on the first `=` of each pair. */
function annotations(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (values ?? []).flatMap((v) => v.split(','))) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--key-secret-annotations takes key=value pairs, got "${pair}"`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function settingsSource(values: { 'use-config-map'?: boolean; 'secret-name'?: string; 'config-map-name'?: string }): SettingsSource {
  if (values['use-config-map'] === true) return { kind: 'config-map' };
  if (values['secret-name'] !== undefined) return { kind: 'existing-secret', name: values['secret-name'] };
  if (values['config-map-name'] !== undefined) return { kind: 'existing-config-map', name: values['config-map-name'] };
  return { kind: 'secret' };
}

function httpScaling(values: { 'http-scaling'?: string; 'prometheus-url'?: string; 'http-target'?: string }): HttpScaling | undefined {
  const mode = values['http-scaling'];
  if (mode === undefined || mode === 'none') {
    if (values['prometheus-url'] !== undefined || values['http-target'] !== undefined) throw new UsageError('--prometheus-url and --http-target need --http-scaling prometheus');
    return undefined;
  }
  if (mode !== 'prometheus') throw new UsageError(`--http-scaling must be prometheus or none, got "${mode}"`);
  const url = values['prometheus-url'];
  if (url === undefined) throw new UsageError('--http-scaling prometheus needs --prometheus-url URL (the Prometheus server that scrapes the function pods)');
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--prometheus-url must be an http(s) URL, got "${url}"`);
  const target = numberFlag('http-target', values['http-target'], 100, 0);
  if (target <= 0) throw new UsageError(`--http-target must be greater than 0, got "${values['http-target'] ?? ''}"`);
  return { prometheusUrl: url, target };
}

/** Parses `deploy|delete` and its flags; usage mistakes throw UsageError naming the flag. */
export function parseKubernetesFlags(argv: readonly string[]): KubernetesFlags {
  const { values, positionals } = parseFlags(argv, KUBERNETES_OPTIONS);
  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError('name a subcommand: deploy, delete, install or remove');
  if (action === 'install' || action === 'remove') throw new UsageError(`put the subcommand first: tide kubernetes ${action} [options]`);
  if (action !== 'deploy' && action !== 'delete') throw new UsageError(`unknown subcommand "${action}" (deploy, delete)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra.join(' ')}"`);
  const name = values.name;
  if (name === undefined || name === '') throw new UsageError('--name is required (the base name of every object)');
  if (name.length > 253 || !NAME.test(name)) throw new UsageError(`--name "${name}" must be at most 253 characters of a-z, 0-9, "-" and "."`);
  const serviceType = values['service-type'] ?? 'LoadBalancer';
  const service = SERVICE_TYPES.find((t) => t === serviceType);
  if (service === undefined) throw new UsageError(`--service-type must be one of ${SERVICE_TYPES.join(', ')}, got "${serviceType}"`);
  const keda = values['keda-version'] ?? 'V2';
  if (keda.toUpperCase() === 'V1') throw new InputError('--keda-version V1 (keda.k8s.io, KEDA 1.x) is not supported: tide serves keda.sh/v1alpha1 (KEDA 2); drop the flag or pass V2');
  if (keda.toUpperCase() !== 'V2') throw new UsageError(`--keda-version must be V1 or V2, got "${keda}"`);
  const imageBuild = values['image-build'] ?? 'true';
  if (!/^(true|false)$/i.test(imageBuild)) throw new UsageError(`--image-build must be true or false, got "${imageBuild}"`);
  const registry = values.registry;
  const imageName = values['image-name'];
  if (action === 'deploy' && registry === undefined && imageName === undefined) throw new UsageError('one of --registry (build and push <registry>/<name>) or --image-name (deploy that image) is required');
  const minReplicas = integerFlag('min-replicas', values['min-replicas'], 0);
  const maxReplicas = integerFlag('max-replicas', values['max-replicas'], 1);
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) throw new UsageError(`--min-replicas ${minReplicas} is greater than --max-replicas ${maxReplicas}`);
  const pollingInterval = integerFlag('polling-interval', values['polling-interval'], 1);
  const cooldownPeriod = integerFlag('cooldown-period', values['cooldown-period'], 0);
  const scaling = httpScaling(values);
  return {
    action,
    name,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(registry !== undefined ? { registry: registry.replace(/\/+$/, '') } : {}),
    ...(imageName !== undefined ? { imageName } : {}),
    skipBuild: values['no-docker'] === true || imageBuild.toLowerCase() === 'false' || registry === undefined,
    dryRun: values['dry-run'] === true,
    ...(values['write-configs'] === true ? { writeConfigs: values['config-file'] ?? 'functions.yaml' } : {}),
    ignoreErrors: values['ignore-errors'] === true,
    showServiceFqdn: values['show-service-fqdn'] === true,
    useGitHash: values['use-git-hash-version'] === true,
    ...(values['hash-files'] !== undefined ? { hashFiles: values['hash-files'] } : {}),
    wait: values.wait === true,
    waitTimeoutMs: numberFlag('wait-timeout', values['wait-timeout'], 240, 1) * 1000,
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context !== undefined ? { context: values.context } : {}),
    ...(values['scaler-secret-name'] !== undefined ? { scalerSecretName: values['scaler-secret-name'] } : {}),
    deploy: {
      name,
      ...(values['pull-secret'] !== undefined ? { pullSecret: values['pull-secret'] } : {}),
      ...(pollingInterval !== undefined ? { pollingInterval } : {}),
      ...(cooldownPeriod !== undefined ? { cooldownPeriod } : {}),
      ...(minReplicas !== undefined ? { minReplicas } : {}),
      ...(maxReplicas !== undefined ? { maxReplicas } : {}),
      keysSecretName: values['keys-secret-name'] ?? names.keysSecret(name),
      keySecretAnnotations: annotations(values['key-secret-annotations']),
      mountKeys: values['mount-funckeys-as-containervolume'] === true,
      settings: settingsSource(values),
      serviceType: service,
      ...(scaling !== undefined ? { httpScaling: scaling } : {}),
    },
  };
}

/** The image tag: `latest`, `git describe --always --dirty`, or the GitHub hashFiles() digest of the matched files. */
export async function imageTag(flags: KubernetesFlags, root: string): Promise<string> {
  if (flags.useGitHash) {
    try {
      const { stdout } = await promisify(execFile)('git', ['describe', '--always', '--dirty'], { cwd: root });
      return stdout.trim();
    } catch (error) {
      throw new InputError(`--use-git-hash-version: "git describe --always --dirty" failed in ${root}: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}`);
    }
  }
  if (flags.hashFiles !== undefined) {
    const files = (await Promise.all(flags.hashFiles.split(',').map((p) => globFiles(root, p.trim())))).flat();
    if (files.length === 0) throw new InputError(`--hash-files "${flags.hashFiles}" matches no file under ${root}`);
    // hashFiles(): SHA-256 over the concatenated SHA-256 digests of each matched file, in order.
    const total = createHash('sha256');
    for (const file of [...new Set(files)].sort()) total.update(createHash('sha256').update(await readFile(join(root, file))).digest());
    return total.digest('hex');
  }
  return 'latest';
}

/** The image to deploy: --registry wins (built as <registry>/<name>:<tag>), else --image-name. */
export function imageReference(flags: KubernetesFlags, tag: string): string {
  if (flags.registry !== undefined) return `${flags.registry}/${flags.name}:${tag}`;
  return flags.imageName ?? '';
}

/** The `ScalerValues` section of local.settings.json (tide's addition): setting name → the scaler's own value. */
export async function readScalerValues(root: string): Promise<Record<string, string>> {
  const path = join(root, 'local.settings.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  const parsed = parseJsonText(text);
  if ('error' in parsed || !isJsonObject(parsed.value)) return {};
  const section = caseless(parsed.value, 'ScalerValues');
  if (section === undefined || section === null) return {};
  if (!isJsonObject(section)) throw new InputError(`${path}: "ScalerValues" must be an object of string settings`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(section)) {
    if (typeof value !== 'string') throw new InputError(`${path}: ScalerValues.${key} must be a string`);
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new InputError(`${path}: ScalerValues.${key}: a Secret key may hold only letters, digits, "-", "_" and "."`);
    out[key] = value;
  }
  return out;
}

/** The scaler credentials, when ScalerValues or --scaler-secret-name give any. */
export function scalerCredentials(values: Record<string, string>, existingSecret: string | undefined): ScalerCredentials | undefined {
  if (Object.keys(values).length === 0 && existingSecret === undefined) return undefined;
  return { values, ...(existingSecret !== undefined ? { existingSecret } : {}) };
}
