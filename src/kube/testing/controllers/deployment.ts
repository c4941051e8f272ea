// Deployment controller: one ReplicaSet per pod template (named <deployment>-<template hash>, labelled
// pod-template-hash); the current one gets spec.replicas, older ones are scaled to 0 (a rollout
// without surge pacing); status sums the ReplicaSets, with Available and Progressing conditions.

import { createHash } from 'node:crypto';
import { stableStringify } from '../patch.js';
import { kubeTime } from '../store.js';
import { type KubeObject, isRecord } from '../types.js';
import { type Controller, type ControllerContext, controllerRef, controllerUid, num, ownerKeys, runController, setCount, splitKey } from './context.js';

const HASH_ALPHABET = 'bcdf249576hjklmnpqrstvwxz';

/** A short, stable hash of the pod template, in the alphabet Kubernetes uses for generated names. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(stableStringify(template)).digest();
  return Array.from(digest.subarray(0, 10), (b) => HASH_ALPHABET[b % HASH_ALPHABET.length] ?? 'b').join('');
}

/** A deployment condition, keeping its transition time while the status stays the same. */
function condition(old: unknown, type: string, status: string, reason: string, message: string, now: string): Record<string, unknown> {
  const prev = Array.isArray(old) ? old.find((c) => isRecord(c) && c.type === type) as Record<string, unknown> | undefined : undefined;
  const same = prev?.status === status && prev.reason === reason;
  return { type, status, lastUpdateTime: same ? prev.lastUpdateTime : now, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now, reason, message };
}

/** The ReplicaSet for the deployment's current template. */
function newReplicaSet(d: KubeObject, hash: string, replicas: number, revision: number): KubeObject {
  const spec = isRecord(d.spec) ? d.spec : {};
  const template = structuredClone(isRecord(spec.template) ? spec.template : {});
  const tmeta = isRecord(template.metadata) ? template.metadata : (template.metadata = {});
  tmeta.labels = { ...(isRecord(tmeta.labels) ? tmeta.labels : {}), 'pod-template-hash': hash };
  const selector = isRecord(spec.selector) ? structuredClone(spec.selector) : {};
  selector.matchLabels = { ...(isRecord(selector.matchLabels) ? selector.matchLabels : {}), 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`, namespace: d.metadata.namespace ?? '', labels: tmeta.labels as Record<string, string>,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas), 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
  };
}

/** Starts the Deployment controller. */
export function deploymentController(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  const depType = cluster.type('apps/v1', 'Deployment');
  const rsType = cluster.type('apps/v1', 'ReplicaSet');
  return runController(ctx, 'deployment', (e) => {
    if (e.gr === 'deployments.apps') return [`${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}`];
    return e.gr === 'replicasets.apps' ? ownerKeys(e, 'Deployment') : [];
  }, (key) => {
    const [ns, name] = splitKey(key);
    const d = cluster.store.get(depType, ns, name);
    if (!d || d.metadata.deletionTimestamp !== undefined) return;
    const spec = isRecord(d.spec) ? d.spec : {};
    const want = num(spec, 'replicas');
    const hash = templateHash(spec.template);
    const owned = cluster.store.list(rsType, ns).filter((rs) => controllerUid(rs) === d.metadata.uid);
    let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    if (!current) {
      const revision = 1 + Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)));
      current = cluster.store.create(rsType, ns, newReplicaSet(d, hash, want, revision));
    } else if (num(current.spec, 'replicas') !== want) {
      const annotations = { ...current.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want) };
      current = cluster.store.update(rsType, ns, current.metadata.name ?? '', { ...current, metadata: { ...current.metadata, annotations }, spec: { ...(current.spec as object), replicas: want } });
    }
    const all = owned.filter((rs) => rs.metadata.uid !== current.metadata.uid);
    for (const old of all) if (num(old.spec, 'replicas') > 0) cluster.store.update(rsType, ns, old.metadata.name ?? '', { ...old, spec: { ...(old.spec as object), replicas: 0 } });
    const sets = [current, ...all];
    const sum = (k: string): number => sets.reduce((n, rs) => n + num(rs.status, k), 0);
    const available = sum('availableReplicas');
    const now = kubeTime(cluster.clock());
    const old = isRecord(d.status) ? d.status.conditions : undefined;
    const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1 };
    setCount(status, 'replicas', sum('replicas'), true);
    setCount(status, 'updatedReplicas', num(current.status, 'replicas'), true);
    setCount(status, 'readyReplicas', sum('readyReplicas'), true);
    setCount(status, 'availableReplicas', available, true);
    setCount(status, 'unavailableReplicas', Math.max(0, want - available), true);
    const complete = available >= want && num(current.status, 'replicas') === want;
    status.conditions = [
      available >= want ? condition(old, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now)
        : condition(old, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now),
      complete ? condition(old, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${current.metadata.name ?? ''}" has successfully progressed.`, now)
        : condition(old, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${current.metadata.name ?? ''}" is progressing.`, now),
    ];
    cluster.store.update(depType, ns, name, { ...d, status }, { status: true });
  });
}
