// StatefulSet controller: pods <name>-0 … <name>-(n-1). With OrderedReady (the default) an ordinal is
// created only when all lower ones are Ready, and scale-down removes the highest ordinal first, one
// at a time; with Parallel all changes happen at once.

import { isRecord } from '../types.js';
import { type Controller, type ControllerContext, num, ownerKeys, podReady, runController, setCount, splitKey } from './context.js';
import { controlledPods, podFromTemplate } from './replicaset.js';

/** The ordinal of a pod name of this set, or -1. */
function ordinal(setName: string, podName: string): number {
  const m = new RegExp(`^${setName.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(podName);
  return m ? Number(m[1]) : -1;
}

/** Starts the StatefulSet controller. */
export function statefulSetController(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  const stsType = cluster.type('apps/v1', 'StatefulSet');
  const podType = cluster.type('v1', 'Pod');
  return runController(ctx, 'statefulset', (e) => {
    if (e.gr === 'statefulsets.apps') return [`${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}`];
    return e.gr === 'pods' ? ownerKeys(e, 'StatefulSet') : [];
  }, (key) => {
    const [ns, name] = splitKey(key);
    const sts = cluster.store.get(stsType, ns, name);
    if (!sts || sts.metadata.deletionTimestamp !== undefined) return;
    const spec = isRecord(sts.spec) ? sts.spec : {};
    const want = num(spec, 'replicas');
    const parallel = spec.podManagementPolicy === 'Parallel';
    const pods = controlledPods(ctx, sts).sort((a, b) => ordinal(name, a.metadata.name ?? '') - ordinal(name, b.metadata.name ?? ''));
    const have = new Set(pods.map((p) => ordinal(name, p.metadata.name ?? '')));
    const extra = pods.filter((p) => ordinal(name, p.metadata.name ?? '') >= want).reverse();
    if (extra.length > 0) {
      const allReady = pods.every(podReady);
      for (const p of parallel ? extra : allReady ? extra.slice(0, 1) : []) cluster.store.delete(podType, ns, p.metadata.name ?? '');
    } else {
      for (let i = 0; i < want; i++) {
        if (have.has(i)) {
          if (!parallel && !podReady(pods.find((p) => ordinal(name, p.metadata.name ?? '') === i) ?? pods[0] ?? sts)) break;
          continue;
        }
        const pod = podFromTemplate(spec.template, ns, sts, 'apps/v1', 'StatefulSet');
        pod.metadata.name = `${name}-${i}`;
        pod.metadata.labels = { ...pod.metadata.labels, 'statefulset.kubernetes.io/pod-name': `${name}-${i}`, 'apps.kubernetes.io/pod-index': String(i) };
        cluster.store.create(podType, ns, pod);
        if (!parallel) break;
      }
    }
    const now = controlledPods(ctx, sts);
    const ready = now.filter(podReady).length;
    const status: Record<string, unknown> = { observedGeneration: sts.metadata.generation ?? 1, replicas: now.length, availableReplicas: ready };
    setCount(status, 'readyReplicas', ready, true);
    setCount(status, 'currentReplicas', now.length, true);
    setCount(status, 'updatedReplicas', now.length, true);
    cluster.store.update(stsType, ns, name, { ...sts, status }, { status: true });
  });
}
