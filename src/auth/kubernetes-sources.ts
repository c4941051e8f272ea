// The operator's authentication sources: Secrets and ConfigMaps read through the Kubernetes API,
// service account tokens through TokenRequest, files from the operator's own disk. The API is taken
// as a small interface so auth/ does not depend on kube/ (KubeApi satisfies it).
import { readFile } from 'node:fs/promises';
import type { AuthSources, SourceData, TokenRequestOptions } from './sources.js';

/** What these sources need of a Kubernetes client: JSON objects by kind, undefined on 404. */
export interface KubeObjectReader {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<Record<string, unknown> | undefined>;
  request(method: string, path: string, body?: unknown): Promise<unknown>;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read file ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? 'read failed'}`);
  }
}

/** AuthSources over the API server. Errors name the object, never its data. */
export function kubernetesAuthSources(api: KubeObjectReader, options: { fetch?: typeof globalThis.fetch } = {}): AuthSources {
  const read = async (kind: 'Secret' | 'ConfigMap', namespace: string, name: string): Promise<Record<string, unknown> | undefined> => {
    try {
      return await api.get('v1', kind, namespace, name);
    } catch (error) {
      // The API's message names the object and why (forbidden, unreachable); it never holds data.
      throw new Error(error instanceof Error ? error.message : `cannot read ${kind} ${namespace}/${name}`);
    }
  };
  return {
    async secret(namespace: string, name: string): Promise<SourceData> {
      const secret = await read('Secret', namespace, name);
      if (secret === undefined) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(stringMap(secret['data']))) out[k] = Buffer.from(v, 'base64').toString('utf8');
      // stringData is write-only on a real server; the fake may keep it, and it is plain text.
      return { ...stringMap(secret['stringData']), ...out };
    },
    async configMap(namespace: string, name: string): Promise<SourceData> {
      const map = await read('ConfigMap', namespace, name);
      if (map === undefined) return undefined;
      const binary: Record<string, string> = {};
      for (const [k, v] of Object.entries(stringMap(map['binaryData']))) binary[k] = Buffer.from(v, 'base64').toString('utf8');
      return { ...binary, ...stringMap(map['data']) };
    },
    async serviceAccountToken(namespace: string, name: string, tokenOptions: TokenRequestOptions): Promise<string | undefined> {
      if ((await api.get('v1', 'ServiceAccount', namespace, name)) === undefined) return undefined;
      const body = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { ...(tokenOptions.audiences !== undefined ? { audiences: tokenOptions.audiences } : {}), ...(tokenOptions.expirationSeconds !== undefined ? { expirationSeconds: tokenOptions.expirationSeconds } : {}) },
      };
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`;
      const answer = (await api.request('POST', path, body)) as { status?: { token?: unknown } };
      const token = answer.status?.token;
      if (typeof token !== 'string') throw new Error(`TokenRequest for service account "${namespace}/${name}" returned no token`);
      return token;
    },
    file: readOptionalFile,
    fetch: options.fetch ?? globalThis.fetch,
  };
}
