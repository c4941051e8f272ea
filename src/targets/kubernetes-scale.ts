// A ScaleTarget over any resource's /scale subresource (autoscaling/v1 Scale). /scale carries
// spec.replicas and status.replicas (pods that exist) but no ready count, on a real API server as on
// the fake; for the built-in workloads the ready count is read from the parent's status.readyReplicas
// in the same single GET, for anything else status.replicas stands in for it. With a cache (the
// operator's informers) a workload's size is read from memory; a write is remembered until the cache
// has seen it, so the next poll does not act on the size from before its own write.
import type { KubeApi, KubeObject } from '../kube/api.js';
import type { ScaleTarget } from './scale-target.js';

/** Kinds whose status has readyReplicas and whose spec.replicas is what /scale shows. */
const WORKLOADS = new Set(['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/ReplicaSet']);

export interface ScaleTargetRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The size of a target as /scale (or the workload itself) reports it; throws when it does not exist. */
export function sizeOf(object: KubeObject, fromScale: boolean): { replicas: number; readyReplicas: number } {
  const spec = (object['spec'] ?? {}) as Record<string, unknown>;
  const status = (object['status'] ?? {}) as Record<string, unknown>;
  // A Deployment without spec.replicas runs 1 (the API server defaults it); a Scale always has it.
  const replicas = num(spec['replicas']) ?? (fromScale ? 0 : 1);
  const ready = fromScale ? num(status['replicas']) : num(status['readyReplicas']);
  return { replicas, readyReplicas: ready ?? 0 };
}

/** Workloads kept in memory (informers); 'uncached' for kinds it does not hold. */
export interface TargetCache {
  read(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined | 'uncached';
}

export class KubernetesScaleTarget implements ScaleTarget {
  /** Our last write, until the cache shows a resourceVersion other than the one it had then. */
  private written: { replicas: number; cachedVersion: string | undefined } | undefined;

  constructor(
    private readonly api: KubeApi,
    readonly ref: ScaleTargetRef,
    private readonly cache?: TargetCache,
  ) {}

  async getReplicas(): Promise<{ replicas: number; readyReplicas: number }> {
    const { apiVersion, kind, namespace, name } = this.ref;
    const workload = WORKLOADS.has(`${apiVersion}/${kind}`);
    const cached = this.cache?.read(apiVersion, kind, namespace, name);
    if (cached !== undefined && cached !== 'uncached') {
      const size = sizeOf(cached, false);
      if (this.written === undefined || this.written.cachedVersion !== cached.metadata.resourceVersion) {
        this.written = undefined;
        return size;
      }
      return { ...size, replicas: this.written.replicas };
    }
    // Not cached (another kind, or created after the cache's last event): ask the API server.
    const object = await this.api.get(apiVersion, kind, namespace, name, workload ? undefined : 'scale');
    if (object === undefined) throw new Error(`${kind} ${namespace}/${name} not found`);
    return sizeOf(object, !workload);
  }

  /** Merge-patches /scale's spec.replicas (the field an HPA and `kubectl scale` write too). */
  async setReplicas(replicas: number, _reason: string): Promise<void> {
    const { apiVersion, kind, namespace, name } = this.ref;
    const before = this.cache?.read(apiVersion, kind, namespace, name);
    await this.api.mergePatch(apiVersion, kind, namespace, name, { spec: { replicas } }, 'scale');
    if (before !== undefined && before !== 'uncached') this.written = { replicas, cachedVersion: before.metadata.resourceVersion };
  }
}
