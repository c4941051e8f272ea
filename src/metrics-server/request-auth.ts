// Who may read metrics: authentication (authentication.ts: front-proxy certificate + X-Remote-* headers,
// client certificate, bearer token via TokenReview, else anonymous) then authorization
// (authorization.ts: SubjectAccessReview, cached), as an aggregated API server built on
// k8s.io/apiserver does. The answers are the Status errors kube-apiserver's filters write:
// 401 Unauthorized for a credential that fails, 403 Forbidden with its message for a denied request.
import type { IncomingMessage } from 'node:http';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { ANONYMOUS, type AuthenticationResult, type UserInfo } from './authentication.js';
import { forbiddenStatus, requestAttributes, type AuthorizationDecision, type RequestAttributes } from './authorization.js';
import type { StatusReason } from './responses.js';

export type AuthVerdict =
  | { readonly allowed: true; readonly user?: UserInfo }
  | { readonly allowed: false; readonly reason: Extract<StatusReason, 'Unauthorized' | 'Forbidden' | 'InternalError'>; readonly message: string; readonly details?: Record<string, string> };

/** Decides one request (the TLS socket carries the client certificate). */
export type RequestAuthorizer = (req: IncomingMessage) => Promise<AuthVerdict> | AuthVerdict;

/** No authentication, no authorization (`--insecure-allow-all-requests`, tests of the API itself). */
export const allowAll: RequestAuthorizer = () => ({ allowed: true });

export interface DelegatingAuthOptions {
  readonly authenticate: (req: IncomingMessage) => Promise<AuthenticationResult>;
  readonly authorize: (user: UserInfo, attrs: RequestAttributes) => Promise<AuthorizationDecision>;
  /** Requests without any credential are system:anonymous (k8s.io/apiserver's default); false: 401. */
  readonly anonymous?: boolean;
  readonly log?: Logger;
}

const UNAUTHORIZED: AuthVerdict = { allowed: false, reason: 'Unauthorized', message: 'Unauthorized' };

/** Authentication then authorization of each request. */
export function delegatingAuthorizer(options: DelegatingAuthOptions): RequestAuthorizer {
  const log = options.log ?? silentLogger;
  return async (req) => {
    const url = new URL(req.url ?? '/', 'https://metrics');
    const attrs = requestAttributes(req.method ?? 'GET', url.pathname, url.searchParams);
    let result: AuthenticationResult;
    try {
      result = await options.authenticate(req);
    } catch (error) {
      log.warn('cannot authenticate a request', { path: url.pathname, error: error instanceof Error ? error.message : String(error) });
      return UNAUTHORIZED;
    }
    if ('errors' in result) {
      log.debug('unable to authenticate the request', { path: url.pathname, errors: result.errors });
      return UNAUTHORIZED;
    }
    if ('anonymous' in result && options.anonymous === false) return UNAUTHORIZED;
    const user = 'user' in result ? result.user : ANONYMOUS;
    let decision: AuthorizationDecision;
    try {
      decision = await options.authorize(user, attrs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn('cannot authorize a request', { path: url.pathname, user: user.name, error: message });
      return { allowed: false, reason: 'InternalError', message: `Internal Server Error: ${JSON.stringify(req.url ?? '/')}: ${message}` };
    }
    if (decision.allowed) return { allowed: true, user };
    const { message, details } = forbiddenStatus(user, attrs, decision.reason);
    return { allowed: false, reason: 'Forbidden', message, details };
  };
}
