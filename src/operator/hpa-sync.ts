// Creating, updating, adopting and deleting the HPA of a ScaledObject. An HPA is ours when a
// ScaledObject of the same name controls it (KEDA made it, or tide did): then it is updated in place,
// which is how a cluster moves from KEDA to tide without dropping its HPAs. Anyone else's HPA is left
// alone unless the object asks to take it over (transfer-hpa-ownership).
import { isConflict, type KubeApi, type KubeObject } from '../kube/api.js';
import { hpaNeedsUpdate } from './hpa-builder.js';

export type HpaOutcome = 'created' | 'updated' | 'unchanged';

const HPA_VERSION = 'autoscaling/v2';
const HPA_KIND = 'HorizontalPodAutoscaler';

/** True when a ScaledObject named `soName` is the HPA's controlling owner. */
export function ownedBy(hpa: KubeObject, soName: string): boolean {
  return (hpa.metadata.ownerReferences ?? []).some((r) => r['kind'] === 'ScaledObject' && r['name'] === soName && r['controller'] === true);
}

/** Makes the live HPA match `desired`; throws with a clear message when another owner holds it. */
export async function ensureHpa(api: KubeApi, desired: KubeObject, live: KubeObject | undefined, soName: string, transferOwnership: boolean): Promise<HpaOutcome> {
  const { namespace, name } = desired.metadata;
  const current = live ?? (await api.get(HPA_VERSION, HPA_KIND, namespace, name ?? ''));
  if (current === undefined) {
    try {
      await api.create(desired);
      return 'created';
    } catch (error) {
      if (isConflict(error)) throw new Error(`HPA ${namespace ?? ''}/${name ?? ''} was created by someone else meanwhile; retrying`);
      throw error;
    }
  }
  if (!ownedBy(current, soName) && !transferOwnership) {
    throw new Error(`HPA ${namespace ?? ''}/${name ?? ''} already exists and is not owned by ScaledObject ${soName} (annotate the ScaledObject scaledobject.keda.sh/transfer-hpa-ownership: "true" to take it over)`);
  }
  const sameOwner = (current.metadata.ownerReferences ?? []).some((r) => r['uid'] === desired.metadata.ownerReferences?.[0]?.['uid']);
  if (sameOwner && !hpaNeedsUpdate(desired, current)) return 'unchanged';
  // Replace (KEDA's Update): the resourceVersion makes a concurrent change a 409 and a retry.
  await api.replace({ ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion ?? '' } });
  return 'updated';
}

/** Deletes the HPA `name` if this ScaledObject controls it; true when one was deleted. */
export async function deleteOwnedHpa(api: KubeApi, namespace: string, name: string, soName: string, live?: KubeObject): Promise<boolean> {
  const current = live ?? (await api.get(HPA_VERSION, HPA_KIND, namespace, name));
  if (current === undefined || !ownedBy(current, soName)) return false;
  return api.delete(HPA_VERSION, HPA_KIND, namespace, name);
}
