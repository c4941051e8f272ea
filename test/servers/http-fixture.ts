// A plain local HTTP server for scaler tests: each route answers with a fixed status, content type and
// body, and every request is recorded so a test can assert on the headers and query the scaler sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One canned answer. */
export interface Route {
  readonly status?: number;
  readonly contentType?: string;
  readonly body: string;
  /** Delay before answering, in milliseconds (for timeout tests). */
  readonly delayMs?: number;
}

/** A request the fixture received. */
export interface Recorded {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A running fixture. */
export interface HttpFixture {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: Recorded[];
  /** Sets (or replaces) the answer for a path. */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** Starts a fixture on a free loopback port; unknown paths answer 404. */
export async function startHttpFixture(routes: Record<string, Route> = {}): Promise<HttpFixture> {
  const table = new Map(Object.entries(routes));
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const route = table.get(url.pathname) ?? { status: 404, body: 'not found' };
      const answer = (): void => {
        res.writeHead(route.status ?? 200, { 'content-type': route.contentType ?? 'application/json' });
        res.end(route.body);
      };
      if (route.delayMs) setTimeout(answer, route.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => table.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
  };
}
