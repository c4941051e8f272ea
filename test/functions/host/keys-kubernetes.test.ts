// Function keys on Kubernetes (AzureWebJobsSecretStorageType=kubernetes): the whole host against the
// in-repo fake API server, reached through a small proxy that plays the API server's authentication
// (the service-account bearer token must match, 401 otherwise) and RBAC (403 when told to), over plain
// HTTP and over TLS with the service account's CA, as in a pod.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FunctionHost, HostStartError } from '../../../src/functions/host/host.js';
import { startFakeApiServer, type FakeApiServer } from '../../../src/kube/testing/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const NS = 'apps';
const SECRET = 'func-keys-kube-secret-hello';
const TOKEN = 'service-account-token-1';
const temp = mkdtempSync(join(tmpdir(), 'tide-keys-kube-'));
let api: FakeApiServer;
let app: string;
let serviceAccount: string;

interface Proxy {
  readonly url: string;
  readonly port: number;
  forbid: boolean;
  readonly seen: string[];
  close(): Promise<void>;
}

/** Forwards to the fake API server after checking the bearer token, or answers 403 like RBAC does. */
async function startProxy(tls?: { key: Buffer; cert: Buffer }): Promise<Proxy> {
  const state = { forbid: false, seen: [] as string[] };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    state.seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const status = (code: number, reason: string, message: string): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      status(401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (state.forbid) {
      status(403, 'Forbidden', `secrets "${SECRET}" is forbidden: User "system:serviceaccount:${NS}:default" cannot get resource "secrets" in API group "" in the namespace "${NS}"`);
      return;
    }
    const upstream = http.request(`${api.url}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: { ...req.headers, host: `127.0.0.1:${api.port}` } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get forbid() { return state.forbid; },
    set forbid(v: boolean) { state.forbid = v; },
    seen: state.seen,
    close: () => new Promise((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }),
  };
}

let proxy: Proxy;
const hosts: FunctionHost[] = [];

beforeAll(async () => {
  api = await startFakeApiServer({ kedaCrds: false, builtinControllers: false });
  api.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  proxy = await startProxy();
  serviceAccount = join(temp, 'serviceaccount');
  mkdirSync(serviceAccount);
  writeFileSync(join(serviceAccount, 'token'), `${TOKEN}\n`);
  writeFileSync(join(serviceAccount, 'namespace'), NS);
  app = join(temp, 'app');
  mkdirSync(join(app, 'Hello'), { recursive: true });
  writeFileSync(join(app, 'host.json'), '{"version":"2.0"}');
  writeFileSync(join(app, 'Hello', 'function.json'), JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'function' }, { name: '$return', type: 'http', direction: 'out' }] }));
  writeFileSync(join(app, 'Hello', 'index.js'), 'module.exports = async () => ({ body: "hello" });');
});
afterEach(async () => {
  proxy.forbid = false;
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  const existing = api.cluster.get('v1', 'Secret', NS, SECRET);
  if (existing) api.cluster.delete('v1', 'Secret', NS, SECRET);
});
afterAll(async () => {
  await proxy.close();
  await api.stop();
  rmSync(temp, { recursive: true, force: true });
});

function kubeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AzureWebJobsSecretStorageType: 'kubernetes',
    AzureWebJobsKubernetesSecretName: `secrets/${SECRET}`,
    TIDE_KUBERNETES_API_URL: proxy.url,
    TIDE_KUBERNETES_TOKEN_FILE: join(serviceAccount, 'token'),
    TIDE_KUBERNETES_NAMESPACE_FILE: join(serviceAccount, 'namespace'),
    ...extra,
  };
}

async function startHost(env: Record<string, string>, keysDirectory = join(temp, 'no-such-dir')): Promise<FunctionHost> {
  const host = await FunctionHost.start({ scriptRoot: app, env, localSettings: false, port: 0, address: '127.0.0.1', authEnabled: true, keysDirectory, log: silentLogger, drainGraceMs: 1000 });
  hosts.push(host);
  return host;
}

/** The keys Secret's data, decoded. */
function secretData(): Record<string, string> {
  const data = (api.cluster.get('v1', 'Secret', NS, SECRET)?.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

const call = (host: FunctionHost, path: string, key?: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${host.url}${path}`, { ...init, headers: { ...(key !== undefined ? { 'x-functions-key': key } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) } });

describe('function keys in a Kubernetes Secret', () => {
  it('creates the Secret with the keys at first start, with the service-account token, and checks requests against it', async () => {
    const host = await startHost(kubeEnv());
    const data = secretData();
    expect(Object.keys(data).sort()).toEqual(['functions.hello.default', 'host.function.default', 'host.master', 'host.systemKey.default']);
    for (const value of Object.values(data)) expect(value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(new Set(Object.values(data)).size).toBe(4);
    expect(proxy.seen).toContain(`POST /api/v1/namespaces/${NS}/secrets`);

    expect((await call(host, '/api/Hello')).status).toBe(401);
    expect(await (await call(host, '/api/Hello', data['functions.hello.default'])).text()).toBe('hello');
    expect((await call(host, '/api/Hello', data['host.function.default'])).status).toBe(200);
    expect((await call(host, '/admin/host/status', data['functions.hello.default'])).status).toBe(401);
    expect((await call(host, '/admin/host/status', data['host.master'])).status).toBe(200);
  });

  it('reuses keys already in the Secret and adds only the missing ones', async () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    api.cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET, namespace: NS }, data: { 'host.master': b64('master-kept-1234567890'), 'functions.hello.default': b64('hello-kept-1234567890'), 'other.entry': b64('x') } });
    const host = await startHost(kubeEnv());
    const data = secretData();
    expect(data['host.master']).toBe('master-kept-1234567890');
    expect(data['functions.hello.default']).toBe('hello-kept-1234567890');
    expect(data['other.entry']).toBe('x');
    expect(data['host.function.default']).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(proxy.seen.filter((l) => l.startsWith(`PATCH /api/v1/namespaces/${NS}/secrets/${SECRET}`)).length).toBeGreaterThan(0);
    expect((await call(host, '/api/Hello', 'hello-kept-1234567890')).status).toBe(200);
  });

  it('two replicas starting at once end up with the same keys', async () => {
    const [a, b] = await Promise.all([startHost(kubeEnv()), startHost(kubeEnv())]);
    const key = secretData()['functions.hello.default'];
    expect((await call(a, '/api/Hello', key)).status).toBe(200);
    expect((await call(b, '/api/Hello', key)).status).toBe(200);
  });

  it('the admin keys API writes through to the Secret, and another replica sees the keys', async () => {
    const host = await startHost(kubeEnv());
    const master = secretData()['host.master'] ?? '';
    const list = (await (await call(host, '/admin/functions/Hello/keys', master)).json()) as { keys: { name: string; value: string }[] };
    expect(list.keys).toEqual([{ name: 'default', value: secretData()['functions.hello.default'] }]);
    expect((await call(host, '/admin/functions/Hello/keys', secretData()['functions.hello.default'])).status).toBe(401);
    expect((await call(host, '/admin/functions/Nope/keys', master)).status).toBe(404);

    const put = await call(host, '/admin/functions/hello/keys/ci', master, { method: 'PUT', body: JSON.stringify({ name: 'ci', value: 'ci-key-0123456789abcdef' }) });
    expect(put.status).toBe(201);
    expect(((await put.json()) as { value: string }).value).toBe('ci-key-0123456789abcdef');
    expect(secretData()['functions.hello.ci']).toBe('ci-key-0123456789abcdef');
    expect((await call(host, '/api/Hello', 'ci-key-0123456789abcdef')).status).toBe(200);

    const regenerated = await call(host, '/admin/functions/hello/keys/ci', master, { method: 'POST' });
    expect(regenerated.status).toBe(200);
    const fresh = ((await regenerated.json()) as { value: string }).value;
    expect(fresh).not.toBe('ci-key-0123456789abcdef');
    expect(secretData()['functions.hello.ci']).toBe(fresh);
    expect((await call(host, '/api/Hello', 'ci-key-0123456789abcdef')).status).toBe(401);

    // A host key and a new replica that reads what the first one wrote.
    expect((await call(host, '/admin/host/keys/shared', master, { method: 'PUT', body: JSON.stringify({ value: 'shared-host-key-123456' }) })).status).toBe(201);
    const replica = await startHost(kubeEnv());
    expect((await call(replica, '/api/Hello', fresh)).status).toBe(200);
    expect((await call(replica, '/api/Hello', 'shared-host-key-123456')).status).toBe(200);

    expect((await call(host, '/admin/functions/hello/keys/ci', master, { method: 'DELETE' })).status).toBe(204);
    expect(secretData()['functions.hello.ci']).toBeUndefined();
    expect((await call(host, '/api/Hello', fresh)).status).toBe(401);
    expect((await call(host, '/admin/functions/hello/keys/ci', master, { method: 'DELETE' })).status).toBe(404);
    expect((await call(host, '/admin/host/keys/_master', master, { method: 'DELETE' })).status).toBe(400);

    const newMaster = await call(host, '/admin/host/keys/_master', master, { method: 'POST' });
    expect(newMaster.status).toBe(200);
    const masterValue = ((await newMaster.json()) as { value: string }).value;
    expect(secretData()['host.master']).toBe(masterValue);
    expect((await call(host, '/admin/host/status', master)).status).toBe(401);
    expect((await call(host, '/admin/host/status', masterValue)).status).toBe(200);
  });

  it('a 403 from the API server stops the start with a message naming the Secret and the permissions', async () => {
    proxy.forbid = true;
    const error = await startHost(kubeEnv()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostStartError);
    const message = (error as Error).message;
    expect(message).toContain(`secret ${NS}/${SECRET}`);
    expect(message).toContain('HTTP 403');
    expect(message).toContain('cannot get resource "secrets"');
    expect(message).toContain('functions-keys-manager-role');
    expect(message).toContain('--mount-funckeys-as-containervolume');
  });

  it('a wrong token (401) and a missing token file stop the start', async () => {
    const wrong = join(temp, 'wrong-token');
    writeFileSync(wrong, 'not-the-token');
    await expect(startHost(kubeEnv({ TIDE_KUBERNETES_TOKEN_FILE: wrong }))).rejects.toThrow(/refused to read secret apps\/func-keys-kube-secret-hello \(HTTP 401/);
    await expect(startHost(kubeEnv({ TIDE_KUBERNETES_TOKEN_FILE: join(temp, 'missing') }))).rejects.toThrow(/cannot read the service account token at .*missing \(ENOENT\)/);
  });

  it('without AzureWebJobsKubernetesSecretName the keys come from the mounted folder, read-only', async () => {
    const mounted = join(temp, 'functions-keys');
    mkdirSync(mounted, { recursive: true });
    writeFileSync(join(mounted, 'host.master'), 'mounted-master-123456');
    writeFileSync(join(mounted, 'functions.hello.default'), 'mounted-hello-123456');
    const seen = proxy.seen.length;
    const host = await startHost({ AzureWebJobsSecretStorageType: 'kubernetes' }, mounted);
    expect(proxy.seen.length).toBe(seen);
    expect((await call(host, '/api/Hello', 'mounted-hello-123456')).status).toBe(200);
    const keys = (await (await call(host, '/admin/functions/hello/keys', 'mounted-master-123456')).json()) as { keys: unknown[] };
    expect(keys.keys).toEqual([{ name: 'default', value: 'mounted-hello-123456' }]);
    const put = await call(host, '/admin/functions/hello/keys/ci', 'mounted-master-123456', { method: 'PUT', body: JSON.stringify({ value: 'abcdefabcdefabcdef' }) });
    expect(put.status).toBe(409);
    expect(await put.text()).toContain('read-only');
  });
});

describe('function keys over TLS, as in a pod (KUBERNETES_SERVICE_HOST/PORT, the service account CA)', () => {
  let tlsProxy: Proxy;
  let ca: string;
  beforeAll(async () => {
    const key = join(temp, 'api.key');
    ca = join(temp, 'api.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', ca, '-days', '2', '-subj', '/CN=kubernetes', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tlsProxy = await startProxy({ key: readFileSync(key), cert: readFileSync(ca) });
  });
  afterAll(async () => {
    await tlsProxy.close();
  });

  const podEnv = (caFile: string): Record<string, string> => {
    const { TIDE_KUBERNETES_API_URL: _unused, ...rest } = kubeEnv({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(tlsProxy.port), TIDE_KUBERNETES_CA_FILE: caFile });
    return rest;
  };

  it('trusts the API server through the CA file and creates the keys', async () => {
    const host = await startHost(podEnv(ca));
    expect(tlsProxy.seen).toContain(`POST /api/v1/namespaces/${NS}/secrets`);
    expect((await call(host, '/api/Hello', secretData()['functions.hello.default'])).status).toBe(200);
  });

  it('refuses an API server whose certificate the CA did not sign', async () => {
    const otherKey = join(temp, 'other.key');
    const otherCa = join(temp, 'other.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', otherKey, '-out', otherCa, '-days', '2', '-subj', '/CN=other'], { stdio: 'ignore' });
    await expect(startHost(podEnv(otherCa))).rejects.toThrow(/cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: (SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
  });
});
