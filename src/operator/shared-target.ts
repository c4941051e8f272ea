// Two controllers on one workload fight over its replicas. KEDA's admission webhook refuses a second
// ScaledObject or a foreign HPA on a workload; where it did not run (webhooks off, objects made before
// it was installed) the operator makes the same checks at reconcile, in the webhook's words. The older
// ScaledObject keeps the workload; the newer one fails its check until the other goes.
import type { ScaledObject } from '../api/scaled-object.js';
import type { KubeApi, KubeObject } from '../kube/api.js';
import type { Informer } from '../kube/informer.js';
import { foreignHpaProblem, otherScaledObjectProblem } from '../engine/cluster-checks.js';
import type { ClusterView } from '../engine/cluster-view.js';

/** True when `a` was created before `b` (the name breaks a tie, so exactly one of two is older). */
function olderThan(a: KubeObject, b: KubeObject): boolean {
  const at = a.metadata.creationTimestamp ?? '';
  const bt = b.metadata.creationTimestamp ?? '';
  return at !== bt ? at < bt : (a.metadata.name ?? '') < (b.metadata.name ?? '');
}

/** The reason `so` may not scale its workload, or undefined. ScaledObjects come from the cache, HPAs live. */
export async function sharedTargetProblem(so: ScaledObject, raw: KubeObject, api: KubeApi, scaledObjects: Informer): Promise<string | undefined> {
  const namespace = raw.metadata.namespace ?? '';
  const cluster: ClusterView = {
    resourceFor: (apiVersion, kind) => api.resourceFor(apiVersion, kind),
    scaledObjects: () => Promise.resolve(scaledObjects.list().filter((o) => o.metadata.namespace === namespace && o.metadata.deletionTimestamp === undefined && olderThan(o, raw))),
    horizontalPodAutoscalers: async () => (await api.list('autoscaling/v2', 'HorizontalPodAutoscaler', namespace)).items,
    limitRanges: () => Promise.resolve([]),
    get: (apiVersion, kind, ns, name) => api.get(apiVersion, kind, ns, name),
  };
  return (await otherScaledObjectProblem(so, namespace, cluster)) ?? (await foreignHpaProblem(so, namespace, cluster));
}
