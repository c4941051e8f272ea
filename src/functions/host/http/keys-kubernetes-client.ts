// A very small in-cluster Kubernetes client for the keys Secret: the pod's service account (token,
// CA, namespace files) and the API server address from KUBERNETES_SERVICE_HOST/PORT, as the
// Functions host's SimpleKubernetesClient does. The host bundle must not carry src/kube (the
// operator's client and its dependencies), so this speaks node:http(s) directly and knows only
// GET, POST and JSON patch of one object.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';

/** Where a pod's service-account files are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A user-fixable problem with the keys store (no service account, refused access, bad object). */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** Where the API server is and how to authenticate to it. */
export interface InClusterConfig {
  /** `https://<KUBERNETES_SERVICE_HOST>:<port>` (or TIDE_KUBERNETES_API_URL for tests / proxies). */
  readonly baseUrl: string;
  readonly tokenFile: string;
  readonly namespace: string;
  /** PEM bundle the API server's certificate is checked against (https only). */
  readonly ca?: Buffer;
}

type Env = Readonly<Record<string, string | undefined>>;

async function readText(path: string, what: string, setting: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new KeyStoreError(`cannot read the service account ${what} at ${path} (${code}); is a service account token mounted in the pod (automountServiceAccountToken)? ${setting} overrides the path`);
  }
}

/**
 * The API server address and service-account files. Paths may be overridden by TIDE_KUBERNETES_TOKEN_FILE,
 * TIDE_KUBERNETES_CA_FILE and TIDE_KUBERNETES_NAMESPACE_FILE; TIDE_KUBERNETES_API_URL replaces the
 * address (and may be plain http, for tests).
 */
export async function inClusterConfig(env: Env): Promise<InClusterConfig> {
  const tokenFile = env.TIDE_KUBERNETES_TOKEN_FILE ?? `${SERVICE_ACCOUNT_DIR}/token`;
  let baseUrl = env.TIDE_KUBERNETES_API_URL?.replace(/\/+$/, '');
  if (baseUrl === undefined) {
    const host = env.KUBERNETES_SERVICE_HOST;
    if (host === undefined || host === '') throw new KeyStoreError('KUBERNETES_SERVICE_HOST is not set: the keys Secret can only be reached from inside a pod (AzureWebJobsSecretStorageType=kubernetes with AzureWebJobsKubernetesSecretName)');
    const port = env.KUBERNETES_SERVICE_PORT_HTTPS ?? env.KUBERNETES_SERVICE_PORT ?? '443';
    baseUrl = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  const namespace = await readText(env.TIDE_KUBERNETES_NAMESPACE_FILE ?? `${SERVICE_ACCOUNT_DIR}/namespace`, 'namespace', 'TIDE_KUBERNETES_NAMESPACE_FILE');
  await readText(tokenFile, 'token', 'TIDE_KUBERNETES_TOKEN_FILE'); // fail at start, not at the first write
  if (!baseUrl.startsWith('https:')) return { baseUrl, tokenFile, namespace };
  const caFile = env.TIDE_KUBERNETES_CA_FILE ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`;
  return { baseUrl, tokenFile, namespace, ca: Buffer.from(await readText(caFile, 'CA certificate', 'TIDE_KUBERNETES_CA_FILE')) };
}

/** A reply: status and the parsed JSON body (a Status object on errors). */
export interface KubeReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The API server's message in a Status reply, else the start of the text. */
export function statusMessage(reply: KubeReply): string {
  const message = reply.body.message;
  return typeof message === 'string' ? message : JSON.stringify(reply.body).slice(0, 200);
}

export class InClusterClient {
  constructor(readonly config: InClusterConfig) {}

  /** One request; the token is read each time because kubelet rotates bound service-account tokens. */
  async request(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, contentType = 'application/json'): Promise<KubeReply> {
    const token = (await readFile(this.config.tokenFile, 'utf8')).trim();
    const url = new URL(`${this.config.baseUrl}${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'tide-host' };
    if (payload) Object.assign(headers, { 'content-type': contentType, 'content-length': payload.length });
    const secure = url.protocol === 'https:';
    const options = { method, headers, timeout: 30_000, ...(secure && this.config.ca ? { ca: this.config.ca } : {}) };
    return new Promise<KubeReply>((resolve, reject) => {
      const req = (secure ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? {} : JSON.parse(text);
          } catch {
            parsed = { message: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {} });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(new KeyStoreError(`cannot reach the Kubernetes API server at ${this.config.baseUrl}: ${error.code ?? error.message}`));
      });
      req.end(payload);
    });
  }
}
