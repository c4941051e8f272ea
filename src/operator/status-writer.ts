// Serialises status writes per object (ScaledObject or ScaledJob) and skips those that change nothing.
// The reconcile and the scale loop both write status; each write is a function of the latest status
// we know (what the last patch returned, or a newer copy from the informer), so neither undoes the
// other's fields.
import type { ScaledObjectStatus } from '../api/scaled-object.js';
import { isNotFound, type KubeApi, type KubeObject } from '../kube/api.js';
import { statusPatch } from './status.js';

interface Known<S> {
  resourceVersion: string;
  status: S;
}

/** resourceVersions are opaque, but etcd's are integers: compare them as such when they are. */
function newer(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  return Number.isSafeInteger(x) && Number.isSafeInteger(y) ? x > y : a !== b;
}

export class StatusWriter<S extends object = ScaledObjectStatus> {
  private readonly known = new Map<string, Known<S>>();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Status patches sent (for tests and the benchmark). */
  writes = 0;

  constructor(
    private readonly api: KubeApi,
    private readonly kind: 'ScaledObject' | 'ScaledJob' = 'ScaledObject',
  ) {}

  /** Takes the informer's copy when it is newer than what we last wrote. */
  observe(object: KubeObject): void {
    const key = keyOf(object);
    const rv = object.metadata.resourceVersion ?? '';
    const known = this.known.get(key);
    if (known === undefined || newer(rv, known.resourceVersion)) this.known.set(key, { resourceVersion: rv, status: (object['status'] ?? {}) as S });
  }

  /** Forgets an object (deleted). */
  forget(namespace: string, name: string): void {
    this.known.delete(`${namespace}/${name}`);
  }

  /** The status as we know it. */
  current(namespace: string, name: string): S {
    return this.known.get(`${namespace}/${name}`)?.status ?? ({} as S);
  }

  /** Applies `change` to the latest status and patches what differs; resolves true when it wrote. */
  update(namespace: string, name: string, change: (status: S) => S): Promise<boolean> {
    const key = `${namespace}/${name}`;
    const run = (this.chains.get(key) ?? Promise.resolve()).then(async () => {
      const known = this.known.get(key) ?? { resourceVersion: '', status: {} as S };
      const next = change(known.status);
      const patch = statusPatch<S>(known.status, next);
      if (patch === undefined) return false;
      try {
        this.writes++;
        const written = await this.api.mergePatch('keda.sh/v1alpha1', this.kind, namespace, name, { status: patch }, 'status');
        this.known.set(key, { resourceVersion: written.metadata.resourceVersion ?? '', status: (written['status'] ?? {}) as S });
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    });
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => { if (this.chains.get(key) === tail) this.chains.delete(key); });
    return run;
  }
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
