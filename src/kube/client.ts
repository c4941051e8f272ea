// A small typed Kubernetes client on node:http/https (fetch cannot take a per-request CA or client
// certificate): server-side apply with field manager `tide`, GET, DELETE, and waiting for a
// Deployment to be available. Enough for `tide kubernetes deploy/delete`; not a general client.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeApiError, KubeUnreachableError, readResponseText, statusError } from './errors.js';
import type { ClusterConnection } from './kubeconfig.js';
import { describeRef, objectPath, type ObjectRef } from './resources.js';

/** An object as the API server returns it. */
export interface KubeResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly generation?: number; readonly [k: string]: unknown };
  readonly [field: string]: unknown;
}

export interface KubeClientOptions {
  /** Field manager of applies; default `tide`. */
  readonly fieldManager?: string;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
  /** How waits pause between polls (injected so tests need no real time). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export class KubeClient {
  private readonly fieldManager: string;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly connection: ClusterConnection,
    options: KubeClientOptions = {},
  ) {
    this.fieldManager = options.fieldManager ?? 'tide';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** GET /version: proves the server answers (and the credentials are accepted). */
  async version(): Promise<{ gitVersion?: string }> {
    return (await this.send('GET', '/version')) as { gitVersion?: string };
  }

  /** The object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeResource | undefined> {
    try {
      return (await this.send('GET', objectPath(ref))) as KubeResource;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Server-side apply (force: tide owns what it writes); dryRun asks the server to validate only. */
  async apply(object: KubeResource, options: { dryRun?: boolean } = {}): Promise<KubeResource> {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}) };
    const query = new URLSearchParams({ fieldManager: this.fieldManager, force: 'true' });
    if (options.dryRun === true) query.set('dryRun', 'All');
    return (await this.send('PATCH', `${objectPath(ref)}?${query.toString()}`, JSON.stringify(object), 'application/apply-patch+yaml')) as KubeResource;
  }

  /** Deletes the object (background propagation); false when it did not exist. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.send('DELETE', objectPath(ref), JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }), 'application/json');
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** Polls until the Deployment's current generation is rolled out and its replicas are available. */
  async waitForDeployment(namespace: string, name: string, options: WaitOptions): Promise<KubeResource> {
    const now = options.now ?? Date.now;
    const deadline = now() + options.timeoutMs;
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
    for (;;) {
      const deployment = await this.get(ref);
      if (deployment === undefined) throw new KubeApiError(404, 'NotFound', `${describeRef(ref)} not found in namespace ${namespace}`);
      if (deploymentAvailable(deployment)) return deployment;
      if (now() >= deadline) throw new KubeApiError(504, 'Timeout', `${describeRef(ref)} did not become available within ${Math.round(options.timeoutMs / 1000)}s (${rolloutState(deployment)})`);
      await this.sleep(options.intervalMs ?? 1000);
    }
  }

  private send(method: string, path: string, body?: string, contentType?: string): Promise<unknown> {
    const url = new URL(`${this.connection.server}${path}`);
    const c = this.connection;
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'tide' };
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    if (c.token !== undefined) headers['Authorization'] = `Bearer ${c.token}`;
    else if (c.basicAuth !== undefined) headers['Authorization'] = `Basic ${Buffer.from(`${c.basicAuth.username}:${c.basicAuth.password}`).toString('base64')}`;
    const options: RequestOptions = {
      method,
      headers,
      timeout: this.timeoutMs,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !c.insecureSkipTlsVerify, ...(c.ca !== undefined ? { ca: c.ca } : {}), ...(c.clientCert !== undefined ? { cert: c.clientCert } : {}), ...(c.clientKey !== undefined ? { key: c.clientKey } : {}) } : {}),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        readResponseText(res).then((text) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text === '' ? {} : JSON.parse(text));
          else reject(statusError(status, text, `${method} ${path}: HTTP ${status} ${text.slice(0, 200)}`));
        }, reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs}ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(new KubeUnreachableError(`cannot reach the cluster at ${c.server} (context ${c.context}): ${error.code ?? error.message}${error.code !== undefined && error.message !== '' ? ` ${error.message}` : ''}`));
      });
      req.end(body);
    });
  }
}


interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

/** kubectl rollout status's test: generation observed, every replica updated and available. */
export function deploymentAvailable(deployment: KubeResource): boolean {
  const spec = (deployment['spec'] ?? {}) as { replicas?: number };
  const status = (deployment['status'] ?? {}) as DeploymentStatus;
  const wanted = spec.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) return false;
  return (status.updatedReplicas ?? 0) >= wanted && (status.availableReplicas ?? 0) >= wanted && (status.replicas ?? 0) <= wanted;
}

function rolloutState(deployment: KubeResource): string {
  const status = (deployment['status'] ?? {}) as DeploymentStatus;
  const wanted = ((deployment['spec'] ?? {}) as { replicas?: number }).replicas ?? 1;
  return `${status.availableReplicas ?? 0} of ${wanted} available`;
}
