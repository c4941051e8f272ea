// Reading a kubeconfig the way kubectl does, for the few fields a small client needs: the current
// context (or a named one), its cluster's server and CA (or insecure-skip-tls-verify), and its user's
// bearer token, token file, client certificate or basic auth. Relative file paths are relative to the
// kubeconfig file. exec and auth-provider plugins are not run: they are named in the error instead.
// Inside a pod without a kubeconfig, the service account is used (in-cluster config).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { KubeconfigError } from './errors.js';

/** What a request to the cluster needs. */
export interface ClusterConnection {
  readonly server: string;
  /** Namespace of the context (kubectl's default namespace), if it names one. */
  readonly namespace?: string;
  readonly context: string;
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  readonly token?: string;
  readonly clientCert?: Buffer;
  readonly clientKey?: Buffer;
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

const clusterSchema = z.looseObject({
  server: z.string(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
});

const userSchema = z.looseObject({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  exec: z.unknown().optional(),
  'auth-provider': z.unknown().optional(),
});

const contextSchema = z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() });

const kubeconfigSchema = z.object({
  'current-context': z.string().nullish(),
  clusters: z.array(z.object({ name: z.string(), cluster: clusterSchema })).nullish(),
  users: z.array(z.object({ name: z.string(), user: userSchema.nullish() })).nullish(),
  contexts: z.array(z.object({ name: z.string(), context: contextSchema })).nullish(),
});

type Kubeconfig = z.infer<typeof kubeconfigSchema>;

export interface LoadKubeconfigOptions {
  /** --kubeconfig; else $KUBECONFIG (first existing file of the list), else ~/.kube/config. */
  readonly path?: string;
  /** --context; else current-context. */
  readonly context?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The kubeconfig file to read, or undefined when none exists. */
export function kubeconfigPath(options: LoadKubeconfigOptions): string | undefined {
  if (options.path !== undefined) return resolve(options.path);
  const fromEnv = (options.env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) return fromEnv.find((p) => existsSync(p)) ?? fromEnv[0];
  const home = options.env['HOME'] ?? homedir();
  const path = join(home, '.kube', 'config');
  return existsSync(path) ? path : undefined;
}

/** Resolves the connection for the chosen context; throws KubeconfigError naming the file and field. */
export function loadKubeconfig(options: LoadKubeconfigOptions): ClusterConnection {
  const path = kubeconfigPath(options);
  if (path === undefined) {
    const host = options.env['KUBERNETES_SERVICE_HOST'];
    if (host !== undefined && existsSync(join(SERVICE_ACCOUNT, 'token'))) return inCluster(host, options.env['KUBERNETES_SERVICE_PORT'] ?? '443');
    throw new KubeconfigError('no kubeconfig: set KUBECONFIG, pass --kubeconfig FILE, or create ~/.kube/config');
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = kubeconfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubeconfigError(`kubeconfig ${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return fromKubeconfig(parsed.data, path, options.context);
}

function fromKubeconfig(config: Kubeconfig, path: string, wanted: string | undefined): ClusterConnection {
  const contextName = wanted ?? config['current-context'] ?? '';
  if (contextName === '') throw new KubeconfigError(`kubeconfig ${path} has no current-context; pass --context NAME`);
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (context === undefined) throw new KubeconfigError(`kubeconfig ${path}: context "${contextName}" not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (cluster === undefined) throw new KubeconfigError(`kubeconfig ${path}: cluster "${context.cluster}" of context "${contextName}" not found`);
  const userEntry = context.user === undefined ? undefined : config.users?.find((u) => u.name === context.user);
  const user = userEntry?.user ?? undefined;
  if (context.user !== undefined && userEntry === undefined) throw new KubeconfigError(`kubeconfig ${path}: user "${context.user}" of context "${contextName}" not found`);
  const base = dirname(path);
  const file = (p: string): Buffer => {
    const full = isAbsolute(p) ? p : join(base, p);
    try {
      return readFileSync(full);
    } catch (error) {
      throw new KubeconfigError(`kubeconfig ${path}: cannot read ${full}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const data = (inline: string | undefined, ref: string | undefined): Buffer | undefined => (inline !== undefined ? Buffer.from(inline, 'base64') : ref !== undefined ? file(ref) : undefined);
  if (user?.exec !== undefined || user?.['auth-provider'] !== undefined) {
    throw new KubeconfigError(`kubeconfig ${path}: user "${context.user ?? ''}" authenticates through an ${user.exec !== undefined ? 'exec' : 'auth-provider'} plugin, which tide does not run; use a context with a token or client certificate`);
  }
  const token = user?.token ?? (user?.tokenFile !== undefined ? file(user.tokenFile).toString('utf8').trim() : undefined);
  const ca = data(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const clientCert = data(user?.['client-certificate-data'], user?.['client-certificate']);
  const clientKey = data(user?.['client-key-data'], user?.['client-key']);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    context: contextName,
    ...(context.namespace !== undefined && context.namespace !== '' ? { namespace: context.namespace } : {}),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(ca !== undefined ? { ca } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(clientCert !== undefined ? { clientCert } : {}),
    ...(clientKey !== undefined ? { clientKey } : {}),
    ...(user?.username !== undefined && user.password !== undefined ? { basicAuth: { username: user.username, password: user.password } } : {}),
  };
}

function inCluster(host: string, port: string): ClusterConnection {
  const namespaceFile = join(SERVICE_ACCOUNT, 'namespace');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    context: 'in-cluster',
    ...(existsSync(namespaceFile) ? { namespace: readFileSync(namespaceFile, 'utf8').trim() } : {}),
    insecureSkipTlsVerify: false,
    ca: readFileSync(join(SERVICE_ACCOUNT, 'ca.crt')),
    token: readFileSync(join(SERVICE_ACCOUNT, 'token'), 'utf8').trim(),
  };
}
