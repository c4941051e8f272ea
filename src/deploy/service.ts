// The Service in front of the HTTP Deployment: port 80, func's shape (no labels).
import { names, type DeployOptions, type Manifest } from './manifest.js';

/** Service `<name>-http`. */
export function httpService(options: DeployOptions): Manifest {
  const target = names.httpDeployment(options.name);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: target, namespace: options.namespace },
    spec: { type: options.serviceType, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { app: target } },
  };
}
