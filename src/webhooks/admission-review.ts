// AdmissionReview (admission.k8s.io/v1) in and out, answered the way KEDA's controller-runtime
// webhooks answer: the request's uid echoed; allowed → status {code: 200}; denied → status
// {code: 403, reason: Forbidden, message}; an API error met while checking → that error's own Status
// (e.g. 404 NotFound for a missing Deployment); a request it cannot read → {code: 400, message}.
import type { RejectionReason } from './webhook-metrics.js';
import { z } from 'zod';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

const requestSchema = z.looseObject({
  uid: z.string(),
  kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string() }).optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.string(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});

const reviewSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  request: requestSchema,
});

export type AdmissionRequest = z.infer<typeof requestSchema>;

/** The Status of an answer (metav1.Status without TypeMeta, as inside an AdmissionResponse). */
export interface AdmissionStatus {
  readonly metadata: Record<string, never>;
  readonly code: number;
  readonly reason?: string;
  readonly message?: string;
}

/** What a validator decided, before the uid is attached. */
export interface AdmissionVerdict {
  readonly allowed: boolean;
  readonly status: AdmissionStatus;
  readonly warnings?: readonly string[];
  /** Why a ScaledObject was refused, as KEDA's error metric labels it (never sent back). */
  readonly rejection?: RejectionReason;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: string;
  readonly kind: 'AdmissionReview';
  readonly response: { readonly uid: string; readonly allowed: boolean; readonly status: AdmissionStatus; readonly warnings?: readonly string[] };
}

/** Allowed, with the warnings kubectl prints. */
export const allow = (warnings: readonly string[] = []): AdmissionVerdict => ({
  allowed: true,
  status: { metadata: {}, code: 200 },
  ...(warnings.length > 0 ? { warnings } : {}),
});

/** Denied by a rule (controller-runtime's admission.Denied). */
export const deny = (message: string, warnings: readonly string[] = []): AdmissionVerdict => ({
  allowed: false,
  status: { metadata: {}, code: 403, reason: 'Forbidden', message },
  ...(warnings.length > 0 ? { warnings } : {}),
});

/** Denied with an API error's own Status (controller-runtime passes an APIStatus error through). */
export const denyWithStatus = (code: number, reason: string, message: string): AdmissionVerdict => ({
  allowed: false,
  status: { metadata: {}, code, ...(reason !== '' ? { reason } : {}), message },
});

/** The request could not be read or handled (controller-runtime's admission.Errored). */
export const errored = (code: number, message: string): AdmissionVerdict => ({ allowed: false, status: { metadata: {}, code, message } });

/** The request of an AdmissionReview body, or an error message saying what is wrong with it. */
export function parseAdmissionReview(body: string): { request: AdmissionRequest; apiVersion: string } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { error: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = reviewSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    return { error: `not an AdmissionReview: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}` };
  }
  return { request: parsed.data.request, apiVersion: parsed.data.apiVersion ?? ADMISSION_API_VERSION };
}

/** The AdmissionReview to send back for `uid` (empty when the request could not be read). */
export function admissionResponse(uid: string, verdict: AdmissionVerdict, apiVersion = ADMISSION_API_VERSION): AdmissionReviewResponse {
  return {
    apiVersion,
    kind: 'AdmissionReview',
    response: { uid, allowed: verdict.allowed, status: verdict.status, ...(verdict.warnings !== undefined ? { warnings: verdict.warnings } : {}) },
  };
}
