// Services of the same names as the Deployments, with KEDA's ports: the operator's metrics service
// (9666) and /metrics (8080), the adapter's 443 → 6443 (the APIService calls it) and 80 → 8080, the
// webhooks' 443 → 9443.
import { INSTALL_NAMES as N, labels, type InstallOptions, type Manifest } from './options.js';
import { METRICS_SERVICE_PORT } from './deployments.js';

interface ServicePort { name: string; port: number; targetPort: number; protocol: 'TCP' }
const port = (name: string, servicePort: number, targetPort: number): ServicePort => ({ name, port: servicePort, targetPort, protocol: 'TCP' });

function service(name: string, ports: ServicePort[], o: InstallOptions): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace, labels: { app: name, ...labels(name, o) } },
    spec: { selector: { app: name }, ports },
  };
}

/** keda-operator, keda-metrics-apiserver and (with webhooks) keda-admission-webhooks. */
export function services(o: InstallOptions): Manifest[] {
  return [
    service(N.operator, [port('metricsservice', METRICS_SERVICE_PORT, METRICS_SERVICE_PORT), port('metrics', 8080, 8080)], o),
    service(N.metricsServer, [port('https', 443, 6443), port('http', 80, 8080)], o),
    ...(o.webhooks ? [service(N.webhooks, [port('https', 443, 9443)], o)] : []),
  ];
}
