// Where the fake's HPA controller gets External metric values: like kube-controller-manager, from the
// aggregated API external.metrics.k8s.io/v1beta1, served by whatever Service the APIService
// `v1beta1.external.metrics.k8s.io` names (KEDA's metrics adapter, or tide's). The fake has no cluster
// network, so a Service is resolved to a URL by an option, or by the APIService's
// `fake.tide.dev/service-url` annotation; an in-process provider can stand in for the whole API.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { formatQuantity, parseQuantity } from '../../api/quantity.js';
import type { FakeCluster } from './cluster.js';
import { ADMIN_IDENTITY, HPA_CONTROLLER_IDENTITY, proxiedRequestCredentials, type ProxyIdentity } from './front-proxy.js';
import { serviceEndpointUrl } from './service-endpoints.js';
import { isRecord } from './types.js';

export const EXTERNAL_METRICS_GROUP = 'external.metrics.k8s.io';
export const EXTERNAL_METRICS_VERSION = 'v1beta1';
export const EXTERNAL_METRICS_APISERVICE = `${EXTERNAL_METRICS_VERSION}.${EXTERNAL_METRICS_GROUP}`;

/** Annotation on an APIService giving the base URL of its Service when no `serviceUrl` option is set. */
export const SERVICE_URL_ANNOTATION = 'fake.tide.dev/service-url';

/** In-process stand-in for the external metrics API: item values (Quantities or plain numbers) for one request. */
export type ExternalMetricsProvider = (namespace: string, metricName: string, labelSelector: string) => Promise<readonly (string | number)[]>;

/** Maps a Service (namespace, name, port) to the base URL it answers on, e.g. `https://127.0.0.1:6443`. */
export type ServiceUrlResolver = (namespace: string, name: string, port: number) => string;

export interface ExternalMetricsOptions {
  /** When set, answers every External metric request instead of the APIService. */
  externalMetrics?: ExternalMetricsProvider;
  /** Resolves the APIService's spec.service; default: its `fake.tide.dev/service-url` annotation. */
  serviceUrl?: ServiceUrlResolver;
  /** Per-request timeout; default 5,000 ms. */
  externalMetricsTimeoutMs?: number;
}

/** One answer: the items' values in milli-units (Quantity.MilliValue()), or why there are none. */
export type ExternalMetricsResult = { itemsMilli: number[] } | { error: string };

/** The part of an APIService the fake reads to reach its Service. */
interface Backend {
  url: string;
  caBundle?: string;
  insecure: boolean;
  serverName: string;
}

/** The Service behind the APIService `<version>.<group>`, or an error worded like the aggregator's. */
function backendOf(cluster: FakeCluster, opts: ExternalMetricsOptions, apiService: string, resource: string): Backend | { error: string } {
  const notFound = { error: `the server could not find the requested resource (get ${resource})` };
  const svc = cluster.get('apiregistration.k8s.io/v1', 'APIService', '', apiService);
  const spec = isRecord(svc?.spec) ? svc.spec : undefined;
  if (svc === undefined || spec === undefined || !isRecord(spec.service)) return notFound;
  const ns = typeof spec.service.namespace === 'string' ? spec.service.namespace : '';
  const name = typeof spec.service.name === 'string' ? spec.service.name : '';
  const port = typeof spec.service.port === 'number' ? spec.service.port : 443;
  // The Service's Endpoints, as kube-apiserver resolves them; the serviceUrl option and the annotation remain as fallbacks.
  const endpoint = serviceEndpointUrl(cluster, ns, name, port);
  const url = ('url' in endpoint ? endpoint.url : undefined) ?? opts.serviceUrl?.(ns, name, port) ?? svc.metadata.annotations?.[SERVICE_URL_ANNOTATION];
  if (url === undefined || url === '') {
    return { error: `the server is currently unable to handle the request (get ${resource}): ${'error' in endpoint ? endpoint.error : ''}; no route to service ${ns}/${name}:${port} (the fake API server needs a serviceUrl option or the ${SERVICE_URL_ANNOTATION} annotation)` };
  }
  const backend: Backend = { url: url.replace(/\/+$/, ''), insecure: spec.insecureSkipTLSVerify === true, serverName: `${name}.${ns}.svc` };
  if (typeof spec.caBundle === 'string' && spec.caBundle !== '') backend.caBundle = Buffer.from(spec.caBundle, 'base64').toString('utf8');
  return backend;
}

interface Upstream {
  status: number;
  body: string;
  contentType: string;
}

/**
 * GET over http or https with the APIService's TLS settings, as the aggregator proxies it: with the
 * front-proxy client certificate and the caller in X-Remote-User / X-Remote-Group (front-proxy.ts);
 * resolves with status, body text and content type.
 */
function get(cluster: FakeCluster, backend: Backend, path: string, timeoutMs: number, identity: ProxyIdentity): Promise<Upstream> {
  const target = new URL(backend.url + path);
  const credentials = proxiedRequestCredentials(cluster, identity);
  return new Promise((resolve, reject) => {
    const headers = { accept: 'application/json', 'user-agent': 'kube-controller-manager/v1.31.0 (linux/amd64) kubernetes/tide-fake/system:serviceaccount:kube-system:horizontal-pod-autoscaler', ...credentials.headers };
    const req = target.protocol === 'https:'
      ? httpsRequest(target, { headers, rejectUnauthorized: !backend.insecure, servername: backend.serverName, ...(backend.caBundle === undefined ? {} : { ca: backend.caBundle }), ...credentials.tls })
      : httpRequest(target, { headers });
    req.setTimeout(timeoutMs, () => { req.destroy(new Error(`timeout after ${timeoutMs}ms`)); });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] ?? 'application/json' }); });
      res.on('error', reject);
    });
    req.end();
  });
}

/** Milli-values of an ExternalMetricValueList body, or what is wrong with it. */
export function parseExternalMetricValueList(body: string): ExternalMetricsResult {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return { error: 'unable to fetch metrics from external metrics API: the server returned a body that is not JSON' };
  }
  const items = isRecord(v) && Array.isArray(v.items) ? v.items : undefined;
  if (items === undefined) return { error: 'unable to fetch metrics from external metrics API: the server returned no ExternalMetricValueList' };
  const itemsMilli: number[] = [];
  for (const item of items) {
    const q = isRecord(item) ? item.value : undefined;
    const parsed = parseQuantity(typeof q === 'number' ? String(q) : typeof q === 'string' ? q : '');
    if ('error' in parsed) return { error: `unable to fetch metrics from external metrics API: item value ${JSON.stringify(q ?? null)}: ${parsed.error}` };
    itemsMilli.push(parsed.milli);
  }
  return { itemsMilli };
}

/** The message of a non-2xx answer: the Status message when there is one, else client-go's wording by code. */
function statusError(status: number, body: string, resource: string): string {
  try {
    const v: unknown = JSON.parse(body);
    if (isRecord(v) && v.kind === 'Status' && typeof v.message === 'string' && v.message !== '') return v.message;
  } catch {
    // not a Status: fall through
  }
  if (status === 404) return `the server could not find the requested resource (get ${resource})`;
  if (status === 503) return `the server is currently unable to handle the request (get ${resource})`;
  return `an error on the server ("${body.slice(0, 200)}") has prevented the request from succeeding (get ${resource})`;
}

/**
 * Reads one External metric the way the HPA's metrics client does:
 * GET /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>?labelSelector=<selector>.
 */
export async function fetchExternalMetric(cluster: FakeCluster, opts: ExternalMetricsOptions, namespace: string, metricName: string, labelSelector: string): Promise<ExternalMetricsResult> {
  if (opts.externalMetrics !== undefined) {
    try {
      const values = await opts.externalMetrics(namespace, metricName, labelSelector);
      return parseExternalMetricValueList(JSON.stringify({ items: values.map((value) => ({ value })) }));
    } catch (err) {
      return { error: `unable to fetch metrics from external metrics API: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const backend = backendOf(cluster, opts, EXTERNAL_METRICS_APISERVICE, `${metricName}.${EXTERNAL_METRICS_GROUP}`);
  if ('error' in backend) return { error: `unable to fetch metrics from external metrics API: ${backend.error}` };
  const query = labelSelector === '' ? '' : `?labelSelector=${encodeURIComponent(labelSelector)}`;
  const path = `/apis/${EXTERNAL_METRICS_GROUP}/${EXTERNAL_METRICS_VERSION}/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(metricName)}${query}`;
  const resource = `${metricName}.${EXTERNAL_METRICS_GROUP}`;
  let reply: Upstream;
  try {
    reply = await get(cluster, backend, path, opts.externalMetricsTimeoutMs ?? 5_000, HPA_CONTROLLER_IDENTITY);
  } catch (err) {
    // The aggregator answers 503 when its backend cannot be reached.
    return { error: `unable to fetch metrics from external metrics API: the server is currently unable to handle the request (get ${resource}): ${err instanceof Error ? err.message : String(err)}` };
  }
  if (reply.status < 200 || reply.status > 299) return { error: `unable to fetch metrics from external metrics API: ${statusError(reply.status, reply.body, resource)}` };
  return parseExternalMetricValueList(reply.body);
}

/**
 * The aggregator's proxy for GET requests under /apis/<group>/<version>/ served by an APIService with
 * a Service (so `kubectl get --raw /apis/external.metrics.k8s.io/v1beta1/...` works as on a cluster);
 * undefined when no such APIService exists. With an in-process provider, external metric reads are
 * answered from it.
 */
export async function proxyToApiService(cluster: FakeCluster, opts: ExternalMetricsOptions, group: string, version: string, pathAndQuery: string, identity: ProxyIdentity = ADMIN_IDENTITY): Promise<Upstream | undefined> {
  const url = new URL(pathAndQuery, 'http://fake');
  const segs = url.pathname.split('/').filter((x) => x !== '').map(decodeURIComponent);
  if (opts.externalMetrics !== undefined && group === EXTERNAL_METRICS_GROUP && version === EXTERNAL_METRICS_VERSION && segs.length === 6 && segs[3] === 'namespaces') {
    const [ns = '', metric = ''] = [segs[4], segs[5]];
    const got = await fetchExternalMetric(cluster, opts, ns, metric, url.searchParams.get('labelSelector') ?? '');
    if ('error' in got) return { status: 500, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: got.error, reason: 'InternalError', code: 500 }), contentType: 'application/json' };
    const items = got.itemsMilli.map((m) => ({ metricName: metric, metricLabels: null, timestamp: new Date(cluster.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z'), value: formatQuantity(m) }));
    return { status: 200, body: JSON.stringify({ kind: 'ExternalMetricValueList', apiVersion: `${group}/${version}`, metadata: {}, items }), contentType: 'application/json' };
  }
  const svc = cluster.registry.lookup('apiregistration.k8s.io', 'v1', 'apiservices') === undefined ? undefined : cluster.get('apiregistration.k8s.io/v1', 'APIService', '', `${version}.${group}`);
  if (svc === undefined || !isRecord(svc.spec) || !isRecord(svc.spec.service)) return undefined;
  const backend = backendOf(cluster, opts, `${version}.${group}`, group);
  const unavailable = (message: string): Upstream => ({ status: 503, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'ServiceUnavailable', code: 503 }), contentType: 'application/json' });
  if ('error' in backend) return unavailable(backend.error);
  try {
    return await get(cluster, backend, pathAndQuery, opts.externalMetricsTimeoutMs ?? 5_000, identity);
  } catch (err) {
    return unavailable(`error trying to reach service: ${err instanceof Error ? err.message : String(err)}`);
  }
}
