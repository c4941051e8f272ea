// The host's HTTP surface (node:http): homepage, admin API, /metrics and HTTP-triggered functions
// under /<routePrefix>/<route>. It talks to the host only through HostControl, so `tide start`
// (key checks off unless --enableAuth) and `tide host` (key checks on) share it.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionDefinition } from '../../../app/function-model.js';
import type { HostLogger } from '../contract.js';
import { functionMetadata, functionRoute, hostStatus, isHttpFunction, routePrefixOf } from './admin.js';
import type { HostControl } from './host-control.js';
import { authLevelOf, authorize, isMasterKey, keySetFrom, type AuthLevel, type KeySet } from './keys.js';
import { keysAdmin } from './keys-admin.js';
import type { KeyStore } from './keys-store.js';
import { httpResponseOf, httpTriggerEvent, writeHttpResponse } from './messages.js';
import { METRICS_CONTENT_TYPE, type MetricsRegistry } from './metrics.js';
import { compileRoute, lookupRoute, sortRoutes, type RouteEntry } from './routing.js';

export interface HttpServerOptions {
  readonly host: HostControl;
  readonly log: HostLogger;
  /** host.json after overrides: `extensions.http.routePrefix`, `extensionBundle`. */
  readonly hostJson?: Readonly<Record<string, unknown>>;
  /** App settings (`AzureWebJobsDisableHomepage`). */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  /** Key checks on (`tide host`, `tide start --enableAuth`) or off. */
  readonly authEnabled: boolean;
  /** The keys, or a function returning the current keys (to pick up a remounted Secret). */
  readonly keys?: KeySet | (() => KeySet);
  /** Where the admin keys API reads and writes keys (`keys` is then this store's current keys). */
  readonly keyStore?: KeyStore;
  readonly metrics?: MetricsRegistry;
  readonly instanceId?: string;
  readonly hostId?: string;
  readonly version?: string;
  /** Requests with a larger body get 413 (default 100 MB, the Functions host's limit). */
  readonly maxBodyBytes?: number;
  /** `--cors` origins (`*` allowed) and `--cors-credentials`. */
  readonly cors?: { readonly origins: readonly string[]; readonly credentials?: boolean };
  readonly now?: () => number;
}

interface Target {
  readonly fn: FunctionDefinition;
  readonly authLevel: AuthLevel;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
const empty = (res: ServerResponse, status: number, headers: Record<string, string> = {}): void => {
  res.writeHead(status, status === 204 ? headers : { ...headers, 'content-length': '0' });
  res.end();
};

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** `extensions.http.customHeaders` of host.json as name/value pairs. */
function customHeadersOf(hostJson: Readonly<Record<string, unknown>> | undefined): [string, string][] {
  const extensions = hostJson?.extensions;
  const http = typeof extensions === 'object' && extensions !== null ? (extensions as Record<string, unknown>).http : undefined;
  const headers = typeof http === 'object' && http !== null ? (http as Record<string, unknown>).customHeaders : undefined;
  if (typeof headers !== 'object' || headers === null) return [];
  return Object.entries(headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : []));
}

/** Builds the request handler (exported for tests and for callers that own the server). */
export function createHttpHandler(options: HttpServerOptions): Handler {
  const now = options.now ?? Date.now;
  const prefix = routePrefixOf(options.hostJson);
  const startedAt = now();
  const info = {
    hostId: options.hostId ?? 'tide',
    instanceId: options.instanceId ?? randomUUID(),
    version: options.version ?? '4.0.0',
    startedAt,
    hostJson: options.hostJson,
  };
  const currentKeys = (): KeySet => (options.keyStore ? options.keyStore.current() : typeof options.keys === 'function' ? options.keys() : (options.keys ?? keySetFrom([])));
  const routes = routeTable(options, prefix);
  const keyOf = (req: IncomingMessage, url: URL): string | undefined => {
    const header = req.headers['x-functions-key'];
    return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
  };
  const isAdmin = (req: IncomingMessage, url: URL): boolean => !options.authEnabled || isMasterKey(currentKeys(), keyOf(req, url));

  const customHeaders = customHeadersOf(options.hostJson);
  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    // host.json extensions.http.customHeaders go on every response, as the Functions host adds them.
    for (const [name, value] of customHeaders) res.setHeader(name, value);
    applyCors(options, req, res);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS' && options.cors && req.headers['access-control-request-method']) {
      empty(res, 204);
      return;
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const lower = path.toLowerCase();
    if (lower === '/' && (method === 'GET' || method === 'HEAD')) {
      homepage(res, options.settings, method === 'HEAD');
      return;
    }
    if (lower === '/metrics' && method === 'GET' && options.metrics) {
      const text = options.metrics.render();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (lower === '/admin' || lower.startsWith('/admin/')) {
      void adminRequest({ options, info, now, req, res, url, method, path: lower, authorized: isAdmin(req, url) }).catch((error: unknown) => {
        internalError(options.log, res, error, 'admin request');
      });
      return;
    }
    void functionRequest({ options, req, res, url, method, routes: routes(), key: keyOf(req, url), keys: currentKeys }).catch((error: unknown) => {
      internalError(options.log, res, error, 'HTTP function request');
    });
  };
}

function internalError(log: HostLogger, res: ServerResponse, error: unknown, what: string): void {
  log.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  if (!res.headersSent) empty(res, 500);
  else res.destroy();
}

function homepage(res: ServerResponse, settings: HttpServerOptions['settings'], headOnly: boolean): void {
  if ((settings?.AzureWebJobsDisableHomepage ?? '').toLowerCase() === 'true') {
    empty(res, 204);
    return;
  }
  const page = '<!DOCTYPE html><html><head><title>tide functions host</title></head><body><h1>Your Functions host is up and running</h1></body></html>';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
  res.end(headOnly ? undefined : page);
}

function applyCors(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  const cors = options.cors;
  if (!cors || origin === undefined) return;
  const any = cors.origins.includes('*');
  if (!any && !cors.origins.some((o) => o.toLowerCase() === origin.toLowerCase())) return;
  res.setHeader('access-control-allow-origin', any && !cors.credentials ? '*' : origin);
  if (cors.credentials) res.setHeader('access-control-allow-credentials', 'true');
  if (!any || cors.credentials) res.setHeader('vary', 'Origin');
  const requested = req.headers['access-control-request-method'];
  if (req.method === 'OPTIONS' && requested) {
    res.setHeader('access-control-allow-methods', requested);
    const headers = req.headers['access-control-request-headers'];
    if (headers) res.setHeader('access-control-allow-headers', headers);
  }
}

/** Route entries of the enabled HTTP functions, rebuilt when the host's function list changes. */
function routeTable(options: HttpServerOptions, prefix: string): () => RouteEntry<Target>[] {
  let seen: readonly FunctionDefinition[] | undefined;
  let table: RouteEntry<Target>[] = [];
  return () => {
    const fns = options.host.functions();
    if (fns === seen) return table;
    seen = fns;
    const entries: RouteEntry<Target>[] = [];
    for (const fn of fns) {
      if (!isHttpFunction(fn) || fn.disabled) continue;
      try {
        const methods = Array.isArray(fn.trigger.options.methods) ? fn.trigger.options.methods.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase()) : undefined;
        entries.push({ route: compileRoute(prefix, functionRoute(fn)), methods: methods && methods.length > 0 ? methods : undefined, target: { fn, authLevel: authLevelOf(fn.trigger.options.authLevel) } });
      } catch (error) {
        options.log.error(`Function '${fn.name}': ${error instanceof Error ? error.message : String(error)}; the function is not reachable over HTTP`, { function: fn.name });
      }
    }
    table = sortRoutes(entries);
    return table;
  };
}

interface FunctionRequest {
  options: HttpServerOptions;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  routes: readonly RouteEntry<Target>[];
  key: string | undefined;
  keys: () => KeySet;
}

async function functionRequest(r: FunctionRequest): Promise<void> {
  const found = lookupRoute(r.routes, r.method, r.url.pathname);
  if (found.kind === 'not-found') {
    empty(r.res, 404);
    return;
  }
  if (found.kind === 'method-not-allowed') {
    empty(r.res, 405, { allow: found.allow.join(', ') });
    return;
  }
  const { fn, authLevel } = found.entry.target;
  if (r.options.authEnabled && !authorize(r.keys(), authLevel, fn.name, r.key)) {
    empty(r.res, 401);
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(r.req, r.options.maxBodyBytes ?? 100 * 1024 * 1024);
  } catch (error) {
    if (error instanceof BodyTooLarge) empty(r.res, 413);
    else r.res.destroy();
    return;
  }
  const event = httpTriggerEvent({ method: r.method, url: r.url, headers: r.req.headers, body }, found.params);
  const outcome = await r.options.host.dispatchHttp(fn, event);
  if (outcome.status === 'failure') {
    r.options.log.error(`Function '${fn.name}' failed: ${outcome.error.message}`, { function: fn.name });
    empty(r.res, 500);
    return;
  }
  const http = httpResponseOf(fn, outcome.response);
  if (http) writeHttpResponse(r.res, http, r.method === 'HEAD');
  else empty(r.res, 204);
}

interface AdminRequest {
  options: HttpServerOptions;
  info: Parameters<typeof hostStatus>[1];
  now: () => number;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  path: string;
  authorized: boolean;
}

async function adminRequest(a: AdminRequest): Promise<void> {
  const { host, log } = a.options;
  if (a.path === '/admin/host/ping' && (a.method === 'GET' || a.method === 'POST')) {
    empty(a.res, 200);
    return;
  }
  if (!a.authorized) {
    empty(a.res, 401);
    return;
  }
  const route = `${a.method} ${a.path}`;
  switch (route) {
    case 'GET /admin/host/status':
      json(a.res, 200, hostStatus(host, a.info, a.now()));
      return;
    case 'POST /admin/host/drain':
      if (host.state() !== 'Running') {
        empty(a.res, 503);
        return;
      }
      host.drain().catch((error: unknown) => {
        log.error(`drain failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      empty(a.res, 202);
      return;
    case 'GET /admin/host/drain/status':
      json(a.res, 200, host.drainStatus());
      return;
    case 'POST /admin/host/resume':
      if (host.state() !== 'Running') {
        empty(a.res, 409);
        return;
      }
      await host.resume();
      json(a.res, 200, { state: host.state() });
      return;
    case 'GET /admin/functions':
      json(a.res, 200, host.functions().map((fn) => functionMetadata(fn, a.url.origin, routePrefixOf(a.options.hostJson))));
      return;
  }
  const store = a.options.keyStore;
  const readKeyBody = (): Promise<Buffer> => readBody(a.req, 64 * 1024);
  if (store && (await keysAdmin({ store, functions: host.functions(), req: a.req, res: a.res, url: a.url, method: a.method, readBody: readKeyBody }))) return;
  await functionAdmin(a);
}

async function functionAdmin(a: AdminRequest): Promise<void> {
  const m = /^\/admin\/functions\/([^/]+)(\/status)?$/.exec(a.path);
  const name = m?.[1] !== undefined ? decodeURIComponent(m[1]) : undefined;
  const fn = name === undefined ? undefined : a.options.host.functions().find((f) => f.name.toLowerCase() === name);
  if (!m || (a.method !== 'GET' && !(a.method === 'POST' && !m[2]))) {
    empty(a.res, m ? 405 : 404);
    return;
  }
  if (!fn) {
    empty(a.res, 404);
    return;
  }
  if (a.method === 'GET') {
    json(a.res, 200, m[2] ? {} : functionMetadata(fn, a.url.origin, routePrefixOf(a.options.hostJson)));
    return;
  }
  const input = parseInvokeBody(await readBody(a.req, a.options.maxBodyBytes ?? 100 * 1024 * 1024));
  if (input === undefined) {
    json(a.res, 400, { error: 'the body must be JSON like {"input": "<value>"}' });
    return;
  }
  a.options.host.invoke(fn, input).catch((error: unknown) => {
    a.options.log.error(`admin invocation of '${fn.name}' failed: ${error instanceof Error ? error.message : String(error)}`, { function: fn.name });
  });
  empty(a.res, 202);
}

/** `{"input": "..."}` → the input string (non-string inputs as JSON); undefined for a missing or invalid body. */
export function parseInvokeBody(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const input = (parsed as Record<string, unknown>).input;
  if (input === undefined || input === null) return '';
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** A listening server. */
export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  /** `http://<address>:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the server on `port` (0 = any free port) and `address` (default all interfaces). */
export async function startHttpServer(options: HttpServerOptions & { readonly port: number; readonly address?: string }): Promise<RunningHttpServer> {
  const server = createServer(createHttpHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // While closing, a keep-alive connection is closed as soon as its response is sent, so a drain does
  // not wait for clients to hang up.
  let closing = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = options.address === undefined || options.address === '0.0.0.0' || options.address === '::' ? 'localhost' : options.address;
  return {
    server,
    port,
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
