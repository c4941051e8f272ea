// The HTTP front of the fake: routes discovery, health and resource paths, decodes bodies, and turns
// ApiErrors into Status replies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeCluster } from './cluster.js';
import { aggregatedDiscovery, aggregatedVersion, coreVersions, groupInfo, groupList, resourceList, versionInfo } from './discovery.js';
import { handleResource } from './handlers.js';
import { warningsOf, withValidatingWebhooks } from './admission.js';
import { type ExternalMetricsOptions, proxyToApiService } from './external-metrics.js';
import { openApiV2Json, openApiV2Protobuf, openApiV3Document, openApiV3Index } from './openapi.js';
import { parseResourcePath } from './router.js';
import { reviewReply } from './reviews.js';
import { requestIdentity } from './front-proxy.js';
import { ApiError } from './status.js';
import { serveWatch, type WatchOptions } from './watch.js';

export interface HttpContext {
  cluster: FakeCluster;
  watch: WatchOptions;
  /** host:port for /api's serverAddressByClientCIDRs. */
  address: () => string;
  /** Tracks open watches so stop() can end them. */
  trackWatch: (end: () => void) => () => void;
  /** How APIServices' Services are reached (the aggregator's proxy). */
  aggregation?: ExternalMetricsOptions;
}

/** Sends a JSON reply, with one `Warning: 299 - "<text>"` header per warning as the apiserver sends them. */
function json(res: ServerResponse, status: number, body: unknown, warnings: readonly string[] = [], contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number | string[]> = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - "${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  res.writeHead(status, headers);
  res.end(text);
}

/** The apiserver's 404 for paths nothing serves. */
function notFoundStatus(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

/** /openapi/v2 and /openapi/v3[/<gv>]; false when the path is not one of them. */
function serveOpenApi(ctx: HttpContext, pathname: string, accept: string, res: ServerResponse): boolean {
  if (pathname === '/openapi/v2') {
    if (accept.includes('protobuf')) {
      const pb = openApiV2Protobuf();
      res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'Content-Length': pb.length });
      res.end(pb);
    } else json(res, 200, openApiV2Json(ctx.cluster));
  } else if (pathname === '/openapi/v3') json(res, 200, openApiV3Index(ctx.cluster));
  else if (pathname.startsWith('/openapi/v3/')) {
    const doc = openApiV3Document(ctx.cluster, pathname.slice('/openapi/v3/'.length));
    if (doc) json(res, 200, doc);
    else json(res, 404, notFoundStatus().toStatus());
  } else return false;
  return true;
}

/** Discovery and health endpoints; false when the path is not one of them. */
function serveFixed(ctx: HttpContext, pathname: string, accept: string, res: ServerResponse): boolean {
  const segs = pathname.split('/').filter((s) => s !== '');
  const aggregated = pathname === '/api' || pathname === '/apis' ? aggregatedVersion(accept) : undefined;
  if (aggregated !== undefined) {
    json(res, 200, aggregatedDiscovery(ctx.cluster, pathname === '/api', aggregated), [], `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`);
  } else if (pathname === '/version') json(res, 200, versionInfo());
  else if (['/healthz', '/livez', '/readyz'].includes(pathname)) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
  } else if (pathname === '/api') json(res, 200, coreVersions(ctx.address()));
  else if (pathname === '/apis') json(res, 200, groupList(ctx.cluster));
  else if (segs[0] === 'api' && segs.length === 2) json(res, 200, resourceList(ctx.cluster, '', segs[1] ?? '') ?? notFoundStatus().toStatus());
  else if (segs[0] === 'apis' && segs.length === 2) {
    const g = groupInfo(ctx.cluster, segs[1] ?? '');
    if (g) json(res, 200, g);
    else json(res, 404, notFoundStatus().toStatus());
  } else if (segs[0] === 'apis' && segs.length === 3) {
    const l = resourceList(ctx.cluster, segs[1] ?? '', segs[2] ?? '');
    if (l) json(res, 200, l);
    else json(res, 404, notFoundStatus().toStatus());
  } else return false;
  return true;
}

/** GETs under /apis/<group>/<version> of a group the fake does not serve itself go to its APIService, if any. */
async function serveAggregated(ctx: HttpContext, pathname: string, pathAndQuery: string, res: ServerResponse, req: IncomingMessage): Promise<boolean> {
  const [root, group, version] = pathname.split('/').filter((s) => s !== '');
  if (root !== 'apis' || group === undefined || version === undefined || ctx.cluster.registry.all().some((t) => t.group === group)) return false;
  const proxied = await proxyToApiService(ctx.cluster, ctx.aggregation ?? {}, group, version, pathAndQuery, requestIdentity(req.headersDistinct));
  if (proxied === undefined) return false;
  res.writeHead(proxied.status, { 'Content-Type': proxied.contentType, 'Content-Length': Buffer.byteLength(proxied.body) });
  res.end(proxied.body);
  return true;
}

/** Reads the whole request body as text. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Handles one HTTP request. */
export async function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = req.method ?? 'GET';
  try {
    const body = await readBody(req);
    if (method === 'GET' && (await serveAggregated(ctx, url.pathname, req.url ?? '/', res, req))) return;
    if (method === 'GET' && (serveFixed(ctx, url.pathname, req.headers.accept ?? '', res) || serveOpenApi(ctx, url.pathname, req.headers.accept ?? '', res))) return;
    const path = parseResourcePath(url.pathname);
    if (path === undefined) throw notFoundStatus();
    const type = ctx.cluster.registry.lookup(path.group, path.version, path.resource);
    if (type === undefined) throw notFoundStatus();
    const review = reviewReply(ctx.cluster, type, method, path, body);
    if (review !== undefined) {
      json(res, review.status, review.body);
      return;
    }
    if (method === 'GET' && (path.watchPrefix || url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')) {
      serveWatch(ctx.cluster, type, path, url.searchParams, res, ctx.watch, ctx.trackWatch, req.headers.accept ?? '');
      return;
    }
    const resourceRequest = { method, path, query: url.searchParams, body, contentType: req.headers['content-type'] ?? '', userAgent: req.headers['user-agent'] ?? '', accept: req.headers.accept ?? '' };
    // Writes over HTTP pass the validating admission webhooks first (admission.ts); in-process setup does not.
    const reply = await withValidatingWebhooks(ctx.cluster, type, resourceRequest, requestIdentity(req.headersDistinct), (r) => handleResource(ctx.cluster, type, r));
    json(res, reply.status, reply.body, reply.warnings);
  } catch (err) {
    if (res.headersSent) {
      res.end();
      return;
    }
    const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
    json(res, apiErr.code, apiErr.toStatus(), warningsOf(err));
  }
}
