// Who may read metrics. A real aggregated API server authenticates the kube-apiserver's proxy by its
// front-proxy client certificate (checked against requestheader-client-ca-file and
// requestheader-allowed-names of the kube-system/extension-apiserver-authentication ConfigMap), takes
// the user from X-Remote-User / X-Remote-Group, and asks a SubjectAccessReview whether that user may
// `get` the metric. Not implemented yet: this hook is where it goes, and today every request passes.
import type { IncomingMessage } from 'node:http';
import type { StatusReason } from './responses.js';

export type AuthVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: Extract<StatusReason, 'Unauthorized' | 'Forbidden'>; readonly message: string };

/** Decides one request (the TLS socket carries the client certificate). */
export type RequestAuthorizer = (req: IncomingMessage) => Promise<AuthVerdict> | AuthVerdict;

/** Today's behaviour: no authentication, no authorization. */
export const allowAll: RequestAuthorizer = () => ({ allowed: true });
