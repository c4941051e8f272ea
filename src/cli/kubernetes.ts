// `tide kubernetes deploy|delete`: func's `kubernetes deploy` workflow (functions.md §1) on tide's app
// model. Generation is pure (src/deploy); this file resolves the app, namespace and image, checks the
// cluster answers before building anything, validates every object with a server-side dry run before
// writing any (nothing half-applied), then applies with field manager `tide`. Progress goes to stderr,
// YAML (--dry-run) and URLs to stdout.
import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hasErrors } from '../api/problems.js';
import { buildAndPushAppImage } from '../image/index.js';
import { readAppFromImage } from '../image/read-app.js';
import { findScriptRoot, loadFunctionApp, type FunctionApp } from '../app/load-app.js';
import { appManifests, type AppManifests } from '../deploy/app-manifests.js';
import { randomKey, type KeyGenerator } from '../deploy/keys-secret.js';
import { names, type DeployOptions, type Manifest } from '../deploy/manifest.js';
import { manifestsYaml } from '../deploy/yaml.js';
import { KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import { loadKubeconfig, type ClusterConnection } from '../kube/kubeconfig.js';
import { describeRef, type ObjectRef } from '../kube/resources.js';
import type { Command } from './command.js';
import { ExitCode, InputError, type CliIO } from './io.js';
import { withClusterErrors } from './cluster-errors.js';
import { INSTALL_USAGE, runKubernetesInstall } from './kubernetes-install.js';
import { imageReference, imageTag, parseKubernetesFlags, readScalerValues, scalerCredentials, type KubernetesFlags } from './kubernetes-options.js';

/** The image builder of src/image (Docker when it answers, else an OCI build pushed through the registry API). */
export type BuildAndPush = (options: { appDir: string; image: string; dockerfile?: string; insecure?: boolean; log: (line: string) => void }) => Promise<{ image: string; digest: string }>;

/** What tests replace: key values, the image builder, how waits sleep. */
export interface KubernetesDeps {
  readonly generateKey?: KeyGenerator;
  readonly buildImage?: BuildAndPush;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Runs `tide kubernetes …`; cluster and kubeconfig failures become exit codes 3 and 1. */
export async function runKubernetes(argv: readonly string[], io: CliIO, deps: KubernetesDeps = {}): Promise<number> {
  if (argv[0] === 'install' || argv[0] === 'remove') return runKubernetesInstall(argv, io, deps.sleep !== undefined ? { sleep: deps.sleep } : {});
  const flags = parseKubernetesFlags(argv);
  return withClusterErrors(`tide kubernetes ${flags.action}`, io, () => (flags.action === 'deploy' ? deploy(flags, io, deps) : remove(flags, io, deps)));
}

function connect(flags: KubernetesFlags, io: CliIO): ClusterConnection {
  return loadKubeconfig({ env: io.env, ...(flags.kubeconfig !== undefined ? { path: resolve(io.cwd, flags.kubeconfig) } : {}), ...(flags.context !== undefined ? { context: flags.context } : {}) });
}

/** --namespace, else the kubeconfig context's, else default (func reads it the same way). */
function namespaceOf(flags: KubernetesFlags, io: CliIO, connection: ClusterConnection | undefined): string {
  if (flags.namespace !== undefined) return flags.namespace;
  if (connection !== undefined) return connection.namespace ?? 'default';
  try {
    return connect(flags, io).namespace ?? 'default';
  } catch {
    return 'default';
  }
}

async function loadApp(io: CliIO, root = findScriptRoot(io.cwd) ?? io.cwd): Promise<FunctionApp> {
  // Only local.settings.json counts: the developer's shell environment is not what the pods will see.
  const app = await loadFunctionApp(root, {});
  for (const p of app.problems.filter((q) => q.severity === 'warning')) io.stderr(`warning: ${p.path === '' ? '' : `${p.path}: `}${p.message}\n`);
  const errors = app.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new InputError(`the app in ${root} cannot be deployed:\n${errors.map((p) => `  ${p.path === '' ? '' : `${p.path}: `}${p.message}`).join('\n')}`);
  return app;
}

async function deployOptions(flags: KubernetesFlags, app: FunctionApp, namespace: string): Promise<DeployOptions> {
  const image = imageReference(flags, await imageTag(flags, app.root));
  const credentials = scalerCredentials(await readScalerValues(app.root), flags.scalerSecretName);
  return { ...flags.deploy, namespace, image, ...(credentials !== undefined ? { scalerCredentials: credentials } : {}) };
}

function generate(app: FunctionApp, options: DeployOptions, generateKey: KeyGenerator, existingKeys: Record<string, string>, io: CliIO): AppManifests {
  const result = appManifests({ app, options, generateKey, existingKeys });
  for (const note of result.notes) io.stderr(`note: ${note}\n`);
  for (const p of result.problems.filter((q) => q.severity === 'warning')) io.stderr(`warning: ${p.path}: ${p.message}\n`);
  if (hasErrors(result.problems)) {
    const lines = result.problems.filter((p) => p.severity === 'error').map((p) => `  ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    throw new InputError(`cannot generate the objects (nothing was applied):\n${lines.join('\n')}`);
  }
  return result;
}

async function existingKeys(client: KubeClient, options: DeployOptions): Promise<Record<string, string>> {
  const secret = await client.get({ apiVersion: 'v1', kind: 'Secret', namespace: options.namespace, name: options.keysSecretName });
  const data = (secret?.['data'] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/**
 * The app to deploy: the local folder, or — with --image-name, nothing to build and no host.json here —
 * the app folder of that image, read through the registry (func runs the image for this; tide needs no
 * Docker). local.settings.json of the current folder still gives the settings, as with func.
 */
async function appSource(flags: KubernetesFlags, io: CliIO): Promise<{ app: FunctionApp; remove: () => Promise<void> }> {
  const root = findScriptRoot(io.cwd);
  const local = root !== undefined && existsSync(join(root, 'host.json'));
  if (local || flags.imageName === undefined || flags.registry !== undefined) return { app: await loadApp(io), remove: () => Promise.resolve() };
  io.stderr(`no function app in ${io.cwd}: reading the functions from image ${flags.imageName}\n`);
  const image = await readAppFromImage(flags.imageName, { log: (line) => { io.stderr(`  ${line}\n`); } });
  try {
    const settings = join(root ?? io.cwd, 'local.settings.json');
    if (existsSync(settings)) await copyFile(settings, join(image.dir, 'local.settings.json'));
    return { app: await loadApp(io, image.dir), remove: image.remove };
  } catch (error) {
    await image.remove();
    throw error;
  }
}

async function deploy(flags: KubernetesFlags, io: CliIO, deps: KubernetesDeps): Promise<number> {
  const source = await appSource(flags, io);
  try {
    return await deployApp(source.app, flags, io, deps);
  } finally {
    await source.remove();
  }
}

async function deployApp(app: FunctionApp, flags: KubernetesFlags, io: CliIO, deps: KubernetesDeps): Promise<number> {
  const generateKey = deps.generateKey ?? randomKey;
  const offline = flags.dryRun || flags.writeConfigs !== undefined;
  const connection = offline ? undefined : connect(flags, io);
  const client = connection === undefined ? undefined : new KubeClient(connection, deps.sleep !== undefined ? { sleep: deps.sleep } : {});
  if (client !== undefined) {
    io.stderr(`cluster: ${connection?.server ?? ''} (context ${connection?.context ?? ''})\n`);
    await client.version(); // unreachable → exit 3 before anything is built
  }
  const options = await deployOptions(flags, app, namespaceOf(flags, io, connection));
  const keys = client === undefined ? {} : await existingKeys(client, options);
  const result = generate(app, options, generateKey, keys, io);
  if (flags.dryRun) {
    io.stdout(manifestsYaml(result.objects));
    return ExitCode.ok;
  }
  if (!flags.skipBuild) await buildImage(app.root, options.image, flags, io, deps);
  if (flags.writeConfigs !== undefined) {
    const path = resolve(io.cwd, flags.writeConfigs);
    await writeFile(path, manifestsYaml(result.objects));
    io.stderr(`wrote ${result.objects.length} objects to ${path}\n`);
    return ExitCode.ok;
  }
  if (client === undefined) throw new Error('no cluster client');
  const failed = await applyAll(client, options.namespace, result.objects, flags, io);
  if (flags.wait) {
    for (const d of result.objects.filter((o) => o.kind === 'Deployment')) {
      io.stderr(`waiting for deployment.apps/${d.metadata.name} …\n`);
      await client.waitForDeployment(options.namespace, d.metadata.name, { timeoutMs: flags.waitTimeoutMs });
      io.stderr(`deployment.apps/${d.metadata.name} available\n`);
    }
  }
  if (result.httpFunctions.length > 0) await printUrls(client, options, app, result.httpFunctions, flags, io);
  return failed > 0 ? ExitCode.invalid : ExitCode.ok;
}

async function buildImage(appDir: string, image: string, flags: KubernetesFlags, io: CliIO, deps: KubernetesDeps): Promise<void> {
  io.stderr(`building and pushing ${image}\n`);
  const build = deps.buildImage ?? buildAndPushAppImage;
  const registryHost = (flags.registry ?? '').split('/')[0] ?? '';
  const insecure = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(registryHost);
  const built = await build({ appDir, image, insecure, log: (line) => {
    io.stderr(`  ${line}\n`);
  } });
  io.stderr(`pushed ${built.image}@${built.digest}\n`);
}

/** Namespace first (func creates it when missing), a server-side dry run of everything, then the applies. Returns how many failed (with --ignore-errors). */
async function applyAll(client: KubeClient, namespace: string, objects: readonly Manifest[], flags: KubernetesFlags, io: CliIO): Promise<number> {
  const nsRef = { apiVersion: 'v1', kind: 'Namespace', name: namespace };
  if ((await client.get(nsRef)) === undefined) {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    io.stderr(`namespace/${namespace} created\n`);
  }
  const refused: string[] = [];
  for (const object of objects) {
    try {
      await client.apply(object, { dryRun: true });
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      refused.push(`  ${describeRef(refOf(object))}: ${error.message}${hint(object, error)}`);
    }
  }
  if (refused.length > 0 && !flags.ignoreErrors) throw new InputError(`the cluster refuses ${refused.length === 1 ? 'an object' : 'some objects'} (nothing was applied; --ignore-errors applies the rest):\n${refused.join('\n')}`);
  let failed = 0;
  for (const object of objects) {
    try {
      await client.apply(object);
      io.stderr(`${describeRef(refOf(object))} serverside-applied\n`);
    } catch (error) {
      if (!(error instanceof KubeApiError) || !flags.ignoreErrors) throw error;
      failed++;
      io.stderr(`${describeRef(refOf(object))} failed: ${error.message}\n`);
    }
  }
  return failed;
}

function hint(object: Manifest, error: KubeApiError): string {
  return error.status === 404 && object.apiVersion.startsWith('keda.sh/') ? ' (are the keda.sh CRDs installed? install tide or KEDA first)' : '';
}

function refOf(object: Manifest): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}) };
}

/** Each HTTP function's URL behind the Service (FQDN, or the Service's address). */
async function printUrls(client: KubeClient, options: DeployOptions, app: FunctionApp, httpFunctions: readonly string[], flags: KubernetesFlags, io: CliIO): Promise<void> {
  const serviceName = names.httpDeployment(options.name);
  let host = `${serviceName}.${options.namespace}.svc.cluster.local`;
  if (!flags.showServiceFqdn) {
    const service = await client.get({ apiVersion: 'v1', kind: 'Service', namespace: options.namespace, name: serviceName });
    const spec = (service?.['spec'] ?? {}) as { clusterIP?: string };
    const ingress = ((service?.['status'] ?? {}) as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } }).loadBalancer?.ingress?.[0];
    host = ingress?.ip ?? ingress?.hostname ?? spec.clusterIP ?? host;
  }
  const prefix = app.hostJson.http.routePrefix === '' ? '' : `/${app.hostJson.http.routePrefix}`;
  io.stdout('HTTP functions:\n');
  for (const name of httpFunctions) {
    const fn = app.functions.find((f) => f.name === name);
    const route = typeof fn?.trigger.options['route'] === 'string' ? fn.trigger.options['route'] : name;
    io.stdout(`  ${name}: http://${host}${prefix}/${route}\n`);
  }
  io.stderr(`function keys are in secret/${options.keysSecretName} (functions.<name>.default, host.master)\n`);
}

/** Every object deploy can have written for this name: regenerated from the app when it loads, plus func's fixed names. */
async function remove(flags: KubernetesFlags, io: CliIO, deps: KubernetesDeps): Promise<number> {
  const connection = flags.dryRun ? undefined : connect(flags, io);
  const namespace = namespaceOf(flags, io, connection);
  const refs = new Map<string, ObjectRef>();
  const add = (ref: ObjectRef): void => {
    refs.set(`${ref.kind}/${ref.name}`, ref);
  };
  const fixed = { ...flags.deploy, namespace, image: 'unused' };
  try {
    const app = await loadApp(io);
    const options = await deployOptions(flags, app, namespace);
    for (const object of appManifests({ app, options, generateKey: deps.generateKey ?? randomKey }).objects) add(refOf(object));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(`note: the app is not loaded (${error.message.split('\n')[0] ?? ''}); deleting by name\n`);
  }
  const ns = { namespace };
  if (fixed.settings.kind === 'secret') add({ apiVersion: 'v1', kind: 'Secret', name: flags.name, ...ns });
  if (fixed.settings.kind === 'config-map') add({ apiVersion: 'v1', kind: 'ConfigMap', name: flags.name, ...ns });
  add({ apiVersion: 'v1', kind: 'Secret', name: fixed.keysSecretName, ...ns });
  add({ apiVersion: 'v1', kind: 'ServiceAccount', name: names.serviceAccount(flags.name), ...ns });
  add({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', name: names.roleBinding(flags.name), ...ns });
  add({ apiVersion: 'v1', kind: 'Service', name: names.httpDeployment(flags.name), ...ns });
  for (const name of [names.httpDeployment(flags.name), flags.name]) {
    add({ apiVersion: 'apps/v1', kind: 'Deployment', name, ...ns });
    add({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name, ...ns });
  }
  add({ apiVersion: 'v1', kind: 'Secret', name: names.scaler(flags.name), ...ns });
  add({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', name: names.scaler(flags.name), ...ns });
  // The Role is shared by every app in the namespace (fixed name): deleting it would cut the others off.
  refs.delete(`Role/${names.role}`);
  // ScaledObjects first, so KEDA stops scaling before the Deployments go.
  const ordered = [...refs.values()].sort((a, b) => rank(a) - rank(b));
  if (flags.dryRun) {
    for (const ref of ordered) io.stdout(`${describeRef(ref)} (namespace ${namespace})\n`);
    return ExitCode.ok;
  }
  if (connection === undefined) throw new Error('no cluster connection');
  const client = new KubeClient(connection);
  await client.version();
  for (const ref of ordered) {
    const deleted = await client.delete(ref);
    if (deleted) io.stderr(`${describeRef(ref)} deleted\n`);
  }
  io.stderr(`role.rbac.authorization.k8s.io/${names.role} kept: other apps in namespace ${namespace} may use it\n`);
  return ExitCode.ok;
}

function rank(ref: ObjectRef): number {
  return ['ScaledObject', 'TriggerAuthentication', 'Deployment', 'Service'].indexOf(ref.kind) + 1 || 9;
}

export const kubernetesCommand: Command = {
  name: 'kubernetes',
  summary: 'deploy a function app to Kubernetes (func kubernetes deploy) or delete it; install or remove tide itself',
  usage: [
    'Usage: tide kubernetes deploy --name NAME (--registry REGISTRY | --image-name IMAGE) [options]',
    '       tide kubernetes delete --name NAME [--namespace NS] [--dry-run]',
    ...INSTALL_USAGE,
    '',
    'Deploys the function app in the current folder as func does: a Secret of local.settings.json Values,',
    'for HTTP functions a keys Secret, RBAC, Service and Deployment NAME-http, for the others a Deployment',
    'NAME and a KEDA ScaledObject. v3 and v4 apps; timer functions scale in cron windows.',
    '',
    'func flags: --namespace --pull-secret --polling-interval --cooldown-period --min-replicas --max-replicas',
    '  --keys-secret-name --mount-funckeys-as-containervolume --secret-name --config-map-name --use-config-map',
    '  --service-type LoadBalancer|ClusterIP|NodePort --no-docker --dry-run --write-configs [--config-file F]',
    '  --ignore-errors --show-service-fqdn --keda-version V2 --use-git-hash-version --hash-files GLOB',
    '  --image-build true|false --key-secret-annotations k=v,k2=v2',
    'tide: --http-scaling prometheus --prometheus-url URL [--http-target 100]  scale NAME-http on request rate',
    '      --scaler-secret-name SECRET      scaler credentials from an existing Secret (or ScalerValues in local.settings.json)',
    '      --wait [--wait-timeout 240]       wait until the Deployments are available',
    '      --kubeconfig FILE --context NAME  which cluster (default: $KUBECONFIG, ~/.kube/config)',
    '',
    'install/remove: tide\'s operator, metrics adapter and webhooks under KEDA\'s names (docs/install.md).',
    'See docs/kubernetes-deploy.md. Exit codes: 1 invalid app or refused object, 2 usage, 3 cluster unreachable.',
  ].join('\n'),
  run: (argv, io) => runKubernetes(argv, io),
};
