// The operator's Kubernetes API client: plain JSON over node:http(s) with the connection and
// credentials of a @kubernetes/client-node KubeConfig (certificates, tokens, exec plugins), client
// QPS/burst limits, a discovery cache for any kind's REST path (RESTMapper), the /scale and /status
// subresources, and watch streams through client-node's Watch. Objects stay the API server's JSON:
// no typed models, so timestamps and unknown fields pass through untouched.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeUnreachableError, readResponseText, statusError } from './errors.js';
import { TokenBucket } from './token-bucket.js';

/** An object as the API server returns it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: Record<string, unknown>[];
    [key: string]: unknown;
  };
  [field: string]: unknown;
}

/** Where a kind lives: its plural resource and scope (discovery's answer). */
export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

export interface KubeApiOptions {
  /** --kube-api-qps (KEDA: 20). */
  readonly qps?: number;
  /** --kube-api-burst (KEDA: 30). */
  readonly burst?: number;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

/** A watch event as the API server streams it. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: KubeObject;
}

export class KubeApi {
  private readonly bucket: TokenBucket;
  private readonly timeoutMs: number;
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();
  private agent: RequestOptions['agent'] | undefined;
  /** Requests sent, by verb (for tests and the benchmark). */
  readonly requests = new Map<string, number>();

  constructor(readonly config: KubeConfig, private readonly options: KubeApiOptions = {}) {
    this.bucket = new TokenBucket(options.qps ?? 20, options.burst ?? 30);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The REST mapping of apiVersion + kind, or undefined when the server does not serve it. */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const found = (await this.resources(apiVersion)).find((r) => r.kind === kind);
    if (found === undefined) this.discovery.delete(apiVersion); // a CRD may be installed later
    return found;
  }

  /** The URL path of an object, its collection (no name), or a subresource. */
  async path(apiVersion: string, kind: string, namespace: string | undefined, name?: string, subresource?: string): Promise<string> {
    const info = await this.resourceFor(apiVersion, kind);
    if (info === undefined) throw new KubeApiError(404, 'NotFound', `the server does not serve ${kind} in ${apiVersion}`);
    const root = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
    const scope = info.namespaced && namespace !== undefined && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const tail = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource !== undefined ? `/${subresource}` : ''}`;
    return `${root}${scope}/${info.resource}${tail}`;
  }

  /** The object, or undefined on 404. */
  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string, subresource?: string): Promise<KubeObject | undefined> {
    try {
      return (await this.request('GET', await this.path(apiVersion, kind, namespace, name, subresource))) as KubeObject;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Lists a kind (one namespace, or all when undefined). */
  async list(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const query = labelSelector !== undefined && labelSelector !== '' ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = (await this.request('GET', `${await this.path(apiVersion, kind, namespace)}${query}`)) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
    const items = (list.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create(object: KubeObject): Promise<KubeObject> {
    return (await this.request('POST', await this.path(object.apiVersion ?? '', object.kind ?? '', object.metadata.namespace), object)) as KubeObject;
  }

  /** Replaces the object (its metadata.resourceVersion is the precondition). */
  async replace(object: KubeObject): Promise<KubeObject> {
    const path = await this.path(object.apiVersion ?? '', object.kind ?? '', object.metadata.namespace, object.metadata.name ?? '');
    return (await this.request('PUT', path, object)) as KubeObject;
  }

  /** JSON merge patch (RFC 7386); a metadata.resourceVersion in the patch makes it conditional. */
  async mergePatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, subresource?: string): Promise<KubeObject> {
    return (await this.request('PATCH', await this.path(apiVersion, kind, namespace, name, subresource), patch, 'application/merge-patch+json')) as KubeObject;
  }

  /** Deletes with background propagation; false when it was already gone. */
  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string, preconditions?: { uid?: string }): Promise<boolean> {
    try {
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(preconditions !== undefined ? { preconditions } : {}) };
      await this.request('DELETE', await this.path(apiVersion, kind, namespace, name), body);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** Opens a watch from `resourceVersion`; events go to `onEvent`, `onDone` gets the end (null when the server closed it). */
  async watch(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    query: { resourceVersion: string; labelSelector?: string | undefined; timeoutSeconds?: number },
    onEvent: (event: WatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<() => void> {
    const path = await this.path(apiVersion, kind, namespace);
    this.count('WATCH');
    const params: Record<string, string | number | boolean | undefined> = {
      resourceVersion: query.resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: query.labelSelector,
      timeoutSeconds: query.timeoutSeconds,
    };
    const controller = await new Watch(this.config).watch(path, params, (type: string, object: KubeObject) => { onEvent({ type: type as WatchEvent['type'], object }); }, onDone);
    return () => { controller.abort(); };
  }

  /** One HTTP request with the kubeconfig's credentials; JSON in and out. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    await this.bucket.take();
    this.count(method);
    const server = this.config.getCurrentCluster()?.server ?? '';
    const url = new URL(`${server.replace(/\/+$/, '')}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.options.userAgent ?? 'tide-operator' };
    if (text !== undefined) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)) });
    const options: RequestOptions = { method, headers, timeout: this.timeoutMs };
    await this.config.applyToHTTPSOptions(options);
    // applyToHTTPSOptions makes a new agent each call; keep the first so connections are reused.
    if (this.agent === undefined) this.agent = url.protocol === 'https:' ? options.agent : new HttpAgent({ keepAlive: true });
    options.agent = this.agent;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        readResponseText(res).then((answer) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(answer === '' ? {} : JSON.parse(answer));
          else reject(statusError(status, answer, `${method} ${path}: HTTP ${status}`));
        }, reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs}ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(new KubeUnreachableError(`cannot reach the API server at ${server}: ${error.code ?? error.message}`));
      });
      req.end(text);
    });
  }

  private count(verb: string): void {
    this.requests.set(verb, (this.requests.get(verb) ?? 0) + 1);
  }

  private resources(apiVersion: string): Promise<ResourceInfo[]> {
    let cached = this.discovery.get(apiVersion);
    if (cached === undefined) {
      cached = this.discover(apiVersion);
      this.discovery.set(apiVersion, cached);
      cached.catch(() => this.discovery.delete(apiVersion));
    }
    return cached;
  }

  private async discover(apiVersion: string): Promise<ResourceInfo[]> {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
    let list: { resources?: { name: string; kind: string; namespaced: boolean }[] };
    try {
      list = (await this.request('GET', group === '' ? `/api/${version}` : `/apis/${group}/${version}`)) as typeof list;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return [];
      throw error;
    }
    return (list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => ({ group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced }));
  }
}


/** True for a 409 Conflict (stale resourceVersion, or AlreadyExists on create). */
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;
/** True for a 404. */
export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;
