// Who sent a request, decided as k8s.io/apiserver's delegating authenticator decides it, in order:
// 1. front proxy: a client certificate that verifies against requestheader-client-ca-file (and whose
//    CN is in requestheader-allowed-names when that list is not empty) vouches for the user named in
//    X-Remote-User, with X-Remote-Group groups and X-Remote-Extra-* extras. Those headers are read
//    from no one else.
// 2. client certificate: one that verifies against client-ca-file is the user CN with the groups O.
// 3. bearer token: checked with a TokenReview (authentication.k8s.io/v1), answers cached.
// A credential that fails (wrong CA, CN not allowed, token refused) is an error (401); no credential
// at all is system:anonymous when anonymous requests are allowed (authorization then decides, as on
// a cluster), else also a 401. An authenticated user gets the group system:authenticated.
// The certificate checks are done once per TLS connection and CA set (connection-certificates.ts);
// the headers, which differ by request, are read per request.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthenticationConfig, KubeRequester, RequestHeaderConfig } from './authentication-config.js';
import { ConnectionCertificates, type CaPurpose } from './connection-certificates.js';
import { TtlCache } from './ttl-cache.js';

export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export type AuthenticationResult = { readonly user: UserInfo } | { readonly errors: readonly string[] } | { readonly anonymous: true };

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };

export interface AuthenticatorOptions {
  /** The current ConfigMap configuration (it rotates). */
  readonly config: () => AuthenticationConfig;
  /** Where TokenReviews go; without it bearer tokens are not checked. */
  readonly tokenReviews?: KubeRequester;
  /** --authentication-token-webhook-cache-ttl; default 10 s. */
  readonly tokenCacheTtlMs?: number;
  readonly now?: () => number;
  /** Told of each client-certificate chain verification (done once per TLS connection and CA set). */
  readonly onCertificateVerified?: (purpose: CaPurpose) => void;
}

/** All values of the first header among `names` that has any (k8s reads usernames this way). */
function firstHeader(req: IncomingMessage, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = req.headersDistinct[name.toLowerCase()]?.find((v) => v !== '');
    if (value !== undefined) return value;
  }
  return undefined;
}

function allHeaders(req: IncomingMessage, names: readonly string[]): string[] {
  return names.flatMap((name) => (req.headersDistinct[name.toLowerCase()] ?? []).filter((v) => v !== ''));
}

function extras(req: IncomingMessage, prefixes: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const prefix of prefixes.map((p) => p.toLowerCase())) {
    for (const [header, values] of Object.entries(req.headersDistinct)) {
      if (!header.startsWith(prefix) || values === undefined) continue;
      let key = header.slice(prefix.length);
      try {
        key = decodeURIComponent(key);
      } catch {
        // k8s keeps a key it cannot unescape as it is
      }
      out[key] = [...(out[key] ?? []), ...values];
    }
  }
  return out;
}

function frontProxyUser(req: IncomingMessage, rh: RequestHeaderConfig, certificates: ConnectionCertificates, errors: string[], now: number): UserInfo | undefined {
  const verdict = certificates.verdict(req, 'requestheader', rh.cas, now);
  if (verdict === undefined) return undefined;
  if ('error' in verdict) {
    errors.push(verdict.error);
    return undefined;
  }
  // Per request: the allowed names may change without the CA changing, and the headers are the request's.
  if (rh.allowedNames.length > 0 && !rh.allowedNames.includes(verdict.cn)) {
    errors.push(`x509: subject with cn=${verdict.cn} is not in the allowed list`);
    return undefined;
  }
  const name = firstHeader(req, rh.usernameHeaders);
  if (name === undefined) return undefined;
  return { name, groups: allHeaders(req, rh.groupHeaders), extra: extras(req, rh.extraHeaderPrefixes) };
}

function clientCertificateUser(req: IncomingMessage, cas: AuthenticationConfig['clientCas'], certificates: ConnectionCertificates, errors: string[], now: number): UserInfo | undefined {
  if (cas === undefined) return undefined;
  const verdict = certificates.verdict(req, 'client', cas, now);
  if (verdict === undefined) return undefined;
  if ('error' in verdict) {
    errors.push(verdict.error);
    return undefined;
  }
  if (verdict.cn === '') {
    errors.push('x509: the client certificate has no common name');
    return undefined;
  }
  return { name: verdict.cn, groups: [...verdict.organizations], extra: {} };
}

interface TokenReviewStatus {
  authenticated?: boolean;
  error?: string;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

/** The delegating authenticator; `authenticate` never throws for a bad credential (only for an unreachable API server). */
export function createAuthenticator(options: AuthenticatorOptions): (req: IncomingMessage) => Promise<AuthenticationResult> {
  const now = options.now ?? Date.now;
  const tokens = new TtlCache<UserInfo | string>(options.tokenCacheTtlMs ?? 10_000, now);
  const certificates = new ConnectionCertificates(options.onCertificateVerified);

  async function reviewToken(token: string): Promise<UserInfo | string> {
    const key = createHash('sha256').update(token).digest('hex');
    return tokens.getOrLoad(key, async () => {
      const answer = (await options.tokenReviews?.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
      })) as { status?: TokenReviewStatus } | undefined;
      const status = answer?.status ?? {};
      if (status.authenticated !== true || status.user?.username === undefined) return status.error !== undefined && status.error !== '' ? status.error : 'invalid bearer token';
      const user = status.user;
      return { name: status.user.username ?? '', ...(user.uid === undefined ? {} : { uid: user.uid }), groups: user.groups ?? [], extra: user.extra ?? {} };
    });
  }

  return async (req) => {
    const errors: string[] = [];
    const config = options.config();
    const at = now();
    const withAuthenticated = (user: UserInfo): { user: UserInfo } => ({ user: user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] } });
    const proxied = config.requestHeader === undefined ? undefined : frontProxyUser(req, config.requestHeader, certificates, errors, at);
    if (proxied !== undefined) return withAuthenticated(proxied);
    const direct = clientCertificateUser(req, config.clientCas, certificates, errors, at);
    if (direct !== undefined) return withAuthenticated(direct);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && options.tokenReviews !== undefined) {
      const reviewed = await reviewToken(bearer);
      if (typeof reviewed !== 'string') return withAuthenticated(reviewed);
      errors.push(reviewed);
    }
    return errors.length > 0 ? { errors } : { anonymous: true };
  };
}
