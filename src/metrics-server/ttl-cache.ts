// A small answer cache for TokenReviews and SubjectAccessReviews, as k8s.io/apiserver keeps them:
// answers live for a TTL (which may depend on the answer: allowed vs denied), concurrent misses for
// one key share one request, failures are not kept, and the oldest entries go past `maxEntries`.
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number | ((value: V) => number),
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 4096,
  ) {}

  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > this.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending !== undefined) return pending;
    const loaded = load().then((value) => {
      const ttl = typeof this.ttlMs === 'function' ? this.ttlMs(value) : this.ttlMs;
      this.entries.delete(key);
      if (ttl > 0) this.entries.set(key, { value, expires: this.now() + ttl });
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
      return value;
    }).finally(() => this.loading.delete(key));
    this.loading.set(key, loaded);
    return loaded;
  }
}
