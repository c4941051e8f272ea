// The HTTPS server of the admission webhook: KEDA's four paths, AdmissionReview JSON in and out.
// The serving certificate can be swapped while running (setCertificate), so a renewed Secret or a
// changed --cert-dir takes effect without a restart; connections already open keep the old one.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KedaKind } from '../api/kinds.js';
import type { ServingPair } from '../kube/certificates/cert-dir.js';
import type { Logger } from '../telemetry/logger.js';
import { admissionResponse, errored, parseAdmissionReview, type AdmissionVerdict } from './admission-review.js';
import type { ClusterView } from '../engine/cluster-view.js';
import { validateAdmission } from './validator.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** KEDA's webhook paths (config/webhooks/validation_webhooks.yaml) and the kind each validates. */
export const WEBHOOK_PATHS: Readonly<Record<string, KedaKind>> = {
  '/validate-keda-sh-v1alpha1-scaledobject': 'ScaledObject',
  '/validate-keda-sh-v1alpha1-scaledjob': 'ScaledJob',
  '/validate-keda-sh-v1alpha1-triggerauthentication': 'TriggerAuthentication',
  '/validate-keda-sh-v1alpha1-clustertriggerauthentication': 'ClusterTriggerAuthentication',
};

/** The API server sends at most a few MB; more is not an AdmissionReview. */
const MAX_BODY_BYTES = 7 * 1024 * 1024;

export interface WebhookServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly certificate: ServingPair;
  /** Cluster lookups for the ScaledObject checks; without it only the offline rules run. */
  readonly cluster?: ClusterView;
  readonly log?: Logger;
  /** KEDA's webhook metrics; none when absent. */
  readonly metrics?: WebhookMetrics;
}

export interface WebhookServer {
  readonly port: number;
  readonly server: Server;
  /** Serves new connections with this certificate from now on. */
  setCertificate(pair: ServingPair): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => { resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')); });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function review(kind: KedaKind, req: IncomingMessage, options: WebhookServerOptions): Promise<{ uid: string; verdict: AdmissionVerdict; apiVersion?: string }> {
  // controller-runtime answers every unreadable request with an AdmissionReview carrying a 400 Status.
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (contentType !== 'application/json') return { uid: '', verdict: errored(400, `contentType=${contentType ?? ''}, expected application/json`) };
  const body = await readBody(req);
  if (body === undefined) return { uid: '', verdict: errored(400, `request body is larger than ${MAX_BODY_BYTES} bytes`) };
  if (body === '') return { uid: '', verdict: errored(400, 'request body is empty') };
  const parsed = parseAdmissionReview(body);
  if ('error' in parsed) return { uid: '', verdict: errored(400, parsed.error) };
  const verdict = await validateAdmission(kind, parsed.request, options.cluster);
  const { operation, namespace } = parsed.request;
  if (kind === 'ScaledObject' && (operation === 'CREATE' || operation === 'UPDATE')) {
    options.metrics?.record(namespace ?? '', operation.toLowerCase(), verdict.allowed ? undefined : verdict.rejection ?? 'scaled-object-validation');
  }
  return { uid: parsed.request.uid, verdict, apiVersion: parsed.apiVersion };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: WebhookServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'https://webhook').pathname;
  const kind = WEBHOOK_PATHS[path];
  if (kind === undefined) {
    send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `no webhook at ${path}`, reason: 'NotFound', code: 404 });
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${req.method ?? ''} is not allowed: POST an AdmissionReview`, reason: 'MethodNotAllowed', code: 405 });
    return;
  }
  const { uid, verdict, apiVersion } = await review(kind, req, options);
  options.log?.info(verdict.allowed ? 'admitted' : 'denied', { kind, uid, code: verdict.status.code, message: verdict.status.message, warnings: verdict.warnings?.length ?? 0 });
  send(res, 200, admissionResponse(uid, verdict, apiVersion));
}

/** Starts the webhook server on `port` (0: any free port). */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const server = createServer({ cert: options.certificate.cert, key: options.certificate.key }, (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.log?.error('webhook request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 200, admissionResponse('', errored(500, 'internal error while validating')));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    setCertificate: (pair) => { server.setSecureContext({ cert: pair.cert, key: pair.key }); },
    close: () => new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    }),
  };
}
