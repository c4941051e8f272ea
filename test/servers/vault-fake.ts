// A FAKE HashiCorp Vault HTTP server for tests (no Vault binary exists here). It speaks the parts of
// Vault's HTTP API that KEDA's handler uses, with Vault's shapes and status codes: X-Vault-Token and
// X-Vault-Namespace headers, auth/token/lookup-self, auth/<mount>/login (kubernetes), KV v1 reads,
// KV v2 reads under <mount>/data/, pki <mount>/issue/<role> writes, 403 {"errors":["permission denied"]}
// for a missing/unknown token or a path outside the token's policy, 404 {"errors":[]} for a missing path.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToken {
  /** Path prefixes (without /v1/) the token may use, e.g. `secret/data/app`. */
  readonly allow: readonly string[];
  readonly renewable?: boolean;
}

export interface VaultFakeOptions {
  readonly tokens?: Readonly<Record<string, FakeToken>>;
  /** Kubernetes auth mounts: mount → role → the JWTs it accepts and the token it hands out. */
  readonly kubernetes?: Readonly<Record<string, Readonly<Record<string, { readonly jwts: readonly string[]; readonly token: string }>>>>;
  /** KV version 1 mounts: mount → secret path → data. */
  readonly kvV1?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  /** KV version 2 mounts: mount → secret path → data of the latest version. */
  readonly kvV2?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  /** PKI mounts: mount → role names that may issue. */
  readonly pki?: Readonly<Record<string, readonly string[]>>;
  /** Enterprise namespace every request must name in X-Vault-Namespace. */
  readonly namespace?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
  readonly namespace: string | undefined;
  readonly body: unknown;
}

export interface VaultFake {
  readonly address: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

type Reply = [status: number, body: unknown];

const denied: Reply = [403, { errors: ['permission denied'] }];
const missing: Reply = [404, { errors: [] }];

function envelope(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { request_id: 'fake-request', lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, ...extra };
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
  });
}

function login(options: VaultFakeOptions, tokens: Map<string, FakeToken>, mount: string, body: unknown): Reply {
  const roles = options.kubernetes?.[mount];
  if (roles === undefined) return [400, { errors: [`no handler for route "auth/${mount}/login". route entry not found.`] }];
  const { jwt, role } = (typeof body === 'object' && body !== null ? body : {}) as { jwt?: unknown; role?: unknown };
  if (typeof role !== 'string' || roles[role] === undefined) return [400, { errors: [`invalid role name "${String(role)}"`] }];
  const entry = roles[role];
  if (typeof jwt !== 'string' || !entry.jwts.includes(jwt)) return denied;
  const policy = tokens.get(entry.token);
  return [200, envelope(null, { auth: { client_token: entry.token, accessor: 'fake', policies: ['default'], lease_duration: 3600, renewable: policy?.renewable ?? true } })];
}

let serial = 0;

function issue(role: string, body: unknown): Reply {
  const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const cn = request.common_name;
  if (typeof cn !== 'string' || cn === '') return [400, { errors: ['the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false'] }];
  serial += 1;
  const n = String(serial).padStart(4, '0');
  return [200, envelope({
    certificate: `-----BEGIN CERTIFICATE-----\nfake cert ${n} CN=${cn} role=${role}\n-----END CERTIFICATE-----`,
    issuing_ca: '-----BEGIN CERTIFICATE-----\nfake intermediate\n-----END CERTIFICATE-----',
    ca_chain: ['-----BEGIN CERTIFICATE-----\nfake intermediate\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nfake root\n-----END CERTIFICATE-----'],
    private_key: `-----BEGIN RSA PRIVATE KEY-----\nfake key ${n}\n-----END RSA PRIVATE KEY-----`,
    private_key_type: 'rsa',
    serial_number: `fa:ke:${n.slice(0, 2)}:${n.slice(2)}`,
  })];
}

function secretRead(options: VaultFakeOptions, path: string): Reply {
  const [mount = '', ...rest] = path.split('/');
  const v1 = options.kvV1?.[mount];
  if (v1 !== undefined) {
    const data = v1[rest.join('/')];
    return data === undefined ? missing : [200, envelope(data, { lease_duration: 2764800 })];
  }
  const v2 = options.kvV2?.[mount];
  if (v2 !== undefined) {
    if (rest[0] !== 'data') return missing;
    const data = v2[rest.slice(1).join('/')];
    return data === undefined ? missing : [200, envelope({ data, metadata: { created_time: '2024-01-01T00:00:00Z', deletion_time: '', destroyed: false, version: 1 } })];
  }
  return [404, { errors: [`no handler for route "${path}". route entry not found.`] }];
}

function route(options: VaultFakeOptions, tokens: Map<string, FakeToken>, method: string, path: string, token: string | undefined, body: unknown): Reply {
  const loginMatch = /^auth\/(.+)\/login$/.exec(path);
  if (loginMatch !== null && method !== 'GET' && !path.startsWith('auth/token/')) return login(options, tokens, loginMatch[1] ?? '', body);
  const policy = token === undefined ? undefined : tokens.get(token);
  if (policy === undefined) return denied;
  if (path === 'auth/token/lookup-self' && method === 'GET') {
    return [200, envelope({ accessor: 'fake', policies: ['default'], renewable: policy.renewable ?? false, ttl: 3600, type: 'service' })];
  }
  if (!policy.allow.some((prefix) => path.startsWith(prefix))) return denied;
  const [mount = '', kind, role] = path.split('/');
  const roles = options.pki?.[mount];
  if (roles !== undefined && kind === 'issue' && role !== undefined && (method === 'PUT' || method === 'POST')) {
    return roles.includes(role) ? issue(role, body) : [400, { errors: [`unknown role: ${role}`] }];
  }
  if (method !== 'GET') return [405, { errors: ['unsupported operation'] }];
  return secretRead(options, path);
}

/** Starts the fake Vault on 127.0.0.1 and a free port. */
export async function startVaultFake(options: VaultFakeOptions): Promise<VaultFake> {
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const requests: RecordedRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? '/', 'http://vault');
      const header = (name: string): string | undefined => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const token = header('x-vault-token');
      const namespace = header('x-vault-namespace');
      const path = url.pathname.replace(/^\/v1\//, '');
      requests.push({ method: request.method ?? 'GET', path, token, namespace, body });
      const [status, reply] = !url.pathname.startsWith('/v1/')
        ? [404, { errors: [] }]
        : options.namespace !== undefined && namespace !== options.namespace
          ? denied
          : route(options, tokens, request.method ?? 'GET', path, token, body);
      response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections(); // fetch keeps connections alive; close() would wait for them
      }),
  };
}
