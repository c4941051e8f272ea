// Namespace controller: a terminating namespace has its content deleted; once empty, its
// `kubernetes` finalizer is removed and the namespace goes.

import { type Controller, type ControllerContext, runController } from './context.js';
import { groupResource, isRecord } from '../types.js';

/** Starts the namespace controller. */
export function namespaceController(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  const nsType = cluster.type('v1', 'Namespace');
  return runController(ctx, 'namespace', (e) => {
    if (e.gr === 'namespaces') return e.type === 'DELETED' ? [] : [e.object.metadata.name ?? ''];
    return e.type === 'DELETED' && e.object.metadata.namespace !== undefined ? [e.object.metadata.namespace] : [];
  }, (name) => {
    const ns = cluster.store.get(nsType, '', name);
    if (!ns || ns.metadata.deletionTimestamp === undefined) return;
    const seen = new Set<string>();
    let remaining = 0;
    for (const t of cluster.registry.all()) {
      const gr = groupResource(t);
      if (!t.namespaced || seen.has(gr)) continue;
      seen.add(gr);
      for (const o of cluster.store.list(t, name)) {
        remaining += 1;
        if (o.metadata.deletionTimestamp === undefined) cluster.store.delete(t, name, o.metadata.name ?? '');
      }
    }
    if (remaining > 0) return;
    const spec = isRecord(ns.spec) ? ns.spec : {};
    cluster.store.update(nsType, '', name, { ...ns, spec: { ...spec, finalizers: [] } });
  });
}
