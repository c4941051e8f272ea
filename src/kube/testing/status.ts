// Failures as the API server reports them: metav1.Status bodies with Kubernetes' reasons, codes and
// message wording, so clients that branch on reason (IsNotFound, IsConflict) behave as on a cluster.

import type { ResourceType } from './types.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'Expired'
  | 'Gone'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'InternalError';

/** One field problem inside an Invalid status. */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

/** A metav1.Status as JSON. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** An API failure carried as an exception through the handlers and turned into a Status reply. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusBody['details'],
  ) {
    super(message);
  }

  /** The JSON body the server sends. */
  toStatus(): StatusBody {
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** "deployments.apps" / "pods" as Kubernetes prints a group-resource in messages. */
function qualified(t: Pick<ResourceType, 'group' | 'resource'>): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

/** 404 `pods "x" not found`. */
export function notFound(t: Pick<ResourceType, 'group' | 'resource'>, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(t)} "${name}" not found`, { name, group: t.group, kind: t.resource });
}

/** 409 `pods "x" already exists`. */
export function alreadyExists(t: Pick<ResourceType, 'group' | 'resource'>, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(t)} "${name}" already exists`, { name, group: t.group, kind: t.resource });
}

/** 409 Conflict with the optimistic-concurrency wording clients log. */
export function conflict(t: Pick<ResourceType, 'group' | 'resource'>, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${name}": ${why}`, { name, group: t.group, kind: t.resource });
}

/** The message of a stale resourceVersion conflict. */
export const MODIFIED_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid listing field causes, worded as `Kind.group "name" is invalid: field: message`. */
export function invalid(t: Pick<ResourceType, 'group' | 'kind'>, name: string, causes: StatusCause[]): ApiError {
  const kindGroup = t.group === '' ? t.kind : `${t.kind}.${t.group}`;
  const text = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`)).join(', ');
  const list = causes.length > 1 ? `[${text}]` : text;
  return new ApiError(422, 'Invalid', `${kindGroup} "${name}" is invalid: ${list}`, { name, group: t.group, kind: t.kind, causes });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 403 Forbidden. */
export function forbidden(message: string, details?: StatusBody['details']): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}

/** 405 MethodNotAllowed for a verb the resource does not serve. */
export function methodNotAllowed(verb: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${verb})`);
}

/** 410 Expired: the requested resourceVersion has left the kept history. */
export function expired(rv: number, oldest: number): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${rv} (${oldest})`);
}

/** The Success Status a DELETE answers with for most built-in resources. */
export function successStatus(details: NonNullable<StatusBody['details']>): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
