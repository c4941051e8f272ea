// KEDA's ScaledObject webhook checks that need the cluster (scaledobject_webhook.go: verifyScaledObjects,
// verifyHpas, verifyCPUMemoryScalers), with KEDA's messages word for word, since users and scripts
// grep for them. Here, below both users: the webhooks refuse with them, the operator fails a check. Each returns the first violation as KEDA does, or undefined. An API error that KEDA
// would pass through as a Status (the target Deployment not found) is thrown as a KubeApiError.
import { TRANSFER_HPA_OWNERSHIP_ANNOTATION, VALIDATIONS_HPA_OWNERSHIP_ANNOTATION } from '../api/annotations.js';
import { parseQuantity } from '../api/quantity.js';
import { hpaName, type ScaledObject } from '../api/scaled-object.js';
import { KubeApiError } from '../kube/errors.js';
import type { KubeObject, ClusterView } from './cluster-view.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A kind the server does not serve: the RESTMapper's NoKindMatchError, as a plain (403) denial. */
export class NoKindMatchError extends Error {
  override readonly name = 'NoKindMatchError';
}

/** KEDA's ParseGVKR: apps/v1 and Deployment when unset, checked against discovery; `group/version.Kind`. */
async function gvkString(cluster: ClusterView, apiVersion: string, kind: string): Promise<string> {
  const version = apiVersion === '' ? 'apps/v1' : apiVersion;
  const k = kind === '' ? 'Deployment' : kind;
  const info = await cluster.resourceFor(version, k);
  if (info === undefined) throw new NoKindMatchError(`no matches for kind "${k}" in version "${version}"`);
  return `${info.group}/${info.version}.${info.kind}`;
}

const targetOf = (raw: KubeObject): { apiVersion: string; kind: string; name: string } => {
  const ref = obj(obj(raw.spec).scaleTargetRef);
  return { apiVersion: str(ref.apiVersion), kind: str(ref.kind), name: str(ref.name) };
};

const rawHpaName = (raw: KubeObject): string => {
  const configured = str(obj(obj(obj(raw.spec).advanced).horizontalPodAutoscalerConfig).name);
  return configured !== '' ? configured : `keda-hpa-${raw.metadata.name ?? ''}`;
};

/** Another ScaledObject on the same workload, or owning the same HPA name. */
export async function otherScaledObjectProblem(so: ScaledObject, namespace: string, cluster: ClusterView): Promise<string | undefined> {
  const target = so.spec.scaleTargetRef;
  const incoming = await gvkString(cluster, target.apiVersion ?? '', target.kind ?? '');
  const incomingHpa = hpaName(so.metadata.name ?? '', so.spec);
  for (const other of await cluster.scaledObjects(namespace)) {
    if (other.metadata.name === so.metadata.name) continue;
    const ref = targetOf(other);
    if ((await gvkString(cluster, ref.apiVersion, ref.kind)) === incoming && ref.name === target.name) {
      return `the workload '${ref.name}' of type '${incoming}' is already managed by the ScaledObject '${other.metadata.name ?? ''}'`;
    }
    if (rawHpaName(other) === incomingHpa) return `the HPA '${incomingHpa}' is already managed by the ScaledObject '${other.metadata.name ?? ''}'`;
  }
  return undefined;
}

/** An HPA on the same workload that this ScaledObject does not own (and is not taking over). */
export async function foreignHpaProblem(so: ScaledObject, namespace: string, cluster: ClusterView): Promise<string | undefined> {
  const target = so.spec.scaleTargetRef;
  const incoming = await gvkString(cluster, target.apiVersion ?? '', target.kind ?? '');
  for (const hpa of await cluster.horizontalPodAutoscalers(namespace)) {
    if (hpa.metadata.annotations?.[VALIDATIONS_HPA_OWNERSHIP_ANNOTATION] === 'false') continue;
    const ref = obj(obj(hpa.spec).scaleTargetRef);
    if ((await gvkString(cluster, str(ref.apiVersion), str(ref.kind))) !== incoming || str(ref.name) !== target.name) continue;
    const owned = (hpa.metadata.ownerReferences ?? []).some((owner) => owner.kind === 'ScaledObject' && owner.name === so.metadata.name);
    if (owned) continue;
    const hpaNameText = hpa.metadata.name ?? '';
    if (so.metadata.annotations?.[TRANSFER_HPA_OWNERSHIP_ANNOTATION] !== 'true') {
      return `the workload '${target.name}' of type '${incoming}' is already managed by the hpa '${hpaNameText}'`;
    }
    if (so.spec.advanced?.horizontalPodAutoscalerConfig?.name !== hpaNameText) {
      return `the existing hpa '${hpaNameText}' for workload '${target.name}' of type '${incoming}' must be specified by name in advanced settings to enable ownership transfer`;
    }
  }
  return undefined;
}

/** KEDA's isWorkloadResourceSet / LimitRange default: a request or limit (or default) above zero. */
const positive = (values: unknown, resource: string): boolean => {
  const text = obj(values)[resource];
  if (typeof text !== 'string' && typeof text !== 'number') return false;
  const parsed = parseQuantity(String(text));
  return 'milli' in parsed && parsed.milli > 0;
};

async function limitRangeDefault(cluster: ClusterView, namespace: string, resource: string): Promise<boolean> {
  let ranges: KubeObject[];
  try {
    ranges = await cluster.limitRanges(namespace);
  } catch {
    return false; // KEDA logs the failed list and treats it as "no default"
  }
  return ranges.some((range) => list(obj(range.spec).limits).some((item) => {
    const limit = obj(item);
    return limit.type === 'Container' && (positive(limit.defaultRequest, resource) || positive(limit.default, resource));
  }));
}

const POD_SPEC_KINDS = new Set(['apps/v1.Deployment', 'apps/v1.StatefulSet']);

/** cpu/memory triggers on a Deployment or StatefulSet: every (named) container needs that request or limit, or a LimitRange default. */
export async function missingRequestsProblem(so: ScaledObject, namespace: string, cluster: ClusterView): Promise<string | undefined> {
  const triggers = so.spec.triggers.filter((t) => t.type === 'cpu' || t.type === 'memory');
  if (triggers.length === 0) return undefined;
  const target = so.spec.scaleTargetRef;
  const gvk = await gvkString(cluster, target.apiVersion ?? '', target.kind ?? '');
  if (!POD_SPEC_KINDS.has(gvk)) return undefined;
  const kind = gvk.slice('apps/v1.'.length);
  const workload = await cluster.get('apps/v1', kind, namespace, target.name);
  if (workload === undefined) throw new KubeApiError(404, 'NotFound', `${kind === 'Deployment' ? 'deployments' : 'statefulsets'}.apps "${target.name}" not found`);
  const containers = list(obj(obj(obj(obj(workload.spec).template).spec)).containers).map(obj);
  for (const trigger of triggers) {
    const containerName = trigger.metadata.containerName ?? '';
    for (const container of containers) {
      if (containerName !== '' && container.name !== containerName) continue;
      const resources = obj(container.resources);
      if (positive(resources.requests, trigger.type) || positive(resources.limits, trigger.type)) continue;
      if (await limitRangeDefault(cluster, namespace, trigger.type)) continue;
      return `the scaledobject has a ${trigger.type} trigger but the container ${str(container.name)} doesn't have the ${trigger.type} request defined`;
    }
  }
  return undefined;
}
