// Debian's docker-registry (distribution 2.8) for the image tests: started per test run on a free
// loopback port with its config and storage in a temp dir, stopped by PID. Optionally with token auth:
// a small in-test token service (the distribution token spec: Basic credentials in, an RS256 JWT with
// an x5c certificate chain out) that the registry trusts through a self-signed certificate made with
// openssl. Every HTTP request the registry logs is recorded, so tests see what a client really sent.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes, sign, X509Certificate, type KeyObject, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats.js';

export const REGISTRY_PROGRAMS = ['docker-registry', 'skopeo', 'umoci', 'openssl'] as const;

/** A request the registry handled, from its access log. */
export interface RegistryRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface RegistryServer {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  /** Requests handled so far (access log), oldest first. */
  requests(): RegistryRequest[];
  /** Waits until the access log has caught up with requests already answered. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Token auth with these users (name → password); anonymous requests are refused. */
  readonly users?: Readonly<Record<string, string>>;
}

const SERVICE = 'tide-test-registry';
const ISSUER = 'tide-test-token-service';

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

interface TokenService {
  readonly realm: string;
  close(): Promise<void>;
}

/** The token endpoint: checks Basic credentials and grants every requested scope to a known user. */
async function startTokenService(users: Readonly<Record<string, string>>, key: KeyObject, certDer: Buffer): Promise<TokenService> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const decoded = scheme === 'Basic' ? Buffer.from(encoded ?? '', 'base64').toString('utf8') : '';
    const user = decoded.slice(0, decoded.indexOf(':'));
    if (decoded === '' || users[user] !== decoded.slice(decoded.indexOf(':') + 1)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'wrong credentials' }));
      return;
    }
    const access = url.searchParams.getAll('scope').map((scope) => {
      const [type, name, actions] = scope.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = { iss: ISSUER, sub: user, aud: SERVICE, exp: now + 600, nbf: now - 60, iat: now, jti: randomBytes(8).toString('hex'), access };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${unsigned}.${b64url(sign('sha256', Buffer.from(unsigned), key))}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { realm: `http://127.0.0.1:${port}/token`, close: () => new Promise((resolve) => server.close(() => { resolve(); })) };
}

function authConfig(dir: string, realm: string): string {
  return `auth:\n  token:\n    realm: ${realm}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${join(dir, 'token.crt')}\n`;
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${String(child.exitCode)}`);
    const status = await fetch(`${url}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('docker-registry did not answer');
}

/** Starts a registry on a free loopback port. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tide-registry-'));
  const port = await freePort();
  let tokens: TokenService | undefined;
  let auth = '';
  if (options.users !== undefined) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'token.key'), '-out', join(dir, 'token.crt'), '-days', '2', '-subj', '/CN=tide-test-token'], { stdio: 'ignore' });
    const key = createPrivateKey(readFileSync(join(dir, 'token.key')));
    tokens = await startTokenService(options.users, key, new X509Certificate(readFileSync(join(dir, 'token.crt'))).raw);
    auth = authConfig(dir, tokens.realm);
  }
  const config = `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n  debug:\n    addr: ""\n${auth}`;
  writeFileSync(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const requests: RegistryRequest[] = [];
  let partial = '';
  const read = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // Access log (combined format): … "PUT /v2/x/manifests/1 HTTP/1.1" 201 …
      const match = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})/.exec(line);
      if (match) requests.push({ method: match[1] ?? '', path: match[2] ?? '', status: Number(match[3]) });
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => { resolve(); });
        child.kill('SIGTERM');
      });
    }
    await tokens?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child);
  } catch (error) {
    await stop();
    throw error;
  }
  const settle = async (): Promise<void> => {
    // A marker request whose log line proves every earlier line was read.
    const marker = `/v2/settle-${randomBytes(4).toString('hex')}/tags/list`;
    await fetch(`${url}${marker}`).then((r) => r.body?.cancel(), () => undefined);
    const deadline = Date.now() + 5000;
    while (!requests.some((r) => r.path === marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  return { host: `127.0.0.1:${port}`, requests: () => [...requests], settle, stop };
}
