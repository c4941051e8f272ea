// --health-probe-bind-address: /healthz (the process answers) and /readyz (caches synced), as
// controller-runtime serves them for KEDA's probes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Parses a Go-style bind address (`:8081`, `127.0.0.1:8081`, `0` to disable). */
export function parseBindAddress(value: string): { host: string | undefined; port: number } | undefined {
  if (value === '0') return undefined;
  const match = /^(.*):(\d+)$/.exec(value);
  if (match === null) throw new Error(`expected [host]:port, got "${value}"`);
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`port must be at most 65535, got ${port}`);
  const host = match[1] === '' ? undefined : (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

/** Serves the probes; resolves with the server and its port once listening. */
export async function startHealthServer(address: { host: string | undefined; port: number }, ready: () => boolean): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' || ready();
      res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready: caches not synced');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => { resolve(); });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
