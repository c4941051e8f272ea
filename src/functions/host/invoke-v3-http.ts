// `context.req` and `context.res` of the v3 model: plain objects with the helper methods v3 apps call
// (`req.get`, `req.parseFormBody`, `res.status().json()`, `res.send`, …). `res.end` completes the
// invocation like `context.done()` does, which is how callback-style HTTP functions finish.

import type { RpcHttpData, RpcNullableString } from '../../app/rpc.js';

/** One part of a parsed form body. */
export interface V3FormPart {
  value: Buffer;
  fileName?: string;
  contentType?: string;
}

/** What `req.parseFormBody()` returns. */
export interface V3Form {
  get(name: string): V3FormPart | null;
  getAll(name: string): V3FormPart[];
  has(name: string): boolean;
  readonly length: number;
  [Symbol.iterator](): Iterator<[string, V3FormPart]>;
}

/** `context.req`. */
export interface V3Request {
  method: string | null;
  url: string;
  originalUrl: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  body?: unknown;
  rawBody?: unknown;
  bufferBody?: Buffer;
  get(field: string): string | undefined;
  parseFormBody(): V3Form;
}

function fromNullable(nullable: Record<string, RpcNullableString> | null | undefined, plain: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (nullable) {
    for (const [key, v] of Object.entries(nullable)) if (typeof v.value === 'string') out[key] = v.value;
    return out;
  }
  return { ...(plain ?? {}) };
}

/** Builds `context.req` from the RPC HTTP data (body bytes → JSON/string, or a Buffer for binary content types). */
export function createV3Request(http: RpcHttpData): V3Request {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(fromNullable(http.nullableHeaders, http.headers))) headers[key.toLowerCase()] = value;
  const req: V3Request = {
    method: http.method ?? null,
    url: http.url ?? '',
    originalUrl: http.url ?? '',
    headers,
    query: fromNullable(http.nullableQuery, http.query),
    params: fromNullable(http.nullableParams, http.params),
    get: (field) => headers[field.toLowerCase()],
    parseFormBody: () => parseForm(req.bufferBody ?? Buffer.alloc(0), headers['content-type'] ?? ''),
  };
  const bytes = http.body?.bytes ?? http.body?.stream;
  const text = http.body?.string ?? http.body?.json;
  if (bytes) {
    req.bufferBody = Buffer.from(bytes);
    const type = (headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('application/octet-stream') || type.startsWith('multipart/')) {
      req.body = req.bufferBody;
      req.rawBody = req.bufferBody.toString('binary');
    } else {
      const raw = req.bufferBody.toString('utf8');
      req.rawBody = raw;
      req.body = parseJsonOr(raw);
    }
  } else if (typeof text === 'string') {
    req.bufferBody = Buffer.from(text, 'utf8');
    req.rawBody = text;
    req.body = parseJsonOr(text);
  }
  return req;
}

function parseJsonOr(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseForm(body: Buffer, contentType: string): V3Form {
  const entries: [string, V3FormPart][] = [];
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (contentType.toLowerCase().startsWith('multipart/') && boundary) {
    entries.push(...parseMultipart(body, (boundary[1] ?? boundary[2] ?? '').trim()));
  } else if (contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) entries.push([name, { value: Buffer.from(value, 'utf8') }]);
  } else {
    throw new Error(`Media type "${contentType}" does not match types supported for form parsing: "application/x-www-form-urlencoded", "multipart/form-data".`);
  }
  return {
    get: (name) => entries.find(([n]) => n === name)?.[1] ?? null,
    getAll: (name) => entries.filter(([n]) => n === name).map(([, p]) => p),
    has: (name) => entries.some(([n]) => n === name),
    length: entries.length,
    [Symbol.iterator]: () => entries[Symbol.iterator](),
  };
}

function parseMultipart(body: Buffer, boundary: string): [string, V3FormPart][] {
  const out: [string, V3FormPart][] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // strip the CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const fileName = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      const formPart: V3FormPart = { value: Buffer.from(part.subarray(headerEnd + 4)) };
      if (fileName !== undefined) formPart.fileName = fileName;
      if (type !== undefined) formPart.contentType = type.trim();
      if (name !== undefined) out.push([name, formPart]);
    }
    start = next;
  }
  return out;
}

/** `context.res`: chainable helpers over `{statusCode, headers, cookies, body}`. */
export interface V3Response {
  statusCode?: string | number;
  headers: Record<string, unknown>;
  cookies: unknown[];
  body?: unknown;
  enableContentNegotiation?: boolean;
  status(code: string | number): V3Response;
  end(body?: unknown): V3Response;
  send(body?: unknown): V3Response;
  json(body: unknown): void;
  sendStatus(code: string | number): V3Response;
  type(type: string): V3Response;
  setHeader(field: string, value: unknown): V3Response;
  header(field: string, value: unknown): V3Response;
  set(field: string, value: unknown): V3Response;
  getHeader(field: string): unknown;
  get(field: string): unknown;
  removeHeader(field: string): V3Response;
}

const mediaTypes: Readonly<Record<string, string>> = { json: 'application/json', octet: 'application/octet-stream', text: 'text/plain' };

/** Builds `context.res`; `done` completes the invocation (called by `end`/`send`/`sendStatus`/`json`). */
export function createV3Response(done: () => void): V3Response {
  const res: V3Response = {
    headers: {},
    cookies: [],
    status(code) {
      res.statusCode = code;
      return res;
    },
    end(body) {
      if (body !== undefined) res.body = body;
      if (res.body !== undefined && res.getHeader('content-type') === undefined && Buffer.isBuffer(res.body)) res.type('octet');
      done();
      return res;
    },
    send: (body) => res.end(body),
    json(body) {
      res.type('json');
      res.send(body);
    },
    sendStatus: (code) => res.status(code).end(),
    type: (type) => res.setHeader('content-type', mediaTypes[type] ?? type),
    setHeader(field, value) {
      res.headers[field.toLowerCase()] = value;
      return res;
    },
    header: (field, value) => res.setHeader(field, value),
    set: (field, value) => res.setHeader(field, value),
    getHeader: (field) => res.headers[field.toLowerCase()],
    get: (field) => res.getHeader(field),
    removeHeader(field) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- headers is a user-facing bag keyed by name
      delete res.headers[field.toLowerCase()];
      return res;
    },
  };
  return res;
}
