// Function keys and authorization levels. Keys use the names `func kubernetes deploy` writes into the
// keys Secret (`host.master`, `host.function.<k>`, `host.systemKey.<k>`, `functions.<fn>.<k>`), read
// from files in a directory (the Secret mounted at /run/secrets/functions-keys) and from app settings
// with the same names (envFrom of that Secret), settings winning. Checks are constant-time.

import { timingSafeEqual } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where keys are mounted by default (the `--mount-funckeys-as-containervolume` layout). */
export const DEFAULT_KEYS_DIRECTORY = '/run/secrets/functions-keys';

/** `authLevel` of an HTTP trigger (`function` when omitted, like the Functions host). */
export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** All keys by name: host master, host function keys, system keys, per-function keys (function name lower-case). */
export interface KeySet {
  readonly master?: string;
  readonly hostFunction: ReadonlyMap<string, string>;
  readonly system: ReadonlyMap<string, string>;
  readonly functions: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Sorts `name → value` pairs named like the keys Secret into a KeySet; other names are ignored. */
export function keySetFrom(entries: Iterable<readonly [string, string]>): KeySet {
  let master: string | undefined;
  const hostFunction = new Map<string, string>();
  const system = new Map<string, string>();
  const functions = new Map<string, Map<string, string>>();
  for (const [name, raw] of entries) {
    const value = raw.trim();
    if (value === '') continue;
    const lower = name.toLowerCase();
    if (lower === 'host.master') master = value;
    else if (lower.startsWith('host.function.')) hostFunction.set(name.slice('host.function.'.length), value);
    else if (lower.startsWith('host.systemkey.')) system.set(name.slice('host.systemKey.'.length), value);
    else if (lower.startsWith('functions.')) {
      const rest = name.slice('functions.'.length);
      const dot = rest.lastIndexOf('.');
      if (dot <= 0) continue;
      const fn = rest.slice(0, dot).toLowerCase();
      const keys = functions.get(fn) ?? new Map<string, string>();
      keys.set(rest.slice(dot + 1), value);
      functions.set(fn, keys);
    }
  }
  return { ...(master !== undefined ? { master } : {}), hostFunction, system, functions };
}

/** Reads a keys directory (one file per key, as a mounted Secret); a missing directory is an empty list. */
export async function readKeysDirectory(directory: string): Promise<[string, string][]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  const out: [string, string][] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue; // Kubernetes' ..data symlinks and timestamped folders
    try {
      out.push([name, await readFile(join(directory, name), 'utf8')]);
    } catch {
      // a sub-directory or an unreadable file is not a key
    }
  }
  return out;
}

/** Keys from the directory and the settings (settings win for the same name). */
export async function loadKeys(settings: Readonly<Record<string, string | undefined>>, directory: string = DEFAULT_KEYS_DIRECTORY): Promise<KeySet> {
  const fromSettings = Object.entries(settings).filter((e): e is [string, string] => e[1] !== undefined && /^(host|functions)\./i.test(e[0]));
  return keySetFrom([...(await readKeysDirectory(directory)), ...fromSettings]);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function anyMatches(values: Iterable<string>, key: string): boolean {
  let found = false;
  for (const v of values) if (same(v, key)) found = true; // no early exit: timing does not reveal which key
  return found;
}

/** True when the master key is set and `key` equals it. */
export function isMasterKey(keys: KeySet, key: string | undefined): boolean {
  return key !== undefined && keys.master !== undefined && same(keys.master, key);
}

/** Whether `key` opens a function at `level`: anonymous always; function: its keys, host function keys or master; admin: master only. */
export function authorize(keys: KeySet, level: AuthLevel, functionName: string, key: string | undefined): boolean {
  if (level === 'anonymous') return true;
  if (key === undefined || key === '') return false;
  if (isMasterKey(keys, key)) return true;
  if (level === 'admin') return false;
  const own = keys.functions.get(functionName.toLowerCase())?.values() ?? [];
  return anyMatches(keys.hostFunction.values(), key) || anyMatches(own, key);
}

/** The HTTP trigger's `authLevel` option (`function` when omitted or unknown-cased). */
export function authLevelOf(option: unknown): AuthLevel {
  const level = typeof option === 'string' ? option.toLowerCase() : 'function';
  return level === 'anonymous' || level === 'admin' ? level : 'function';
}
