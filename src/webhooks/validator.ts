// The admission decision for one keda.sh object: the offline rules every tide command shares
// (checkObject: schema, KEDA's webhook rules, trigger metadata, formula), then, for a ScaledObject
// that passes them, KEDA's cluster checks. Warnings go back as AdmissionResponse warnings, which
// kubectl prints. A finalizer-only update passes untouched, so the operator can always let go.
import { isDeepStrictEqual } from 'node:util';
import type { KedaKind } from '../api/kinds.js';
import { parseKedaObject } from '../api/validate.js';
import type { Problem } from '../api/problems.js';
import { checkObject } from '../engine/check-object.js';
import { KubeApiError } from '../kube/errors.js';
import { allow, deny, denyWithStatus, errored, type AdmissionRequest, type AdmissionVerdict } from './admission-review.js';
import type { ClusterView } from '../engine/cluster-view.js';
import { foreignHpaProblem, missingRequestsProblem, otherScaledObjectProblem } from '../engine/cluster-checks.js';
import { reasonOfClusterProblem, reasonOfField } from './webhook-metrics.js';

const describe = (p: Problem): string => (p.path !== '' ? `${p.path}: ${p.message}` : p.message);

type Meta = { finalizers?: unknown; [k: string]: unknown };
const metaOf = (raw: unknown): Meta => ((raw as { metadata?: Meta } | undefined)?.metadata ?? {});
const specOf = (raw: unknown): unknown => (raw as { spec?: unknown } | undefined)?.spec;
const finalizerCount = (raw: unknown): number => (Array.isArray(metaOf(raw).finalizers) ? (metaOf(raw).finalizers as unknown[]).length : 0);

/** KEDA skips validation when an update only drops finalizers (SO/SJ: fewer; TA/CTA: the last one). */
function removesFinalizerOnly(kind: KedaKind, object: unknown, old: unknown): boolean {
  if (!isDeepStrictEqual(specOf(object), specOf(old))) return false;
  if (kind === 'ScaledObject' || kind === 'ScaledJob') return finalizerCount(object) < finalizerCount(old);
  return finalizerCount(object) === 0 && finalizerCount(old) === 1;
}

async function clusterVerdict(object: unknown, namespace: string, dryRun: boolean, cluster: ClusterView, warnings: string[]): Promise<AdmissionVerdict> {
  const so = parseKedaObject('ScaledObject', object).value;
  if (so === undefined) return allow(warnings);
  try {
    const found =
      (await otherScaledObjectProblem(so, namespace, cluster)) ??
      (await foreignHpaProblem(so, namespace, cluster)) ??
      // KEDA skips the container requests on dry-run: `kubectl apply --dry-run=server` must not depend on the workload.
      (dryRun ? undefined : await missingRequestsProblem(so, namespace, cluster));
    return found === undefined ? allow(warnings) : { ...deny(found, warnings), rejection: reasonOfClusterProblem(found) };
  } catch (error) {
    if (error instanceof KubeApiError) return denyWithStatus(error.status, error.reason, error.message);
    return deny(error instanceof Error ? error.message : String(error), warnings);
  }
}

/** The verdict on one AdmissionRequest for `kind` (the webhook path's kind). */
export async function validateAdmission(kind: KedaKind, request: AdmissionRequest, cluster: ClusterView | undefined): Promise<AdmissionVerdict> {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow();
  const object = request.object;
  const objectKind = (object as { kind?: unknown } | undefined)?.kind;
  if (typeof object !== 'object' || object === null) return errored(400, 'the request has no object');
  if (objectKind !== kind) return errored(400, `this webhook validates ${kind}, got ${JSON.stringify(objectKind)}`);
  if (request.operation === 'UPDATE' && removesFinalizerOnly(kind, object, request.oldObject)) return allow();

  const problems = checkObject(kind, object);
  // status is the operator's, written through the status subresource: warnings about it would only be noise to the user applying the spec.
  const warnings = problems.filter((p) => p.severity === 'warning' && !/^status(\.|\[|$)/.test(p.path)).map(describe);
  const errorProblems = problems.filter((p) => p.severity === 'error');
  if (errorProblems.length > 0) {
    const refused = deny(errorProblems.map(describe).join('; '), warnings);
    return kind === 'ScaledObject' ? { ...refused, rejection: reasonOfField(errorProblems[0]?.path ?? '') } : refused;
  }
  if (kind !== 'ScaledObject' || cluster === undefined) return allow(warnings);
  const namespace = request.namespace ?? str(metaOf(object).namespace);
  return clusterVerdict(object, namespace, request.dryRun === true, cluster, warnings);
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
