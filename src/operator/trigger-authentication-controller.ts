// The TriggerAuthentication / ClusterTriggerAuthentication controller (keda.md §1.3): each one's
// status lists its users as KEDA writes them — `status.scaledobjects` and `status.scaledjobs`, the
// users' names joined by commas, in the order they came (KEDA's AppendIntoString / RemoveFromString;
// names only, also for a ClusterTriggerAuthentication used from several namespaces) and absent when
// empty. The lists are computed from the informers' caches, so a missed event cannot leave a stale
// name behind, and written only when they change. A change of an authentication's spec (a new
// generation), or one appearing or going, sends the ScaledObjects and ScaledJobs using it back to
// reconcile; their loop fingerprint includes `fingerprint()`, so they rebuild their scalers with the
// new credentials.
import type { TriggerSettings } from '../api/defaults.js';
import { isNotFound, type KubeApi, type KubeObject } from '../kube/api.js';
import type { Informer, InformerEventType } from '../kube/informer.js';
import { WorkQueue } from '../kube/work-queue.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventRecorder } from './event-recorder.js';
import { addKedaFinalizer, removeKedaFinalizer } from './keda-object.js';

export type AuthKind = 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

export interface TriggerAuthenticationControllerDeps {
  readonly api: KubeApi;
  readonly triggerAuthentications: Informer;
  readonly clusterTriggerAuthentications: Informer;
  readonly scaledObjects: Informer;
  /** ScaledJobs, when their controller runs: listed in `status.scaledjobs`. */
  readonly scaledJobs?: Informer;
  readonly events?: EventRecorder;
  readonly log: Logger;
  /** An authentication these ScaledObjects (`namespace/name`) use changed: reconcile them. */
  readonly onAuthenticationChanged: (scaledObjectKey: string) => void;
  /** The same for ScaledJobs (`namespace/name`); with `scaledJobs`. */
  readonly onScaledJobAuthenticationChanged?: (scaledJobKey: string) => void;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

interface AuthStatus {
  scaledobjects?: string;
  scaledjobs?: string;
}

/** resourceVersions are opaque, but etcd's are integers: compare them as such when they are. */
function newer(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  return Number.isSafeInteger(x) && Number.isSafeInteger(y) ? x > y : false;
}

interface Ref {
  readonly kind: AuthKind;
  readonly name: string;
}

const API_VERSION = 'keda.sh/v1alpha1';

/** The queue key of an authentication: `<kind>/<namespace>/<name>` (no namespace for the cluster kind). */
const authKey = (kind: AuthKind, namespace: string, name: string): string => `${kind}/${kind === 'ClusterTriggerAuthentication' ? '' : namespace}/${name}`;
const objectKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** The authentications an object's triggers name (KEDA's default kind is TriggerAuthentication). */
export function authenticationRefs(object: KubeObject | undefined): Ref[] {
  const triggers = ((object?.['spec'] ?? {}) as { triggers?: unknown }).triggers;
  if (!Array.isArray(triggers)) return [];
  const refs: Ref[] = [];
  for (const trigger of triggers as { authenticationRef?: { name?: unknown; kind?: unknown } }[]) {
    const ref = trigger.authenticationRef;
    if (typeof ref?.name !== 'string' || ref.name === '') continue;
    refs.push({ kind: ref.kind === 'ClusterTriggerAuthentication' ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication', name: ref.name });
  }
  return refs;
}

/** KEDA's order: names already listed keep their place, new ones are appended (sorted among themselves). */
export function usersList(current: string | undefined, users: ReadonlySet<string>): string {
  const kept = (current ?? '').split(',').filter((n) => n !== '' && users.has(n));
  const keptSet = new Set(kept);
  return [...kept, ...[...users].filter((n) => !keptSet.has(n)).sort()].join(',');
}

export class TriggerAuthenticationController {
  readonly queue: WorkQueue;
  /** Status patches sent (for tests and the benchmark). */
  writes = 0;
  private readonly announced = new Set<string>();
  /** What our last patch returned per key: newer than the informer's copy until the watch catches up. */
  private readonly written = new Map<string, { resourceVersion: string; status: AuthStatus }>();

  constructor(private readonly deps: TriggerAuthenticationControllerDeps) {
    this.queue = new WorkQueue({
      concurrency: 1,
      baseDelayMs: deps.retryBaseMs ?? 5,
      maxDelayMs: deps.retryMaxMs ?? 1_000_000,
      onError: (key, error) => { deps.log.warn('TriggerAuthentication status update failed; retrying with back-off', { triggerAuthentication: key, error: error instanceof Error ? error.message : String(error) }); },
    });
    const onUser = (type: InformerEventType, object: KubeObject, old: KubeObject | undefined): void => {
      const before = old === undefined || old.metadata.deletionTimestamp !== undefined ? [] : authenticationRefs(old);
      const after = type === 'deleted' || object.metadata.deletionTimestamp !== undefined ? [] : authenticationRefs(object);
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      for (const ref of [...before, ...after]) this.queue.add(authKey(ref.kind, object.metadata.namespace ?? '', ref.name));
    };
    deps.scaledObjects.onChange(onUser);
    deps.scaledJobs?.onChange(onUser);
    deps.triggerAuthentications.onChange((type, object, old) => { this.onAuthentication('TriggerAuthentication', type, object, old); });
    deps.clusterTriggerAuthentications.onChange((type, object, old) => { this.onAuthentication('ClusterTriggerAuthentication', type, object, old); });
  }

  /** Starts writing status lists (call once the informers have synced). */
  start(): void {
    this.queue.start((key) => this.reconcile(key));
  }

  async stop(): Promise<void> {
    await this.queue.stop();
  }

  /**
   * What the authentications of these triggers are now (uid and generation, or missing): part of a
   * ScaledObject's loop fingerprint, so a changed authentication rebuilds its scalers.
   */
  fingerprint(namespace: string, triggers: readonly Pick<TriggerSettings, 'authenticationRef'>[]): string {
    const parts = triggers.map((t) => {
      const ref = t.authenticationRef;
      if (ref === undefined) return '';
      const found = this.informer(ref.kind).get(ref.kind === 'TriggerAuthentication' ? namespace : undefined, ref.name);
      return found === undefined ? '-' : `${found.metadata.uid ?? ''}@${found.metadata.generation ?? 0}`;
    });
    return parts.every((p) => p === '') ? '' : parts.join(',');
  }

  /** Writes the users of `key` when they differ from its status. */
  async reconcile(key: string): Promise<undefined> {
    const [kind, namespace = '', name = ''] = key.split('/') as [AuthKind, string?, string?];
    const auth = this.informer(kind).get(kind === 'TriggerAuthentication' ? namespace : undefined, name);
    if (auth === undefined) return undefined;
    // KEDA's finalizer, so that a deletion is seen and announced before the object goes.
    if (auth.metadata.deletionTimestamp !== undefined) {
      if (await removeKedaFinalizer(this.deps.api, kind, auth)) await this.deps.events?.record(auth, { type: 'Normal', reason: `${kind}Deleted`, message: `${kind} was deleted` });
      return undefined;
    }
    if (await addKedaFinalizer(this.deps.api, kind, auth)) return undefined; // the update comes back through the informer
    // KEDA announces a first-generation authentication when its controller first sees it; here, once per process (reconciles run on the leader only).
    const uid = auth.metadata.uid ?? key;
    if (auth.metadata.generation === 1 && !this.announced.has(uid)) {
      this.announced.add(uid);
      await this.deps.events?.record(auth, { type: 'Normal', reason: `${kind}Added`, message: `New ${kind} configured` });
    }
    const status = this.latestStatus(key, auth);
    const scaledobjects = usersList(status.scaledobjects, this.users(this.deps.scaledObjects, kind, namespace, name));
    const scaledjobs = this.deps.scaledJobs === undefined ? status.scaledjobs ?? '' : usersList(status.scaledjobs, this.users(this.deps.scaledJobs, kind, namespace, name));
    if (scaledobjects === (status.scaledobjects ?? '') && scaledjobs === (status.scaledjobs ?? '')) return undefined;
    // KEDA's fields are omitempty: an empty list is no field at all (null removes it in a merge patch).
    const patch = { status: { scaledobjects: scaledobjects === '' ? null : scaledobjects, scaledjobs: scaledjobs === '' ? null : scaledjobs } };
    try {
      this.writes++;
      const stored = await this.deps.api.mergePatch(API_VERSION, kind, kind === 'TriggerAuthentication' ? namespace : undefined, name, patch, 'status');
      this.written.set(key, { resourceVersion: stored.metadata.resourceVersion ?? '', status: (stored['status'] ?? {}) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return undefined;
  }

  /** The informer's status, or what we wrote last when the informer has not seen it yet. */
  private latestStatus(key: string, auth: KubeObject): AuthStatus {
    const mine = this.written.get(key);
    const theirs = auth.metadata.resourceVersion ?? '';
    if (mine !== undefined && newer(mine.resourceVersion, theirs)) return mine.status;
    this.written.delete(key);
    return (auth['status'] ?? {});
  }

  private informer(kind: AuthKind): Informer {
    return kind === 'TriggerAuthentication' ? this.deps.triggerAuthentications : this.deps.clusterTriggerAuthentications;
  }

  /** Names of the objects of `users` whose triggers use the authentication (a namespaced one only from its namespace). */
  private users(users: Informer, kind: AuthKind, namespace: string, name: string): Set<string> {
    const out = new Set<string>();
    for (const object of users.list()) {
      if (object.metadata.deletionTimestamp !== undefined) continue;
      if (kind === 'TriggerAuthentication' && object.metadata.namespace !== namespace) continue;
      if (authenticationRefs(object).some((r) => r.kind === kind && r.name === name)) out.add(object.metadata.name ?? '');
    }
    return out;
  }

  private onAuthentication(kind: AuthKind, type: InformerEventType, object: KubeObject, old: KubeObject | undefined): void {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    if (type !== 'deleted') this.queue.add(authKey(kind, namespace, name));
    else {
      this.announced.delete(object.metadata.uid ?? authKey(kind, namespace, name));
      this.written.delete(authKey(kind, namespace, name));
    }
    const changed = type !== 'updated' || old?.metadata.generation !== object.metadata.generation;
    if (!changed) return;
    const notify = (users: Informer | undefined, changed: ((key: string) => void) | undefined): void => {
      if (users === undefined || changed === undefined) return;
      for (const user of users.list()) {
        if (kind === 'TriggerAuthentication' && user.metadata.namespace !== namespace) continue;
        if (authenticationRefs(user).some((r) => r.kind === kind && r.name === name)) changed(objectKey(user));
      }
    };
    notify(this.deps.scaledObjects, this.deps.onAuthenticationChanged);
    notify(this.deps.scaledJobs, this.deps.onScaledJobAuthenticationChanged);
  }
}
