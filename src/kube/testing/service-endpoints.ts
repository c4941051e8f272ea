// How the aggregator reaches an APIService's Service, as kube-apiserver's endpoint resolver does:
// the Service port whose `port` is the APIService's spec.service.port, then the address of the
// Service's Endpoints (same name) on the subset port with that port's name. Tests create Endpoints
// pointing at 127.0.0.1:<port>, so the path is the one a real cluster takes.
import type { FakeCluster } from './cluster.js';
import { isRecord } from './types.js';

/** `https://<ip>:<port>` of a ready endpoint of the Service, or the resolver's error (worded as kube-apiserver words it). */
export function serviceEndpointUrl(cluster: FakeCluster, namespace: string, name: string, port: number): { url: string } | { error: string } {
  const svc = cluster.get('v1', 'Service', namespace, name);
  if (svc === undefined) return { error: `service "${name}" not found` };
  const ports = isRecord(svc.spec) && Array.isArray(svc.spec.ports) ? svc.spec.ports.filter(isRecord) : [];
  const svcPort = ports.find((p) => p.port === port);
  if (svcPort === undefined) return { error: `no service port ${port} found for service "${name}"` };
  const portName = typeof svcPort.name === 'string' ? svcPort.name : '';
  const endpoints = cluster.get('v1', 'Endpoints', namespace, name);
  const subsets = endpoints !== undefined && Array.isArray(endpoints.subsets) ? endpoints.subsets.filter(isRecord) : [];
  for (const subset of subsets) {
    const subsetPort = (Array.isArray(subset.ports) ? subset.ports.filter(isRecord) : []).find((p) => (typeof p.name === 'string' ? p.name : '') === portName);
    const address = (Array.isArray(subset.addresses) ? subset.addresses.filter(isRecord) : []).find((a) => typeof a.ip === 'string');
    if (subsetPort !== undefined && typeof subsetPort.port === 'number' && address !== undefined) {
      const ip = String(address.ip);
      return { url: `https://${ip.includes(':') ? `[${ip}]` : ip}:${subsetPort.port}` };
    }
  }
  return { error: `no endpoints available for service "${name}"` };
}
