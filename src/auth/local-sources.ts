// Local mode (`tide start`, `tide scaler get`): there is no cluster, so secrets and config maps come
// from maps the caller supplies, files from the local disk, and the one "container" is the function
// process, whose environment is the process environment over local.settings.json.
import { readFile } from 'node:fs/promises';
import type { AuthSources, SourceData, TokenRequestOptions } from './sources.js';

/** The part of local.settings.json that becomes the function process's environment. */
export interface LocalSettings {
  readonly Values?: Readonly<Record<string, string>>;
}

/** Objects keyed `namespace/name`, each a map of keys to values. */
export type ObjectMap = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface LocalAuthOptions {
  /** The process environment (`process.env`); wins over local.settings.json as in `func start`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly settings?: LocalSettings;
  /** Secrets by `namespace/name`. */
  readonly secrets?: ObjectMap;
  /** Config maps by `namespace/name`. */
  readonly configMaps?: ObjectMap;
  readonly fetch?: typeof globalThis.fetch;
  /** Reads a file; default the local disk. */
  readonly readFile?: (path: string) => Promise<string | undefined>;
}

/** Local-mode sources: also carries the process environment as the only container's env. */
export interface LocalAuthSources extends AuthSources {
  /** local.settings.json Values overlaid by the process environment. */
  readonly containerEnv: Readonly<Record<string, string>>;
}

/** The function process environment: settings Values, then the process environment on top. */
export function localContainerEnv(env: LocalAuthOptions['env'] = {}, settings: LocalSettings = {}): Record<string, string> {
  const out: Record<string, string> = { ...(settings.Values ?? {}) };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

async function readLocalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new Error(`cannot read file ${JSON.stringify(path)}: ${(error as { code?: unknown }).code === 'EACCES' ? 'permission denied' : 'read failed'}`);
  }
}

/** Authentication sources for local mode over caller-supplied maps, the local disk and fetch. */
export function localAuthSources(options: LocalAuthOptions = {}): LocalAuthSources {
  const lookup = (map: ObjectMap | undefined, namespace: string, name: string): SourceData => map?.[`${namespace}/${name}`];
  return {
    containerEnv: localContainerEnv(options.env, options.settings),
    secret: (namespace, name) => Promise.resolve(lookup(options.secrets, namespace, name)),
    configMap: (namespace, name) => Promise.resolve(lookup(options.configMaps, namespace, name)),
    serviceAccountToken: (namespace: string, name: string, _options: TokenRequestOptions) =>
      Promise.reject(new Error(`cannot request a token for service account "${namespace}/${name}": local mode has no Kubernetes API (run in a cluster)`)),
    file: options.readFile ?? readLocalFile,
    fetch: options.fetch ?? globalThis.fetch,
  };
}
