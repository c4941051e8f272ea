// `tide kubernetes install|remove`: func's commands (functions.md §2) for tide itself. install applies
// the objects of src/deploy/install with server-side apply (field manager `tide`), optionally after
// building tide's image into --registry without Docker; it refuses to replace another external metrics
// adapter (one APIService per cluster) unless --take-over. remove deletes only objects labelled as
// tide's and never the CRDs, so the user's ScaledObjects survive a remove and a reinstall.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installManifests, installOptions, INSTALL_NAMES, PART_OF, type InstallOptions } from '../deploy/install/index.js';
import type { Manifest } from '../deploy/manifest.js';
import { manifestsYaml } from '../deploy/yaml.js';
import { buildAndPushTideImage, type TideImageOptions } from '../image/index.js';
import { KubeClient, type KubeResource } from '../kube/client.js';
import { loadKubeconfig, type ClusterConnection } from '../kube/kubeconfig.js';
import { describeRef, type ObjectRef } from '../kube/resources.js';
import { numberFlag, outputFormat, parseFlags } from './args.js';
import { withClusterErrors } from './cluster-errors.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';

const OPTIONS = {
  namespace: { type: 'string' },
  image: { type: 'string' },
  registry: { type: 'string' },
  'base-image': { type: 'string' },
  'image-pull-policy': { type: 'string' },
  'watch-namespace': { type: 'string' },
  'no-webhooks': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'take-over': { type: 'boolean' },
  wait: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  'keda-version': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

/** What tests replace: the package the image is built from, the builder, how waits sleep. */
export interface InstallDeps {
  readonly packageRoot?: string;
  readonly buildImage?: (options: TideImageOptions) => Promise<{ image: string; digest: string }>;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface InstallFlags {
  readonly action: 'install' | 'remove';
  readonly namespace: string;
  readonly image?: string;
  readonly registry?: string;
  readonly baseImage?: string;
  readonly pullPolicy?: InstallOptions['imagePullPolicy'];
  readonly watchNamespace: string;
  readonly webhooks: boolean;
  readonly dryRun: boolean;
  readonly output: 'yaml' | 'json';
  readonly takeOver: boolean;
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
  readonly kubeconfig?: string;
  readonly context?: string;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

function parseInstallFlags(argv: readonly string[]): InstallFlags {
  const { values: v, positionals } = parseFlags(argv, OPTIONS);
  const [action, ...extra] = positionals;
  if (action !== 'install' && action !== 'remove') throw new UsageError('name a subcommand: install or remove');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra.join(' ')}"`);
  if (v['keda-version'] !== undefined && v['keda-version'].toUpperCase() !== 'V2') throw new UsageError(`--keda-version: tide is KEDA 2 compatible only (V2), got "${v['keda-version']}"`);
  if (v.image !== undefined && v.registry !== undefined) throw new UsageError('give --image (use that image) or --registry (build and push tide\'s image there), not both');
  if (v['base-image'] !== undefined && v.registry === undefined) throw new UsageError('--base-image is only used when building with --registry');
  const pullPolicy = v['image-pull-policy'];
  if (pullPolicy !== undefined && !PULL_POLICIES.some((p) => p === pullPolicy)) throw new UsageError(`--image-pull-policy must be one of ${PULL_POLICIES.join(', ')}, got "${pullPolicy}"`);
  const output = outputFormat(v.output ?? 'yaml', ['yaml', 'json']);
  const only = <K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> => (value === undefined ? {} : ({ [key]: value } as Record<K, T>));
  return {
    action,
    namespace: v.namespace ?? 'keda',
    watchNamespace: v['watch-namespace'] ?? '',
    webhooks: v['no-webhooks'] !== true,
    dryRun: v['dry-run'] === true,
    output: output === 'json' ? 'json' : 'yaml',
    takeOver: v['take-over'] === true,
    wait: v.wait === true,
    waitTimeoutMs: numberFlag('wait-timeout', v['wait-timeout'], 240) * 1000,
    ...only('image', v.image), ...only('registry', v.registry), ...only('baseImage', v['base-image']),
    ...only('pullPolicy', PULL_POLICIES.find((p) => p === pullPolicy)),
    ...only('kubeconfig', v.kubeconfig), ...only('context', v.context),
  };
}

/** The tide package root: dist/cli or src/cli, two folders up. */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function tideVersion(root: string): string {
  return (createRequire(join(root, 'package.json'))(join(root, 'package.json')) as { version: string }).version;
}

function refOf(object: Manifest | KubeResource): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}) };
}

const isTide = (object: KubeResource): boolean => (object.metadata['labels'] as Record<string, string> | undefined)?.[PART_OF.key] === PART_OF.value;

/** Runs `tide kubernetes install|remove`; cluster and registry failures exit 3. */
export async function runKubernetesInstall(argv: readonly string[], io: CliIO, deps: InstallDeps = {}): Promise<number> {
  const flags = parseInstallFlags(argv);
  return withClusterErrors(`tide kubernetes ${flags.action}`, io, () => (flags.action === 'install' ? install(flags, io, deps) : remove(flags, io, deps)));
}

function connect(flags: InstallFlags, io: CliIO, deps: InstallDeps): KubeClient {
  const connection: ClusterConnection = loadKubeconfig({ env: io.env, ...(flags.kubeconfig !== undefined ? { path: resolve(io.cwd, flags.kubeconfig) } : {}), ...(flags.context !== undefined ? { context: flags.context } : {}) });
  io.stderr(`cluster: ${connection.server} (context ${connection.context})\n`);
  return new KubeClient(connection, deps.sleep !== undefined ? { sleep: deps.sleep } : {});
}

function options(flags: InstallFlags, version: string, image: string | undefined): InstallOptions {
  return installOptions({
    version, namespace: flags.namespace, watchNamespace: flags.watchNamespace, webhooks: flags.webhooks,
    ...(image !== undefined ? { image } : {}),
    ...(flags.pullPolicy !== undefined ? { imagePullPolicy: flags.pullPolicy } : {}),
  });
}

async function install(flags: InstallFlags, io: CliIO, deps: InstallDeps): Promise<number> {
  const root = deps.packageRoot ?? packageRoot();
  const version = tideVersion(root);
  const target = flags.registry !== undefined ? `${flags.registry.replace(/\/+$/, '')}/tide:${version}` : flags.image;
  const objects = installManifests(options(flags, version, target));
  if (flags.dryRun) {
    io.stdout(flags.output === 'json' ? objects.map((o) => `${JSON.stringify(o)}\n`).join('') : manifestsYaml(objects));
    return ExitCode.ok;
  }
  const client = connect(flags, io, deps);
  await client.version(); // unreachable → exit 3 before anything is built
  const foreign = await foreignObjects(client, flags);
  if (foreign.length > 0 && !flags.takeOver) throw new InputError(refusal(foreign, flags.namespace));
  if (target !== undefined && flags.registry !== undefined) await buildImage(root, target, flags, io, deps);
  for (const line of await takeOver(client, foreign)) io.stderr(`${line}\n`);
  let created = 0;
  for (const object of objects) {
    const existed = (await client.get(refOf(object))) !== undefined;
    await client.apply(object);
    if (!existed) created++;
    io.stderr(`${describeRef(refOf(object))} ${existed ? 'configured' : 'created'}\n`);
  }
  if (flags.wait) {
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      io.stderr(`waiting for deployment.apps/${d.metadata.name} …\n`);
      await client.waitForDeployment(flags.namespace, d.metadata.name, { timeoutMs: flags.waitTimeoutMs });
      io.stderr(`deployment.apps/${d.metadata.name} available\n`);
    }
  }
  io.stderr(`tide ${version} installed in namespace ${flags.namespace}: ${objects.length} objects (${created} created, ${objects.length - created} configured)\n`);
  return ExitCode.ok;
}

async function buildImage(root: string, image: string, flags: InstallFlags, io: CliIO, deps: InstallDeps): Promise<void> {
  io.stderr(`building tide's image from ${join(root, 'deploy', 'Dockerfile')} and pushing ${image}\n`);
  const registryHost = (flags.registry ?? '').split('/')[0] ?? '';
  const insecure = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(registryHost);
  const build = deps.buildImage ?? buildAndPushTideImage;
  const built = await build({ packageRoot: root, image, insecure, ...(flags.baseImage !== undefined ? { baseImage: flags.baseImage } : {}), log: (line) => { io.stderr(`  ${line}\n`); } });
  io.stderr(`pushed ${built.image}@${built.digest}\n`);
}

/** An object of another installation that tide would replace. */
interface Foreign {
  readonly object: KubeResource;
  readonly owner: string;
}

/** KEDA, Datadog or someone else, from the APIService's Service and labels. */
function ownerOf(object: KubeResource): string {
  const service = (object['spec'] as { service?: { name?: string; namespace?: string } } | undefined)?.service;
  const labels = Object.values((object.metadata['labels'] ?? {}) as Record<string, string>).join(' ');
  const where = service === undefined ? 'the API server itself' : `service ${service.namespace ?? ''}/${service.name ?? ''}`;
  const text = `${service?.name ?? ''} ${labels}`.toLowerCase();
  const who = text.includes('keda') ? 'KEDA' : text.includes('datadog') ? 'the Datadog cluster agent' : 'another external metrics adapter';
  return `${who} (${where})`;
}

/** The APIService and webhook configuration when someone else's, and KEDA's Deployments alongside them. */
async function foreignObjects(client: KubeClient, flags: InstallFlags): Promise<Foreign[]> {
  const found: Foreign[] = [];
  const apiService = await client.get({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: INSTALL_NAMES.apiService });
  if (apiService === undefined || isTide(apiService)) return found;
  const owner = ownerOf(apiService);
  found.push({ object: apiService, owner });
  const webhooks = await client.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: INSTALL_NAMES.webhookConfiguration });
  if (webhooks !== undefined && !isTide(webhooks)) found.push({ object: webhooks, owner });
  if (owner.startsWith('KEDA')) {
    // KEDA's operator would keep reconciling the same ScaledObjects next to tide's: its Deployments go.
    const kedaNamespace = (apiService['spec'] as { service?: { namespace?: string } } | undefined)?.service?.namespace ?? flags.namespace;
    for (const name of [INSTALL_NAMES.operator, INSTALL_NAMES.metricsServer, 'keda-admission', INSTALL_NAMES.webhooks]) {
      const deployment = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: kedaNamespace, name });
      if (deployment !== undefined && !isTide(deployment)) found.push({ object: deployment, owner });
    }
  }
  return found;
}

function refusal(foreign: readonly Foreign[], namespace: string): string {
  const owner = foreign[0]?.owner ?? 'another adapter';
  return [
    `APIService ${INSTALL_NAMES.apiService} is served by ${owner}; a cluster has one external metrics adapter, and installing tide would replace it. Nothing was changed.`,
    'tide would replace:',
    ...foreign.map((f) => `  ${describeRef(refOf(f.object))}${f.object.metadata.namespace !== undefined ? ` (namespace ${f.object.metadata.namespace})` : ''}`),
    `Run again with --take-over to replace them (tide installs into namespace ${namespace}); ScaledObjects, ScaledJobs and TriggerAuthentications are kept, and the keda.sh CRDs are updated in place, never deleted.`,
  ].join('\n');
}

/** Deletes what --take-over replaces (tide's objects are applied fresh after), saying what went. */
async function takeOver(client: KubeClient, foreign: readonly Foreign[]): Promise<string[]> {
  const lines: string[] = [];
  for (const f of foreign) {
    // Deleted, not force-applied over: fields tide does not set (KEDA's command, its caBundle) would stay.
    await client.delete(refOf(f.object));
    lines.push(`replaced ${describeRef(refOf(f.object))}${f.object.metadata.namespace !== undefined ? ` (namespace ${f.object.metadata.namespace})` : ''} of ${f.owner}`);
  }
  if (foreign.length > 0) lines.push('kept: the keda.sh CRDs and every ScaledObject, ScaledJob, TriggerAuthentication and ClusterTriggerAuthentication');
  return lines;
}

/** Deletes tide's objects in reverse apply order; the CRDs (and so the users' objects) and the namespace stay. */
async function remove(flags: InstallFlags, io: CliIO, deps: InstallDeps): Promise<number> {
  const version = tideVersion(deps.packageRoot ?? packageRoot());
  const objects = installManifests(options({ ...flags, webhooks: true }, version, undefined))
    .filter((o) => o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace')
    .reverse();
  const certificates: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: flags.namespace, name: INSTALL_NAMES.certificates };
  if (flags.dryRun) {
    for (const o of objects) io.stdout(`${describeRef(refOf(o))}${o.metadata.namespace !== undefined ? ` (namespace ${o.metadata.namespace})` : ''}\n`);
    io.stdout(`${describeRef(certificates)} (namespace ${flags.namespace})\n`);
    return ExitCode.ok;
  }
  const client = connect(flags, io, deps);
  await client.version();
  const operator = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: flags.namespace, name: INSTALL_NAMES.operator });
  if (operator === undefined || !isTide(operator)) {
    throw new InputError(operator === undefined ? `tide is not installed in namespace ${flags.namespace} (no deployment.apps/${INSTALL_NAMES.operator})` : `deployment.apps/${INSTALL_NAMES.operator} in namespace ${flags.namespace} is not tide's (no ${PART_OF.key}=${PART_OF.value} label): remove KEDA with its own manifests or chart`);
  }
  let deleted = 0;
  for (const object of objects) {
    const existing = await client.get(refOf(object));
    if (existing === undefined) continue;
    if (!isTide(existing)) {
      io.stderr(`${describeRef(refOf(object))} kept: not tide's (no ${PART_OF.key}=${PART_OF.value} label)\n`);
      continue;
    }
    await client.delete(refOf(object));
    deleted++;
    io.stderr(`${describeRef(refOf(object))} deleted\n`);
  }
  if (await client.delete(certificates)) io.stderr(`${describeRef(certificates)} deleted\n`);
  io.stderr(`tide removed from namespace ${flags.namespace} (${deleted} objects); kept: the keda.sh CRDs with every ScaledObject and TriggerAuthentication, and namespace ${flags.namespace}\n`);
  return ExitCode.ok;
}

/** Usage lines for `tide kubernetes --help`. */
export const INSTALL_USAGE = [
  '       tide kubernetes install [--namespace keda] [--image REF | --registry R [--base-image REF]] [--dry-run [--output yaml|json]]',
  '                               [--take-over] [--wait [--wait-timeout 240]] [--watch-namespace NS] [--no-webhooks] [--image-pull-policy P]',
  '       tide kubernetes remove [--namespace keda] [--dry-run]',
];
