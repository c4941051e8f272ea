// Assembles the adapter's request authentication and authorization from its flags, as
// k8s.io/apiserver's DelegatingAuthenticationOptions / DelegatingAuthorizationOptions do: the
// ConfigMap lookup (unless --authentication-skip-lookup; a failed first read stops the start unless
// --authentication-tolerate-lookup-failure), TokenReviews and SubjectAccessReviews through the API.
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { AuthenticationConfigSource, type KubeRequester } from './authentication-config.js';
import { createAuthenticator } from './authentication.js';
import { createAuthorizer, DEFAULT_ALWAYS_ALLOW_PATHS } from './authorization.js';
import type { CaPurpose } from './connection-certificates.js';
import { delegatingAuthorizer, type RequestAuthorizer } from './request-auth.js';

export interface DelegatingAuthSettings {
  readonly skipLookup: boolean;
  readonly tolerateLookupFailure: boolean;
  readonly anonymous: boolean;
  readonly tokenCacheTtlMs: number;
  readonly alwaysAllowPaths: readonly string[];
  readonly allowedTtlMs: number;
  readonly deniedTtlMs: number;
}

export const DEFAULT_DELEGATING_AUTH: DelegatingAuthSettings = {
  skipLookup: false, tolerateLookupFailure: false, anonymous: true, tokenCacheTtlMs: 10_000,
  alwaysAllowPaths: DEFAULT_ALWAYS_ALLOW_PATHS, allowedTtlMs: 10_000, deniedTtlMs: 10_000,
};

export interface DelegatingAuth {
  readonly authorize: RequestAuthorizer;
  readonly config: AuthenticationConfigSource | undefined;
  stop(): void;
}

/** Reads the authentication ConfigMap (unless skipped) and returns the request authorizer. */
export async function startDelegatingAuth(apis: { readonly authentication: KubeRequester; readonly authorization: KubeRequester }, settings: DelegatingAuthSettings, options: { log?: Logger; refreshMs?: number; now?: () => number; onCertificateVerified?: (purpose: CaPurpose) => void } = {}): Promise<DelegatingAuth> {
  const log = options.log ?? silentLogger;
  let source: AuthenticationConfigSource | undefined;
  if (!settings.skipLookup) {
    source = new AuthenticationConfigSource({ api: apis.authentication, log, ...(options.refreshMs === undefined ? {} : { refreshMs: options.refreshMs }) });
    try {
      await source.start();
    } catch (error) {
      if (!settings.tolerateLookupFailure) {
        source.stop();
        throw error;
      }
      log.warn('cannot read kube-system/extension-apiserver-authentication; continuing without it: requests may be treated as anonymous', { error: error instanceof Error ? error.message : String(error) });
    }
  }
  const now = options.now ?? Date.now;
  const authenticate = createAuthenticator({
    config: () => source?.current() ?? {}, tokenReviews: apis.authentication, tokenCacheTtlMs: settings.tokenCacheTtlMs, now,
    ...(options.onCertificateVerified === undefined ? {} : { onCertificateVerified: options.onCertificateVerified }),
  });
  const authorize = createAuthorizer({ api: apis.authorization, alwaysAllowPaths: settings.alwaysAllowPaths, allowedTtlMs: settings.allowedTtlMs, deniedTtlMs: settings.deniedTtlMs, now });
  return {
    authorize: delegatingAuthorizer({ authenticate, authorize, anonymous: settings.anonymous, log }),
    config: source,
    stop: () => source?.stop(),
  };
}
