// The sizes of Deployments and StatefulSets from informers, so a scale loop's poll reads its target
// from memory instead of GETting it (KEDA reads these two kinds through controller-runtime's cache
// too; anything else goes to /scale). Only what a size needs is kept: with thousands of workloads the
// pod templates would dominate the operator's memory.
import type { KubeApi, KubeObject } from '../kube/api.js';
import { Informer } from '../kube/informer.js';
import type { TargetCache } from '../targets/kubernetes-scale.js';

const CACHED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
] as const;

/** metadata identity + spec.replicas + the status counts: all a size read uses (the informer sets apiVersion and kind). */
export function sizeOnly(object: KubeObject): KubeObject {
  const metadata: KubeObject['metadata'] = {};
  for (const key of ['name', 'namespace', 'uid', 'resourceVersion', 'generation'] as const) {
    if (object.metadata[key] !== undefined) Object.assign(metadata, { [key]: object.metadata[key] });
  }
  const spec = (object['spec'] ?? {}) as Record<string, unknown>;
  const status = (object['status'] ?? {}) as Record<string, unknown>;
  return {
    metadata,
    spec: spec['replicas'] === undefined ? {} : { replicas: spec['replicas'] },
    status: { replicas: status['replicas'], readyReplicas: status['readyReplicas'] },
  };
}

export class WorkloadCache implements TargetCache {
  private readonly informers = new Map<string, Informer>();

  constructor(api: KubeApi, namespace: string | undefined, onError: (kind: string) => (error: unknown) => void) {
    for (const { apiVersion, kind } of CACHED_KINDS) {
      this.informers.set(`${apiVersion}/${kind}`, new Informer(api, { apiVersion, kind, namespace, transform: sizeOnly, onError: onError(`${kind}s`) }));
    }
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  get synced(): Promise<void> {
    return Promise.all([...this.informers.values()].map((i) => i.synced)).then(() => undefined);
  }

  stop(): void {
    for (const informer of this.informers.values()) informer.stop();
  }

  /** The cached workload; 'uncached' for kinds this cache does not hold. */
  read(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined | 'uncached' {
    const informer = this.informers.get(`${apiVersion}/${kind}`);
    return informer === undefined ? 'uncached' : informer.get(namespace, name);
  }
}
