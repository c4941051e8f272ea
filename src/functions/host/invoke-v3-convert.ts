// Value conversions of the v3 programming model (@azure/functions 3.x): RPC typed data → the JS values
// a v3 handler sees, and handler values → typed data. v3 differs from v4 in small ways users rely on:
// `string` is JSON-parsed when it is valid JSON, metadata keys are camel-cased recursively.

import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from '../../app/rpc.js';

/** A typed value as a v3 handler receives it (HTTP is handled by the caller, it becomes `req`). */
export function fromTypedDataV3(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  const text = data.string ?? data.json;
  if (text !== undefined && text !== null) return parseJsonOr(text);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (data.int !== undefined && data.int !== null) return data.int;
  if (data.double !== undefined && data.double !== null) return data.double;
  if (data.collectionBytes?.bytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (data.collectionString?.string) return [...data.collectionString.string];
  if (data.collectionDouble?.double) return [...data.collectionDouble.double];
  if (data.collectionSint64?.sint64) return [...data.collectionSint64.sint64];
  return undefined;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Lower-cases the first letter of every key, recursively (`DequeueCount` → `dequeueCount`), as v3 does for bindingData. */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key.charAt(0).toLowerCase() + key.slice(1)] = camelCaseKeys(inner);
  }
  return out;
}

/** Trigger metadata (PascalCase typed data) → `context.bindingData` entries. */
export function bindingDataFromMetadata(metadata: Readonly<Record<string, RpcTypedData>> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, data] of Object.entries(metadata ?? {})) {
    out[key.charAt(0).toLowerCase() + key.slice(1)] = camelCaseKeys(fromTypedDataV3(data));
  }
  return out;
}

/** A handler value → typed data: string, bytes, int/double, else JSON. */
export function toTypedDataV3(value: unknown): RpcTypedData {
  if (typeof value === 'string') return { string: value };
  if (Buffer.isBuffer(value)) return { bytes: new Uint8Array(value) };
  if (ArrayBuffer.isView(value)) return { bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
  if (value instanceof ArrayBuffer) return { bytes: new Uint8Array(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: value } : { double: value };
  if (value === undefined) return {};
  return { json: JSON.stringify(value) };
}

/** The HTTP output shape of v3 (`{status|statusCode, headers, cookies, body, enableContentNegotiation}`) → `{http}`. */
export function toRpcHttpV3(value: unknown): RpcTypedData {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object') {
    throw new Error('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  const res = value as Record<string, unknown>;
  const status = res.statusCode ?? (typeof res.status === 'function' ? undefined : res.status);
  const http: RpcHttpData = {
    statusCode: status === undefined || status === null || status === '' ? null : asText(status),
    headers: stringHeaders(res.headers),
    cookies: Array.isArray(res.cookies) ? res.cookies.map((c) => toRpcCookie(c as Record<string, unknown>)) : [],
    body: toTypedDataV3(res.body),
  };
  if (typeof res.enableContentNegotiation === 'boolean') http.enableContentNegotiation = res.enableContentNegotiation;
  return { http };
}

/** A scalar as text the way .NET's ToString would print it; objects as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  const json = JSON.stringify(value) as string | undefined; // undefined for functions and symbols
  return json ?? '';
}

function stringHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === null || typeof headers !== 'object') return out;
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null) out[key] = asText(value);
  }
  return out;
}

function toRpcCookie(cookie: Record<string, unknown>): RpcHttpCookie {
  const out: RpcHttpCookie = { name: asText(cookie.name ?? ''), value: asText(cookie.value ?? '') };
  if (typeof cookie.domain === 'string') out.domain = { value: cookie.domain };
  if (typeof cookie.path === 'string') out.path = { value: cookie.path };
  if (cookie.expires instanceof Date || typeof cookie.expires === 'number') {
    const ms = cookie.expires instanceof Date ? cookie.expires.getTime() : cookie.expires;
    out.expires = { value: { seconds: Math.floor(ms / 1000) } };
  }
  if (typeof cookie.secure === 'boolean') out.secure = { value: cookie.secure };
  if (typeof cookie.httpOnly === 'boolean') out.httpOnly = { value: cookie.httpOnly };
  if (typeof cookie.maxAge === 'number') out.maxAge = { value: cookie.maxAge };
  const sameSite = typeof cookie.sameSite === 'string' ? cookie.sameSite.toLowerCase() : undefined;
  if (sameSite === 'strict' || sameSite === 'lax') out.sameSite = sameSite;
  else if (sameSite === 'none') out.sameSite = 'explicitNone';
  return out;
}
