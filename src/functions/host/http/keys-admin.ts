// The admin keys API of the Functions host (KeysController): list, read, set (PUT {name, value}),
// regenerate (POST) and delete keys of a function, host function keys, system keys and the master
// key (`_master`: read and regenerate only). Writes go to the key store, so on Kubernetes they land in
// the keys Secret that every replica reads.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionDefinition } from '../../../app/function-model.js';
import type { KeySet } from './keys.js';
import { newKeyValue } from './keys-kubernetes.js';
import type { KeyStore } from './keys-store.js';

/** Which group of keys a URL names, and how its keys are stored. */
interface KeyScope {
  readonly list: (keys: KeySet) => ReadonlyMap<string, string>;
  readonly stored: (key: string) => string;
  /** `/admin/functions/<fn>/keys` or `/admin/host/keys`, for links. */
  readonly href: string;
}

export interface KeysAdminRequest {
  readonly store: KeyStore;
  readonly functions: readonly FunctionDefinition[];
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly method: string;
  readonly readBody: () => Promise<Buffer>;
}

const KEY_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const MASTER = '_master';

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, body === undefined ? { 'content-length': '0' } : { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function scopeOf(path: string, functions: readonly FunctionDefinition[], origin: string): { scope: KeyScope; key?: string } | 'no-function' | undefined {
  const fnMatch = /^\/admin\/functions\/([^/]+)\/keys(?:\/([^/]+))?\/?$/i.exec(path);
  if (fnMatch?.[1] !== undefined) {
    const wanted = decodeURIComponent(fnMatch[1]).toLowerCase();
    const fn = functions.find((f) => f.name.toLowerCase() === wanted);
    if (!fn) return 'no-function';
    const lower = fn.name.toLowerCase();
    const scope = { list: (k: KeySet) => k.functions.get(lower) ?? new Map<string, string>(), stored: (key: string) => `functions.${lower}.${key}`, href: `${origin}/admin/functions/${fn.name}/keys` };
    return fnMatch[2] !== undefined ? { scope, key: decodeURIComponent(fnMatch[2]) } : { scope };
  }
  const hostMatch = /^\/admin\/host\/(keys|functionkeys|systemkeys)(?:\/([^/]+))?\/?$/i.exec(path);
  if (hostMatch?.[1] === undefined) return undefined;
  const system = hostMatch[1].toLowerCase() === 'systemkeys';
  const scope: KeyScope = system
    ? { list: (k) => k.system, stored: (key) => `host.systemKey.${key}`, href: `${origin}/admin/host/systemkeys` }
    : { list: (k) => k.hostFunction, stored: (key) => `host.function.${key}`, href: `${origin}/admin/host/keys` };
  return hostMatch[2] !== undefined ? { scope, key: decodeURIComponent(hostMatch[2]) } : { scope };
}

/** Handles the keys routes; false when the path is not one of them. */
export async function keysAdmin(r: KeysAdminRequest): Promise<boolean> {
  const found = scopeOf(r.url.pathname.replace(/\/+$/, ''), r.functions, r.url.origin);
  if (found === undefined) return false;
  if (found === 'no-function') {
    send(r.res, 404);
    return true;
  }
  const { scope, key } = found;
  const keys = r.store.current();
  if (key === undefined) {
    if (r.method !== 'GET') send(r.res, 405);
    else send(r.res, 200, { keys: [...scope.list(keys)].map(([name, value]) => ({ name, value })), links: [{ rel: 'self', href: scope.href }] });
    return true;
  }
  const master = key === MASTER && scope.href.endsWith('/admin/host/keys');
  const value = master ? keys.master : scope.list(keys).get(key);
  const one = (name: string, v: string): Record<string, unknown> => ({ name, value: v, links: [{ rel: 'self', href: `${scope.href}/${name}` }] });
  if (r.method === 'GET') {
    if (value === undefined) send(r.res, 404);
    else send(r.res, 200, one(key, value));
    return true;
  }
  if (!['PUT', 'POST', 'DELETE'].includes(r.method)) {
    send(r.res, 405);
    return true;
  }
  if (!KEY_NAME.test(key)) {
    send(r.res, 400, { error: `key name "${key}": letters, digits, - and _ only (at most 128)` });
    return true;
  }
  if (master && r.method !== 'POST') {
    send(r.res, 400, { error: 'the master key can only be regenerated (POST /admin/host/keys/_master)' });
    return true;
  }
  if (!r.store.writable || !r.store.set || !r.store.delete) {
    send(r.res, 409, { error: `function keys are read-only here (${r.store.description}); to manage them through the admin API, set AzureWebJobsSecretStorageType=kubernetes and AzureWebJobsKubernetesSecretName` });
    return true;
  }
  await writeKey(r, { scope, key, master, store: r.store as Required<KeyStore>, one });
  return true;
}

interface Write {
  readonly scope: KeyScope;
  readonly key: string;
  readonly master: boolean;
  readonly store: Required<KeyStore>;
  readonly one: (name: string, value: string) => Record<string, unknown>;
}

async function writeKey(r: KeysAdminRequest, w: Write): Promise<void> {
  const stored = w.master ? 'host.master' : w.scope.stored(w.key);
  if (r.method === 'DELETE') {
    send(r.res, (await w.store.delete(stored)) ? 204 : 404);
    return;
  }
  let value = newKeyValue();
  if (r.method === 'PUT') {
    const given = parseKeyBody(await r.readBody());
    if (given === undefined) {
      send(r.res, 400, { error: 'the body must be JSON like {"name": "<key name>", "value": "<key value>"} with a non-empty value' });
      return;
    }
    value = given;
  }
  const outcome = await w.store.set(stored, value);
  send(r.res, outcome === 'created' ? 201 : 200, w.one(w.key, value));
}

/** `{"value": "..."}` (name optional, as the URL names the key) → the value; undefined when invalid. */
function parseKeyBody(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const value = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>).value : undefined;
    return typeof value === 'string' && value.trim() !== '' && !/\s/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
