// Function keys kept in a Kubernetes Secret (or ConfigMap) through the API server, as the Functions host
// does with AzureWebJobsSecretStorageType=kubernetes and AzureWebJobsKubernetesSecretName
// (`secrets/<name>`, a bare name, or `configmaps/<name>`). At start the keys the app needs are created
// when missing (the object too); keys already there are kept, so replicas and restarts share them.
// Writes are JSON patches guarded by a `test` of the resourceVersion: two replicas adding keys at once
// do not overwrite each other's values, the loser re-reads and takes what the winner wrote.

import { randomBytes } from 'node:crypto';
import type { HostLogger } from '../contract.js';
import { keySetFrom, type KeySet } from './keys.js';
import { InClusterClient, KeyStoreError, statusMessage, type KubeReply } from './keys-kubernetes-client.js';
import type { KeyStore } from './keys-store.js';

/** A fresh key: 40 random bytes, URL-safe base64 (usable in `?code=` unescaped), like `tide kubernetes deploy` writes. */
export const newKeyValue = (): string => randomBytes(40).toString('base64url');

/** The object named by AzureWebJobsKubernetesSecretName. */
export interface KeysObjectName {
  readonly resource: 'secrets' | 'configmaps';
  readonly name: string;
}

/** Parses `secrets/<n>`, `configmaps/<n>` or a bare name (a Secret). */
export function parseKeysObjectName(text: string): KeysObjectName {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const prefix = slash < 0 ? 'secrets' : trimmed.slice(0, slash).toLowerCase();
  const name = slash < 0 ? trimmed : trimmed.slice(slash + 1);
  if (prefix !== 'secrets' && prefix !== 'configmaps') throw new KeyStoreError(`AzureWebJobsKubernetesSecretName "${text}": the prefix must be secrets/ or configmaps/`);
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) throw new KeyStoreError(`AzureWebJobsKubernetesSecretName "${text}": "${name}" is not a valid object name (lower-case letters, digits, - and .)`);
  return { resource: prefix, name };
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
const ATTEMPTS = 8;

export interface KubernetesKeyStoreOptions {
  readonly client: InClusterClient;
  readonly object: KeysObjectName;
  /** Key names created at start when missing. */
  readonly required: readonly string[];
  readonly log: HostLogger;
  readonly generate?: () => string;
  /** Re-read the object this often (keys rotated with kubectl or by another replica); 0 = never. */
  readonly refreshMs?: number;
}

type Change = (values: ReadonlyMap<string, string>) => Map<string, string | undefined> | undefined;

export class KubernetesKeyStore implements KeyStore {
  readonly writable = true;
  readonly description: string;
  private values = new Map<string, string>();
  private keys: KeySet = keySetFrom([]);
  private resourceVersion: string | undefined;
  private exists = false;
  private readonly secret: boolean;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: KubernetesKeyStoreOptions) {
    this.secret = options.object.resource === 'secrets';
    this.description = `${this.secret ? 'secret' : 'configmap'} ${options.client.config.namespace}/${options.object.name}`;
  }

  /** Reads the object and adds the required keys that are missing (creating the object when absent). */
  static async open(options: KubernetesKeyStoreOptions): Promise<KubernetesKeyStore> {
    const store = new KubernetesKeyStore(options);
    const generate = options.generate ?? newKeyValue;
    await store.refresh();
    const added = await store.change((values) => {
      const missing = options.required.filter((k) => !values.has(k));
      return missing.length === 0 ? undefined : new Map(missing.map((k) => [k, generate()]));
    });
    if (added) options.log.info(`function keys: added ${[...added.keys()].join(', ')} to ${store.description}`);
    if ((options.refreshMs ?? 0) > 0) {
      store.timer = setInterval(() => {
        store.refresh().catch((error: unknown) => {
          options.log.warn(`function keys: cannot re-read ${store.description}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }, options.refreshMs);
      store.timer.unref(); // never what keeps the process alive
    }
    return store;
  }

  current(): KeySet {
    return this.keys;
  }

  /** Re-reads the object (keys rotated with kubectl or by another replica). */
  async refresh(): Promise<void> {
    const reply = await this.options.client.request('GET', this.path(true));
    if (reply.status === 404) {
      this.exists = false;
      this.resourceVersion = undefined;
      this.remember(new Map());
      return;
    }
    this.check(reply, 'read');
    this.take(reply);
  }

  async set(name: string, value: string): Promise<'created' | 'updated'> {
    const existed = this.values.has(name);
    await this.change(() => new Map([[name, value]]));
    return existed ? 'updated' : 'created';
  }

  async delete(name: string): Promise<boolean> {
    const removed = await this.change((values) => (values.has(name) ? new Map([[name, undefined]]) : undefined));
    return removed !== undefined;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private path(withName: boolean): string {
    const base = `/api/v1/namespaces/${encodeURIComponent(this.options.client.config.namespace)}/${this.options.object.resource}`;
    return withName ? `${base}/${this.options.object.name}` : base;
  }

  /** Applies `change` to the current values with create or a guarded patch, re-reading on conflicts; undefined when nothing had to change. */
  private async change(change: Change): Promise<Map<string, string | undefined> | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const delta = change(this.values);
      if (delta === undefined || delta.size === 0) return undefined;
      const reply = this.exists ? await this.patch(delta) : await this.create(delta);
      if (reply.status === 409 || reply.status === 422) {
        await this.refresh(); // another writer got there first: decide again on what it wrote
        continue;
      }
      this.check(reply, this.exists ? 'update' : 'create');
      this.take(reply);
      return delta;
    }
    throw new KeyStoreError(`${this.description} kept changing while tide tried to write function keys (${ATTEMPTS} conflicts)`);
  }

  private encode(value: string): string {
    return this.secret ? Buffer.from(value, 'utf8').toString('base64') : value;
  }

  private create(delta: ReadonlyMap<string, string | undefined>): Promise<KubeReply> {
    const data = Object.fromEntries([...delta].filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => [k, this.encode(v)]));
    const metadata = { name: this.options.object.name, namespace: this.options.client.config.namespace, labels: { 'app.kubernetes.io/managed-by': 'tide-host' } };
    const body = this.secret ? { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data } : { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
    return this.options.client.request('POST', this.path(false), body);
  }

  private patch(delta: ReadonlyMap<string, string | undefined>): Promise<KubeReply> {
    const ops: Record<string, unknown>[] = [{ op: 'test', path: '/metadata/resourceVersion', value: this.resourceVersion }];
    if (this.values.size === 0) ops.push({ op: 'add', path: '/data', value: {} }); // an object without data has no /data to add into
    for (const [key, value] of delta) {
      const path = `/data/${escapePointer(key)}`;
      ops.push(value === undefined ? { op: 'remove', path } : { op: 'add', path, value: this.encode(value) });
    }
    return this.options.client.request('PATCH', this.path(true), ops, 'application/json-patch+json');
  }

  private check(reply: KubeReply, what: 'read' | 'create' | 'update'): void {
    if (reply.status >= 200 && reply.status < 300) return;
    const verb = { read: 'get', create: 'create', update: 'patch' }[what];
    if (reply.status === 401 || reply.status === 403) {
      throw new KeyStoreError(
        `the Kubernetes API server refused to ${what} ${this.description} (HTTP ${reply.status}: ${statusMessage(reply)}). ` +
          `The pod's service account needs get, create and patch on ${this.options.object.resource} in namespace ${this.options.client.config.namespace} ` +
          `(tide kubernetes deploy writes Role functions-keys-manager-role and its RoleBinding), or deploy with --mount-funckeys-as-containervolume`,
        reply.status,
      );
    }
    throw new KeyStoreError(`cannot ${verb} ${this.description}: HTTP ${reply.status}: ${statusMessage(reply)}`, reply.status);
  }

  private take(reply: KubeReply): void {
    const metadata = (reply.body.metadata ?? {}) as { resourceVersion?: string };
    const data = (reply.body.data ?? {}) as Record<string, unknown>;
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === 'string') values.set(k, this.secret ? Buffer.from(v, 'base64').toString('utf8') : v);
    }
    this.exists = true;
    this.resourceVersion = metadata.resourceVersion;
    this.remember(values);
  }

  private remember(values: Map<string, string>): void {
    this.values = values;
    this.keys = keySetFrom(values);
  }
}
