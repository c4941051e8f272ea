// `tide metrics-server`'s HTTPS server: the external.metrics.k8s.io/v1beta1 API the HPA reads through
// the aggregation layer. A metric request names the ScaledObject in its label selector
// (scaledobject.keda.sh/name=<so>); the value comes from the operator through the metrics service.
// Every failure is a Kubernetes Status (never a stack trace, never a secret). The serving certificate
// can be swapped while running.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SCALED_OBJECT_NAME_LABEL } from '../api/annotations.js';
import { MetricsServiceError, type MetricsService } from '../engine/metrics-service.js';
import type { ServingPair } from '../kube/certificates/cert-dir.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { allowAll, type RequestAuthorizer } from './request-auth.js';
import { API_GROUP, API_GROUP_LIST, API_RESOURCE_LIST, externalMetricValueList, GROUP, statusError, VERSION, type StatusReason } from './responses.js';

export interface MetricsApiServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly certificate: ServingPair;
  readonly service: MetricsService;
  /** Authentication and authorization of each request (request-auth.ts); default: every request is allowed. */
  readonly authorize?: RequestAuthorizer;
  readonly log?: Logger;
}

export interface MetricsApiServer {
  readonly port: number;
  readonly server: Server;
  setCertificate(pair: ServingPair): void;
  close(): Promise<void>;
}

const PREFIX = `/apis/${GROUP}/${VERSION}`;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: ServerResponse, reason: StatusReason, message: string, details?: Record<string, unknown>): void {
  const { code, body } = statusError(reason, message, details);
  send(res, code, body);
}

/** The ScaledObject named by a label selector (`k=v`, `k==v`, comma-separated requirements), or undefined. */
export function scaledObjectOf(labelSelector: string): string | undefined {
  for (const requirement of labelSelector.split(',')) {
    const match = /^\s*([^!=\s]+)\s*==?\s*(.*?)\s*$/.exec(requirement);
    if (match?.[1] === SCALED_OBJECT_NAME_LABEL && match[2] !== undefined && match[2] !== '') return match[2];
  }
  return undefined;
}

async function metric(res: ServerResponse, options: MetricsApiServerOptions, namespace: string, metricName: string, labelSelector: string): Promise<void> {
  const name = scaledObjectOf(labelSelector);
  const resource = `${metricName}.${GROUP}`;
  if (name === undefined) {
    fail(res, 'BadRequest', `the label selector must name the ScaledObject (${SCALED_OBJECT_NAME_LABEL}=<name>), got ${JSON.stringify(labelSelector)}`);
    return;
  }
  try {
    const values = await options.service.getMetrics({ namespace, name, metricName });
    send(res, 200, externalMetricValueList(values));
  } catch (error) {
    if (!(error instanceof MetricsServiceError)) {
      (options.log ?? silentLogger).error('metric request failed', { namespace, metricName, scaledObject: name, error: error instanceof Error ? error.message : String(error) });
      fail(res, 'InternalError', `an internal error occurred getting ${resource}`);
      return;
    }
    if (error.code === 'NotFound') fail(res, 'NotFound', error.message, { name: metricName, group: GROUP, kind: metricName });
    else if (error.code === 'Unavailable') fail(res, 'ServiceUnavailable', error.message);
    else fail(res, 'InternalError', error.message);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, options: MetricsApiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://metrics');
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/healthz' || path === '/readyz' || path === '/livez') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    return;
  }
  const verdict = await (options.authorize ?? allowAll)(req);
  if (!verdict.allowed) {
    fail(res, verdict.reason, verdict.message, verdict.details);
    return;
  }
  if (req.method !== 'GET') {
    fail(res, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    return;
  }
  const discovery = path === '/apis' ? API_GROUP_LIST : path === `/apis/${GROUP}` ? API_GROUP : path === PREFIX ? API_RESOURCE_LIST : undefined;
  if (discovery !== undefined) {
    send(res, 200, discovery);
    return;
  }
  const segs = path.startsWith(`${PREFIX}/`) ? path.slice(PREFIX.length + 1).split('/').map(decodeURIComponent) : [];
  if (segs.length === 3 && segs[0] === 'namespaces' && segs[1] !== '' && segs[2] !== '') {
    return metric(res, options, segs[1] ?? '', segs[2] ?? '', url.searchParams.get('labelSelector') ?? '');
  }
  fail(res, 'NotFound', 'the server could not find the requested resource');
}

/** Starts the HTTPS server; resolves once it listens. */
export async function startMetricsApiServer(options: MetricsApiServerOptions): Promise<MetricsApiServer> {
  const log = options.log ?? silentLogger;
  const server = createServer({ cert: options.certificate.cert, key: options.certificate.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      log.error('metrics API request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) fail(res, 'InternalError', 'an internal error occurred');
      else res.destroy();
    });
  });
  // A connection's client certificate is checked once (connection-certificates.ts); without
  // renegotiation (Go's TLS server has none either) it cannot change afterwards.
  server.on('secureConnection', (socket: TLSSocket) => { socket.disableRenegotiation(); });
  // Keep-alive as the aggregator's proxy expects (one connection, many requests).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    setCertificate(pair) { server.setSecureContext({ cert: pair.cert, key: pair.key }); },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
