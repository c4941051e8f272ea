// The environment a scale target's container sees, as the kubelet builds it: envFrom sources in
// order (with their prefix), then env entries in order, each `value` expanded with `$(VAR)` against
// what is defined so far. `<name>FromEnv` metadata and TriggerAuthentication `env` entries read it.
import { nearest } from '../api/nearest.js';
import { errorMessage, type AuthSources, type SourceData } from './sources.js';

interface KeyRef {
  readonly name: string;
  readonly key: string;
  readonly optional?: boolean | undefined;
}

interface ObjectRef {
  readonly name: string;
  readonly optional?: boolean | undefined;
}

/** `containers[].env[]` of a pod spec. */
export interface EnvVarLike {
  readonly name: string;
  readonly value?: string | undefined;
  readonly valueFrom?: { readonly secretKeyRef?: KeyRef | undefined; readonly configMapKeyRef?: KeyRef | undefined } | undefined;
}

/** `containers[].envFrom[]` of a pod spec. */
export interface EnvFromLike {
  readonly prefix?: string | undefined;
  readonly secretRef?: ObjectRef | undefined;
  readonly configMapRef?: ObjectRef | undefined;
}

export interface ContainerLike {
  readonly name: string;
  readonly env?: readonly EnvVarLike[] | undefined;
  readonly envFrom?: readonly EnvFromLike[] | undefined;
}

export interface PodSpecLike {
  readonly containers: readonly ContainerLike[];
}

/** A variable that could not be resolved; `variable` is unset when a whole envFrom source failed. */
export interface EnvProblem {
  /** Field path inside the pod spec, e.g. `containers[0].env[2].valueFrom.secretKeyRef`. */
  readonly path: string;
  readonly message: string;
  readonly variable?: string;
}

export interface ContainerEnv {
  readonly env: Readonly<Record<string, string>>;
  readonly problems: readonly EnvProblem[];
}

/** The env of a named container; undefined or '' means the first container (as KEDA does). */
export type ContainerEnvLookup = (containerName: string | undefined) => Promise<ContainerEnv>;

export interface ContainerEnvOptions {
  /** KEDA_RESTRICT_SECRET_ACCESS: secret-backed env is not read outside the cluster object namespace. */
  readonly restrictSecretAccess?: { readonly clusterObjectNamespace: string };
  /** Path of the container inside the pod spec, for problem paths; default `containers[?]`. */
  readonly path?: string;
}

/** Expands `$(VAR)` as Kubernetes does: `$$` is a literal `$`; unknown or unclosed references stay as written. */
export function expandEnvReferences(value: string, defined: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value.charAt(i);
    if (ch !== '$' || i + 1 >= value.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = value.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
        continue;
      }
      const name = value.slice(i + 2, close);
      out += Object.hasOwn(defined, name) ? (defined[name] ?? '') : `$(${name})`;
      i = close + 1;
    } else {
      out += `$${next ?? ''}`;
      i += 2;
    }
  }
  return out;
}

type Reader = (namespace: string, name: string) => Promise<SourceData>;

async function readObject(read: Reader, namespace: string, name: string): Promise<{ data?: SourceData; error?: string }> {
  try {
    return { data: await read(namespace, name) };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

async function addEnvFrom(
  source: EnvFromLike,
  path: string,
  ctx: { namespace: string; sources: AuthSources; secretsAllowed: boolean },
  env: Record<string, string>,
): Promise<EnvProblem | undefined> {
  const isSecret = source.secretRef !== undefined;
  const ref = source.secretRef ?? source.configMapRef;
  if (ref === undefined) return undefined;
  const kind = isSecret ? 'secret' : 'config map';
  const where = `${path}.${isSecret ? 'secretRef' : 'configMapRef'}`;
  if (isSecret && !ctx.secretsAllowed) return { path: where, message: `${kind} "${ctx.namespace}/${ref.name}" not read: secret access is restricted to the cluster object namespace` };
  const { data, error } = await readObject(isSecret ? ctx.sources.secret.bind(ctx.sources) : ctx.sources.configMap.bind(ctx.sources), ctx.namespace, ref.name);
  if (data !== undefined) {
    for (const [key, value] of Object.entries(data)) env[`${source.prefix ?? ''}${key}`] = value;
    return undefined;
  }
  if (error === undefined && ref.optional === true) return undefined;
  return { path: where, message: error !== undefined ? `cannot read ${kind} "${ctx.namespace}/${ref.name}": ${error}` : `${kind} "${ctx.namespace}/${ref.name}" not found` };
}

async function envVarValue(
  item: EnvVarLike,
  path: string,
  ctx: { namespace: string; sources: AuthSources; secretsAllowed: boolean },
): Promise<{ value?: string; problem?: EnvProblem }> {
  const secretRef = item.valueFrom?.secretKeyRef;
  const ref = secretRef ?? item.valueFrom?.configMapKeyRef;
  if (ref === undefined) return {}; // fieldRef / resourceFieldRef: values only the kubelet knows
  const kind = secretRef !== undefined ? 'secret' : 'config map';
  const where = `${path}.valueFrom.${secretRef !== undefined ? 'secretKeyRef' : 'configMapKeyRef'}`;
  const fail = (message: string): { problem: EnvProblem } => ({ problem: { path: where, message: `env ${item.name}: ${message}`, variable: item.name } });
  if (secretRef !== undefined && !ctx.secretsAllowed) return fail(`${kind} "${ctx.namespace}/${ref.name}" not read: secret access is restricted to the cluster object namespace`);
  const { data, error } = await readObject(secretRef !== undefined ? ctx.sources.secret.bind(ctx.sources) : ctx.sources.configMap.bind(ctx.sources), ctx.namespace, ref.name);
  if (error !== undefined) return fail(`cannot read ${kind} "${ctx.namespace}/${ref.name}": ${error}`);
  const value = data?.[ref.key];
  if (value !== undefined) return { value };
  if (ref.optional === true) return {};
  return fail(data === undefined ? `${kind} "${ctx.namespace}/${ref.name}" not found` : `${kind} "${ctx.namespace}/${ref.name}" has no key "${ref.key}"`);
}

/** Resolves one container's environment: envFrom (with prefix), then env with `$(VAR)` expansion. */
export async function resolveContainerEnv(container: ContainerLike, namespace: string, sources: AuthSources, options: ContainerEnvOptions = {}): Promise<ContainerEnv> {
  const base = options.path ?? 'containers[?]';
  const restrict = options.restrictSecretAccess;
  const ctx = { namespace, sources, secretsAllowed: restrict === undefined || restrict.clusterObjectNamespace === namespace };
  const env: Record<string, string> = {};
  const problems: EnvProblem[] = [];
  for (const [i, source] of (container.envFrom ?? []).entries()) {
    const problem = await addEnvFrom(source, `${base}.envFrom[${i}]`, ctx, env);
    if (problem !== undefined) problems.push(problem);
  }
  for (const [i, item] of (container.env ?? []).entries()) {
    if (item.value !== undefined && item.value !== '') {
      env[item.name] = expandEnvReferences(item.value, env);
      continue;
    }
    if (item.valueFrom === undefined) {
      env[item.name] = '';
      continue;
    }
    const { value, problem } = await envVarValue(item, `${base}.env[${i}]`, ctx);
    if (problem !== undefined) problems.push(problem);
    if (value !== undefined) env[item.name] = value;
  }
  return { env, problems };
}

/** A cached per-container lookup over a pod spec (KEDA: empty container name → first container). */
export function podContainerEnv(podSpec: PodSpecLike, namespace: string, sources: AuthSources, options: Omit<ContainerEnvOptions, 'path'> = {}): ContainerEnvLookup {
  const cache = new Map<string, Promise<ContainerEnv>>();
  return (containerName) => {
    const wanted = containerName ?? '';
    const cached = cache.get(wanted);
    if (cached !== undefined) return cached;
    const index = wanted === '' ? 0 : podSpec.containers.findIndex((c) => c.name === wanted);
    const container = podSpec.containers[index];
    let result: Promise<ContainerEnv>;
    if (container === undefined) {
      const names = podSpec.containers.map((c) => c.name);
      const hint = nearest(wanted, names);
      const message = names.length === 0 ? 'the scale target has no containers' : `container "${wanted}" not found in the scale target (containers: ${names.join(', ')})${hint !== undefined ? `; did you mean "${hint}"?` : ''}`;
      result = Promise.resolve({ env: {}, problems: [{ path: 'containers', message }] });
    } else {
      result = resolveContainerEnv(container, namespace, sources, { ...options, path: `containers[${index}]` });
    }
    cache.set(wanted, result);
    return result;
  };
}
