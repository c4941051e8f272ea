// APIService v1beta1.external.metrics.k8s.io → keda-metrics-apiserver (keda.md §5). There is one per
// cluster: whoever owns it serves every HPA's external metrics. caBundle is set by the operator
// (--enable-cert-rotation) once kedaorg-certs exists; until then the API server cannot verify the adapter.
import { INSTALL_NAMES as N, labels, type InstallOptions, type Manifest } from './options.js';

/** The external metrics APIService pointing at tide's adapter. */
export function apiService(o: InstallOptions): Manifest {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: N.apiService, labels: labels(N.apiService, o) },
    spec: {
      group: 'external.metrics.k8s.io',
      version: 'v1beta1',
      groupPriorityMinimum: 100,
      versionPriority: 100,
      service: { name: N.metricsServer, namespace: o.namespace, port: 443 },
    },
  };
}
