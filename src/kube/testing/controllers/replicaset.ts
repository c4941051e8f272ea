// ReplicaSet controller: keeps spec.replicas pods from the template (labels, env and all), deleting
// not-ready and newest pods first, and reports replicas / readyReplicas / availableReplicas.

import { type KubeObject, isRecord } from '../types.js';
import { type Controller, type ControllerContext, controllerRef, controllerUid, num, ownerKeys, podReady, runController, setCount, splitKey } from './context.js';

/** The pod a workload template describes. */
export function podFromTemplate(template: unknown, namespace: string, owner: KubeObject, ownerApiVersion: string, ownerKind: string): KubeObject {
  const t = isRecord(template) ? template : {};
  const meta = isRecord(t.metadata) ? structuredClone(t.metadata) : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...meta, namespace, ownerReferences: [controllerRef(owner, ownerApiVersion, ownerKind)] },
    spec: isRecord(t.spec) ? structuredClone(t.spec) : {},
  };
}

/** Pods controlled by `owner`, not being deleted. */
export function controlledPods(ctx: ControllerContext, owner: KubeObject): KubeObject[] {
  const pods = ctx.cluster.store.list(ctx.cluster.type('v1', 'Pod'), owner.metadata.namespace ?? '');
  return pods.filter((p) => controllerUid(p) === owner.metadata.uid && p.metadata.deletionTimestamp === undefined);
}

/** Starts the ReplicaSet controller. */
export function replicaSetController(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  const rsType = cluster.type('apps/v1', 'ReplicaSet');
  const podType = cluster.type('v1', 'Pod');
  return runController(ctx, 'replicaset', (e) => {
    if (e.gr === 'replicasets.apps') return [`${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}`];
    return e.gr === 'pods' ? ownerKeys(e, 'ReplicaSet') : [];
  }, (key) => {
    const [ns, name] = splitKey(key);
    const rs = cluster.store.get(rsType, ns, name);
    if (!rs || rs.metadata.deletionTimestamp !== undefined) return;
    const spec = isRecord(rs.spec) ? rs.spec : {};
    const want = num(spec, 'replicas');
    let pods = controlledPods(ctx, rs);
    for (let i = pods.length; i < want; i++) {
      const pod = podFromTemplate(spec.template, ns, rs, 'apps/v1', 'ReplicaSet');
      pod.metadata.generateName = `${name}-`;
      pods.push(cluster.store.create(podType, ns, pod));
    }
    if (pods.length > want) {
      const order = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)) || Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion));
      for (const p of order.slice(0, pods.length - want)) cluster.store.delete(podType, ns, p.metadata.name ?? '');
      pods = controlledPods(ctx, rs);
    }
    const ready = pods.filter(podReady).length;
    const status: Record<string, unknown> = { ...(isRecord(rs.status) ? rs.status : {}), replicas: pods.length, fullyLabeledReplicas: pods.length, observedGeneration: rs.metadata.generation ?? 1 };
    setCount(status, 'readyReplicas', ready, true);
    setCount(status, 'availableReplicas', ready, true);
    setCount(status, 'fullyLabeledReplicas', pods.length, true);
    cluster.store.update(rsType, ns, name, { ...rs, status }, { status: true });
  });
}
