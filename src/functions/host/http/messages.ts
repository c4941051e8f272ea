// HTTP request ↔ RPC shapes. A request becomes the `{http}` trigger value the Functions host sends
// (absolute URL, lower-case headers, body bytes, query, route params) plus PascalCase metadata; the
// function's http output (RpcHttpData) becomes the node response.

import type { ServerResponse } from 'node:http';
import type { FunctionDefinition } from '../../../app/function-model.js';
import type { RpcHttpCookie, RpcHttpData, RpcInvocationResponse, RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** The parts of an incoming request the conversion needs. */
export interface IncomingHttp {
  readonly method: string;
  /** Absolute URL, query included. */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

/** Lower-case header names; repeated headers joined with ", " (cookies with "; "). */
export function flatHeaders(headers: IncomingHttp['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out[key] = Array.isArray(value) ? value.join(key === 'cookie' ? '; ' : ', ') : value;
  }
  return out;
}

/** Query parameters; repeated names joined with "," as ASP.NET's StringValues prints them. */
export function queryRecord(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) out[key] = key in out ? `${out[key] ?? ''},${value}` : value;
  return out;
}

/** The trigger event of one HTTP request for a route match. */
export function httpTriggerEvent(request: IncomingHttp, params: Readonly<Record<string, string>>): TriggerEvent {
  const headers = flatHeaders(request.headers);
  const query = queryRecord(request.url);
  const http: RpcHttpData = { method: request.method.toUpperCase(), url: request.url.href, headers, query, params: { ...params } };
  // @azure/functions 4.x builds an undici Request from body bytes; an empty body on GET would make it throw.
  if (request.body.length > 0) http.body = { bytes: request.body };
  const metadata: Record<string, RpcTypedData> = {};
  for (const [name, value] of Object.entries(params)) metadata[name] = { string: value };
  metadata.Query = { json: JSON.stringify(query) };
  metadata.Headers = { json: JSON.stringify(headers) };
  return { value: { http }, metadata };
}

/** The function's HTTP response in an invocation response: its http output binding (`$return` → returnValue). */
export function httpResponseOf(fn: FunctionDefinition, response: RpcInvocationResponse | undefined): RpcHttpData | undefined {
  if (!response) return undefined;
  const out = fn.bindings.find((b) => b.direction !== 'in' && b.type.toLowerCase() === 'http');
  const name = out?.name ?? '$return';
  const named = name === '$return' ? response.returnValue : response.outputData?.find((o) => o.name === name)?.data;
  return named?.http ?? response.returnValue?.http ?? response.outputData?.find((o) => o.data?.http)?.data?.http ?? undefined;
}

/** Body bytes and the content type implied by the typed data (string → text, json → JSON, bytes → octets). */
export function bodyOf(data: RpcTypedData | null | undefined): { bytes: Buffer; type?: string } {
  if (!data) return { bytes: Buffer.alloc(0) };
  if (data.bytes) return { bytes: Buffer.from(data.bytes), type: 'application/octet-stream' };
  if (data.stream) return { bytes: Buffer.from(data.stream), type: 'application/octet-stream' };
  if (typeof data.string === 'string') return { bytes: Buffer.from(data.string, 'utf8'), type: 'text/plain; charset=utf-8' };
  if (typeof data.json === 'string') return { bytes: Buffer.from(data.json, 'utf8'), type: 'application/json; charset=utf-8' };
  const n = data.int ?? data.double;
  if (typeof n === 'number') return { bytes: Buffer.from(String(n), 'utf8'), type: 'text/plain; charset=utf-8' };
  return { bytes: Buffer.alloc(0) };
}

/** One `Set-Cookie` value. */
export function setCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

/** Writes a function's http output to the node response (status "200" when unset). */
export function writeHttpResponse(res: ServerResponse, http: RpcHttpData, headOnly = false): void {
  const parsed = Number.parseInt(http.statusCode ?? '', 10);
  const status = Number.isInteger(parsed) && parsed >= 100 && parsed <= 999 ? parsed : 200;
  const body = bodyOf(http.body);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(http.nullableHeaders ?? {})) if (typeof value.value === 'string') headers[name.toLowerCase()] = value.value;
  if (body.bytes.length > 0 && body.type !== undefined && headers['content-type'] === undefined) headers['content-type'] = body.type;
  const cookies = (http.cookies ?? []).map(setCookie);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (status !== 204 && status !== 304) headers['content-length'] = String(body.bytes.length);
  res.writeHead(status, headers);
  res.end(headOnly || status === 204 || status === 304 ? undefined : body.bytes);
}
