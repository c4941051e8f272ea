// Watch streams: newline-delimited {type, object} events over a chunked response, resumable from a
// resourceVersion, with bookmarks, selector transitions (an object leaving the selection is DELETED
// for this watcher), and the apiserver's ERROR event carrying 410 Expired for a too-old version.

import type { ServerResponse } from 'node:http';
import type { FakeCluster } from './cluster.js';
import { present } from './handlers.js';
import type { ResourcePath } from './router.js';
import { type FieldRequirement, type Requirement, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { expired } from './status.js';
import { includeObjectOf, toTable, wantsTable } from './table.js';
import type { StoreEvent } from './store.js';
import { type KubeObject, type ResourceType, apiVersionOf, groupResource } from './types.js';

export interface WatchOptions {
  /** How often bookmarks are sent to watchers that allow them. */
  bookmarkIntervalMs: number;
}

/** The selection one watcher asked for. */
interface Filter {
  gr: string;
  namespace: string;
  name?: string;
  labels: Requirement[];
  fields: FieldRequirement[];
}

/** Whether an object is in the watcher's selection. */
function selected(f: Filter, o: KubeObject | undefined): boolean {
  if (o === undefined) return false;
  if (f.namespace !== '' && o.metadata.namespace !== f.namespace) return false;
  if (f.name !== undefined && o.metadata.name !== f.name) return false;
  return matchesLabels(f.labels, o.metadata.labels) && matchesFields(f.fields, o);
}

/** The event this watcher sees for a store change, if any. */
function translate(f: Filter, e: StoreEvent): { type: string; object: KubeObject } | undefined {
  if (e.gr !== f.gr) return undefined;
  const now = selected(f, e.object);
  if (e.type === 'ADDED') return now ? { type: 'ADDED', object: e.object } : undefined;
  if (e.type === 'DELETED') return selected(f, e.previous ?? e.object) ? { type: 'DELETED', object: e.object } : undefined;
  const before = selected(f, e.previous);
  if (before && now) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: e.object };
  return undefined;
}

/** How events carry objects: as served, or with a Table Accept as one-row Tables, only the first with column definitions. */
function objectSender(cluster: FakeCluster, type: ResourceType, query: URLSearchParams, accept: string, send: (t: string, o: unknown) => void): (t: string, o: KubeObject) => void {
  const table = wantsTable(accept);
  if (table === undefined) return (t, o) => { send(t, present(type, o)); };
  const include = includeObjectOf(query);
  let headers = true;
  return (t, o) => {
    const body = toTable(type, [present(type, o)], { resourceVersion: o.metadata.resourceVersion ?? '' }, { version: table, include, now: cluster.clock() });
    if (!headers) body.columnDefinitions = [];
    headers = false;
    send(t, body);
  };
}

/** Streams a watch until the client goes, the timeout passes, or the server stops. */
export function serveWatch(cluster: FakeCluster, type: ResourceType, path: ResourcePath, query: URLSearchParams, res: ServerResponse, opts: WatchOptions, onClose: (end: () => void) => () => void, accept = ''): void {
  const filter: Filter = {
    gr: groupResource(type),
    namespace: path.namespace,
    labels: parseLabelSelector(query.get('labelSelector') ?? ''),
    fields: parseFieldSelector(query.get('fieldSelector') ?? '', type.fieldLabels),
  };
  if (path.name !== undefined) filter.name = path.name;
  const rvText = query.get('resourceVersion') ?? '';
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  // Clients wait for headers before reading events; send them even when no event is due yet.
  res.flushHeaders();
  const send = (type_: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type: type_, object })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(cluster.store.currentRv()) };
    if (annotations) metadata.annotations = annotations;
    send('BOOKMARK', { kind: type.kind, apiVersion: apiVersionOf(type), metadata });
  };
  const sendObject = objectSender(cluster, type, query, accept, send);
  const deliver = (e: StoreEvent): void => {
    const ev = translate(filter, e);
    if (ev) sendObject(ev.type, ev.object);
  };
  if (rvText === '' || rvText === '0') {
    for (const o of cluster.store.list(type, path.namespace)) if (selected(filter, o)) sendObject('ADDED', o);
    if (bookmarks && query.get('sendInitialEvents') === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const rv = Number(rvText);
    const backlog = Number.isFinite(rv) ? cluster.store.eventsSince(rv) : undefined;
    if (backlog === undefined) {
      // A cached watch reports expiry inside the stream, not as an HTTP status (the reflector relists on it).
      send('ERROR', expired(rv, cluster.store.oldestRv()).toStatus());
      res.end();
      return;
    }
    for (const e of backlog) deliver(e);
  }
  const unsubscribe = cluster.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => { bookmark(); }, opts.bookmarkIntervalMs));
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  let closed = false;
  const end = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearInterval(t);
    unregister();
    res.end();
  };
  const unregister = onClose(end);
  if (timeout > 0) timers.push(setTimeout(end, timeout * 1000));
  res.on('close', end);
}
