// The outside world that authentication resolution reads: Kubernetes secrets, config maps, service
// account tokens and files. The operator implements it over the API server, local mode over maps
// and the process environment (local-sources.ts). Resolution itself only composes these calls.

/** Where a source answered "this object does not exist" (as opposed to failing to answer). */
export type SourceData = Readonly<Record<string, string>> | undefined;

/** What a TokenRequest asks for (KEDA: bound tokens expire after an hour; Vault logins after 10 min). */
export interface TokenRequestOptions {
  readonly audiences?: readonly string[];
  readonly expirationSeconds?: number;
}

/**
 * Reads secrets and configuration for authentication. Each method resolves `undefined` when the
 * object (or file) does not exist and rejects with an Error whose message names the object (never
 * its contents) when it cannot be read at all (forbidden, unreachable, unsupported here).
 */
export interface AuthSources {
  /** The decoded `data` of Secret `namespace/name`. */
  secret(namespace: string, name: string): Promise<SourceData>;
  /** The `data` of ConfigMap `namespace/name`. */
  configMap(namespace: string, name: string): Promise<SourceData>;
  /** A token for ServiceAccount `namespace/name` (TokenRequest); undefined when the account does not exist. */
  serviceAccountToken(namespace: string, name: string, options: TokenRequestOptions): Promise<string | undefined>;
  /** The text of a file on the resolver's own disk (Vault's service account token file, CTA filePath). */
  file(path: string): Promise<string | undefined>;
  /** HTTP for providers that speak it (HashiCorp Vault). */
  readonly fetch: typeof globalThis.fetch;
}

/** An Error's message, or a fixed text for thrown non-errors (never the thrown value itself). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause: unknown = error.cause;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
    return code !== '' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return 'unknown error';
}
