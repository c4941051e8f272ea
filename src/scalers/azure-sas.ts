// Service Bus / Event Hubs connection strings and the SAS tokens signed from them. Both services share
// one format: `Endpoint=sb://<namespace FQDN>/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…]`
// (or a ready `SharedAccessSignature=…`), and one token: HMAC-SHA256 over the URL-encoded, lower-cased
// resource URI, a newline and the expiry in epoch seconds — signed with the key's UTF-8 bytes, as
// the Azure SDKs do.
//
// Where the namespace is reached: `sb://host` means the real service (HTTPS for the management API,
// AMQPS on 5671), unless the string carries `UseDevelopmentEmulator=true` (the Azure emulators'
// convention), which means plain HTTP / AMQP on the same host (AMQP port 5672 unless the Endpoint
// names one). An Endpoint written as http(s):// or amqp(s):// is honoured as written. Tests point a
// connection string at a local fake this way; nothing else changes.

import { createHmac } from 'node:crypto';

/** A parsed Service Bus / Event Hubs connection string; `key` and `signature` are secrets. */
export interface SbConnection {
  /** Namespace host as written in Endpoint, with a port when one is given (`ns.servicebus.windows.net`). */
  readonly host: string;
  /** Namespace host without the port: the Functions checkpoint layout and token audiences use it. */
  readonly hostname: string;
  readonly port: number | undefined;
  /** Plain transport (emulator or an http:// / amqp:// Endpoint). */
  readonly insecure: boolean;
  readonly keyName?: string;
  readonly key?: string;
  /** A pre-signed `SharedAccessSignature sr=…` token, used as is. */
  readonly signature?: string;
  readonly entityPath?: string;
}

const SCHEMES = new Set(['sb:', 'http:', 'https:', 'amqp:', 'amqps:']);
const INSECURE_SCHEMES = new Set(['http:', 'amqp:']);

function fields(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    found.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return found;
}

/** Parses a Service Bus / Event Hubs connection string; errors never quote the string (it holds the key). */
export function parseSbConnectionString(text: string): { readonly value: SbConnection } | { readonly error: string } {
  const f = fields(text);
  const endpoint = f.get('endpoint');
  if (endpoint === undefined || endpoint === '') return { error: 'the connection string has no Endpoint' };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { error: 'the connection string\'s Endpoint is not a URL (expected sb://<namespace>.servicebus.windows.net/)' };
  }
  if (!SCHEMES.has(url.protocol) || url.hostname === '') return { error: `the connection string's Endpoint scheme ${url.protocol} is not sb://` };
  const keyName = f.get('sharedaccesskeyname');
  const key = f.get('sharedaccesskey');
  const signature = f.get('sharedaccesssignature');
  if (signature === undefined && (keyName === undefined || key === undefined || keyName === '' || key === '')) {
    return { error: 'the connection string needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature)' };
  }
  const entityPath = f.get('entitypath');
  const emulator = f.get('usedevelopmentemulator')?.toLowerCase() === 'true';
  return {
    value: {
      host: url.host,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      insecure: emulator || INSECURE_SCHEMES.has(url.protocol),
      ...(keyName !== undefined && key !== undefined ? { keyName, key } : {}),
      ...(signature !== undefined ? { signature } : {}),
      ...(entityPath !== undefined && entityPath !== '' ? { entityPath } : {}),
    },
  };
}

/** Base URL of the namespace's management (ATOM) API: `https://<ns>/`, or `http://` for an emulator/fake. */
export function managementBaseUrl(conn: SbConnection): string {
  return `${conn.insecure ? 'http' : 'https'}://${conn.host}/`;
}

/** Go's url.QueryEscape, which the SDKs use for the audience and signature (space → +). */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Signs a SAS token for `resource` valid until `expiresAt` (epoch seconds). */
export function signSas(resource: string, keyName: string, key: string, expiresAt: number): string {
  const audience = queryEscape(resource).toLowerCase();
  const expiry = String(Math.floor(expiresAt));
  const signature = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${audience}\n${expiry}`, 'utf8').digest('base64');
  return `SharedAccessSignature sr=${audience}&sig=${queryEscape(signature)}&se=${expiry}&skn=${keyName}`;
}

/** SAS tokens live an hour: long enough for any poll, short enough to limit a leaked header. */
export const SAS_LIFETIME_SECONDS = 3600;

/** The token for `resource` at time `now` (epoch ms): signed from the key, or the connection's pre-signed one. */
export function sasTokenFor(conn: SbConnection, resource: string, now: number): string {
  if (conn.keyName !== undefined && conn.key !== undefined) return signSas(resource, conn.keyName, conn.key, now / 1000 + SAS_LIFETIME_SECONDS);
  if (conn.signature !== undefined) return conn.signature;
  throw new Error('the connection string has no key to sign with');
}
