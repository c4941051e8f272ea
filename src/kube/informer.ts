// An informer: one list, then a watch from its resourceVersion, keeping every object of a kind in
// memory so controllers read from here instead of polling the API server. A watch that ends is
// resumed from the last resourceVersion seen (bookmarks included); 410 Gone (too old) relists and
// replays the difference as adds, updates and deletes. Errors back off and never stop it.
import { KubeApiError } from './errors.js';
import type { KubeApi, KubeObject, WatchEvent } from './api.js';

export type InformerEventType = 'added' | 'updated' | 'deleted';
export type InformerHandler = (type: InformerEventType, object: KubeObject, old: KubeObject | undefined) => void;

export interface InformerOptions {
  readonly apiVersion: string;
  readonly kind: string;
  /** One namespace, or all when undefined. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string;
  /** First retry delay after an error (doubles to 30 s); default 500 ms. */
  readonly retryDelayMs?: number;
  /** The server closes each watch after this long, as client-go asks (5–10 min); default 300. */
  readonly watchTimeoutSeconds?: number;
  readonly onError?: (error: unknown) => void;
  /** Trims each object before it is stored (client-go's transform): keep only what readers use, to bound memory. */
  readonly transform?: (object: KubeObject) => KubeObject;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class Informer {
  private readonly store = new Map<string, KubeObject>();
  private readonly handlers: InformerHandler[] = [];
  private resourceVersion = '';
  private stopWatch: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private markSynced: (() => void) | undefined;
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  /** Lists done (the first and every relist), for tests. */
  lists = 0;

  constructor(private readonly api: KubeApi, private readonly options: InformerOptions) {
    this.synced = new Promise((done) => { this.markSynced = done; });
  }

  /** Calls `handler` for every change from now on (and, at the first list, for every object). */
  onChange(handler: InformerHandler): void {
    this.handlers.push(handler);
  }

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
  }

  /** The cached object, or undefined. */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(`${namespace ?? ''}/${name}`);
  }

  /** Every cached object. */
  list(): KubeObject[] {
    return [...this.store.values()];
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const { apiVersion, kind, namespace, labelSelector } = this.options;
    try {
      const listed = await this.api.list(apiVersion, kind, namespace, labelSelector);
      this.lists++;
      const seen = new Set<string>();
      for (const item of listed.items) {
        seen.add(keyOf(item));
        this.apply('ADDED', item);
      }
      for (const [key, old] of [...this.store]) if (!seen.has(key)) this.apply('DELETED', old);
      this.resourceVersion = listed.resourceVersion;
      this.failures = 0;
      this.markSynced?.();
      await this.watch();
    } catch (error) {
      this.retry(error, () => this.relist());
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const { apiVersion, kind, namespace, labelSelector } = this.options;
    let gone = false;
    const query = { resourceVersion: this.resourceVersion, labelSelector, timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 };
    try {
      this.stopWatch = await this.api.watch(apiVersion, kind, namespace, query, (event) => {
        if (event.type === 'ERROR') {
          gone ||= (event.object as { code?: unknown }).code === 410;
          if (!gone) this.options.onError?.(new Error(`watch ${kind}: ${String((event.object as { message?: unknown }).message)}`));
          return;
        }
        if (event.type === 'BOOKMARK') {
          this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
          return;
        }
        this.failures = 0;
        this.apply(event.type, event.object);
      }, (error: unknown) => {
        this.stopWatch = undefined;
        if (this.stopped) return;
        const status = (error as { statusCode?: unknown } | null)?.statusCode;
        if (gone || status === 410) void this.relist();
        else if (error === null || error === undefined || (error instanceof Error && error.name === 'AbortError')) void this.watch();
        else this.retry(error, () => this.watch());
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 410) await this.relist();
      else this.retry(error, () => this.relist());
    }
  }

  private retry(error: unknown, again: () => Promise<void>): void {
    if (this.stopped) return;
    this.options.onError?.(error);
    const delay = Math.min((this.options.retryDelayMs ?? 500) * 2 ** this.failures, 30_000);
    this.failures++;
    this.retryTimer = setTimeout(() => { void again(); }, delay);
    this.retryTimer.unref();
  }

  private apply(type: Exclude<WatchEvent['type'], 'BOOKMARK' | 'ERROR'>, object: KubeObject): void {
    const key = keyOf(object);
    const old = this.store.get(key);
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    if (type === 'DELETED') {
      if (!this.store.delete(key)) return;
      for (const h of this.handlers) h('deleted', object, old);
      return;
    }
    // managedFields are the largest part of most objects and no reader here uses them (client-go's
    // TransformStripManagedFields).
    const { managedFields: _unused, ...metadata } = object.metadata;
    const stripped: KubeObject = { ...object, metadata };
    const kept = this.options.transform ? this.options.transform(stripped) : stripped;
    const typed = { ...kept, apiVersion: this.options.apiVersion, kind: this.options.kind };
    if (old !== undefined && old.metadata.resourceVersion === rv) return;
    this.store.set(key, typed);
    for (const h of this.handlers) h(old === undefined ? 'added' : 'updated', typed, old);
  }
}
