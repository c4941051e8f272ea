// Raw HTTP helpers for the fake API server tests: JSON requests and a line-by-line watch reader.

export interface Reply {
  status: number;
  // Replies are arbitrary JSON; tests read fields they assert on.
  body: Record<string, unknown> & { metadata?: Record<string, unknown>; items?: Record<string, unknown>[] };
}

/** One JSON request; `body` is sent as JSON unless it is already a string. */
export async function call(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  const init: RequestInit = { method, headers: { 'content-type': contentType } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch(base + path, init);
  return { status: r.status, body: (await r.json()) as Reply['body'] };
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata: Record<string, unknown> };
}

/** An open watch: `next()` resolves with the next event (or rejects after `timeoutMs`). */
export interface OpenWatch {
  next(timeoutMs?: number): Promise<WatchEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch and parses newline-delimited events. */
export async function watch(base: string, path: string): Promise<OpenWatch> {
  const ac = new AbortController();
  const r = await fetch(base + path, { signal: ac.signal });
  if (r.status !== 200 || !r.body) throw new Error(`watch failed: ${r.status}`);
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  const queue: WatchEvent[] = [];
  const waiters: ((e: WatchEvent) => void)[] = [];
  let buffer = '';
  const ended = (async () => {
    try {
      for (;;) {
        const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const ev = JSON.parse(buffer.slice(0, nl)) as WatchEvent;
          buffer = buffer.slice(nl + 1);
          const w = waiters.shift();
          if (w) w(ev);
          else queue.push(ev);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    next(timeoutMs = 2000) {
      const q = queue.shift();
      if (q) return Promise.resolve(q);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => { reject(new Error('no watch event in time')); }, timeoutMs);
        waiters.push((e) => {
          clearTimeout(t);
          resolve(e);
        });
      });
    },
    ended,
    close() {
      ac.abort();
    },
  };
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
