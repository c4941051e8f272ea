// Namespace keda (or --namespace). KEDA's release manifests create it; `kubectl delete -f` of them
// deletes it, so remove keeps it (it may hold the user's things).
import { labels, type InstallOptions, type Manifest } from './options.js';

/** The install namespace. */
export function namespace(o: InstallOptions): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: labels(o.namespace, o) } };
}
