// The /scale subresource: an autoscaling/v1 Scale view of a workload or a custom resource whose CRD
// declares `subresources.scale` (spec/status replicas paths and an optional selector path).

import { formatLabelSelector } from './selectors.js';
import { invalid } from './status.js';
import { type KubeObject, type ResourceType, type ScaleSpec, isRecord } from './types.js';

/** Reads a `.a.b.c` path. */
export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split('.').filter((s) => s !== '')) cur = isRecord(cur) ? cur[seg] : undefined;
  return cur;
}

/** Writes a `.a.b.c` path, creating records on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.').filter((s) => s !== '');
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (isRecord(next)) cur = next;
    else {
      const fresh: Record<string, unknown> = {};
      cur[seg] = fresh;
      cur = fresh;
    }
  }
  const last = segs[segs.length - 1];
  if (last !== undefined) cur[last] = value;
}

/** The Scale object for a parent. */
export function toScale(type: ResourceType, scale: ScaleSpec, parent: KubeObject): KubeObject {
  const m = parent.metadata;
  const specReplicas = getPath(parent, scale.specReplicasPath);
  const statusReplicas = getPath(parent, scale.statusReplicasPath);
  const selector = type.crd === undefined
    ? formatLabelSelector(getPath(parent, '.spec.selector'))
    : scale.labelSelectorPath === undefined ? undefined : getPath(parent, scale.labelSelectorPath);
  const status: Record<string, unknown> = { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0 };
  if (typeof selector === 'string' && selector !== '') status.selector = selector;
  const metadata: KubeObject['metadata'] = { name: m.name ?? '', uid: m.uid ?? '', resourceVersion: m.resourceVersion ?? '', creationTimestamp: m.creationTimestamp ?? '' };
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 }, status };
}

/** The parent with spec replicas taken from a Scale; the Scale's resourceVersion becomes the precondition. */
export function applyScale(scale: ScaleSpec, parent: KubeObject, input: KubeObject): KubeObject {
  const replicas = isRecord(input.spec) ? input.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, parent.metadata.name ?? '', [
      { field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${replicas === undefined ? 'null' : JSON.stringify(replicas)}: must be greater than or equal to 0` },
    ]);
  }
  const next = structuredClone(parent);
  setPath(next, scale.specReplicasPath, replicas);
  const rv = input.metadata.resourceVersion;
  if (rv !== undefined && rv !== '') next.metadata.resourceVersion = rv;
  return next;
}
