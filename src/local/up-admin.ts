// The loopback HTTP endpoint of a running `tide up`: `tide explain` and scripts read the run's status
// and recent decisions here (the address is in `.tide/up.json`).
import { createServer } from 'node:http';
import type { LoopDecision } from '../engine/loop-decisions.js';
import type { UpStatus } from './local-up.js';

export interface UpAdminSource {
  status(): UpStatus;
  decisions(since?: number): LoopDecision[];
}

export interface UpAdmin {
  readonly url: string;
  close(): Promise<void>;
}

/** GET /status and GET /decisions?since=<epoch ms>, as JSON; nothing else. */
export async function startUpAdmin(source: UpAdminSource, port = 0): Promise<UpAdmin> {
  const server = createServer((request, response) => {
    const { status, body } = route(request.method, new URL(request.url ?? '/', 'http://localhost'), source);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function route(method: string | undefined, url: URL, source: UpAdminSource): { status: number; body: unknown } {
  if (method !== 'GET') return { status: 405, body: { error: 'only GET is served' } };
  if (url.pathname === '/status') return { status: 200, body: source.status() };
  if (url.pathname !== '/decisions') return { status: 404, body: { error: `no such endpoint: ${url.pathname} (try /status or /decisions)` } };
  const sinceText = url.searchParams.get('since');
  const since = sinceText === null ? undefined : Number(sinceText);
  if (since !== undefined && !Number.isFinite(since)) return { status: 400, body: { error: `since must be epoch milliseconds, got "${sinceText ?? ''}"` } };
  return { status: 200, body: { status: source.status(), decisions: source.decisions(since) } };
}
