// bench/metrics-server's load generator, run in its own process (forked) so the servers under test
// do not share an event loop or a core with the clients. CLIENTS TLS connections, opened (handshake
// done) before the clock starts and kept alive; each sends one HTTP/1.1 GET, waits for the whole
// answer, and sends the next (closed loop). A minimal HTTP/1.1 reader keeps the client cheap, so the
// servers, not the client, are what is measured. Replies on the IPC channel with latencies in ms.
import { performance } from 'node:perf_hooks';
import { connect, type TLSSocket } from 'node:tls';

export interface LoadRequest {
  readonly port: number;
  /** Connection i asks for paths[i % paths.length]. */
  readonly paths: readonly string[];
  readonly ca: string;
  readonly servername: string;
  readonly clients: number;
  /** How long the clients keep sending (ms); requests in flight at the end are waited for and counted. */
  readonly durationMs: number;
  /** A client certificate to present (PEM), e.g. the aggregator's front-proxy pair. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  /** Extra request header lines (`Name: value`), e.g. X-Remote-User. */
  readonly headers?: readonly string[];
}

export interface LoadResult {
  readonly latencies: number[];
  readonly seconds: number;
  readonly errors: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection answering `get()` with the status code once the body is complete. */
function connection(socket: TLSSocket, request: Buffer): { get: () => Promise<number> } {
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;
  socket.setNoDelay(true);
  const drain = (): void => {
    const end = buffered.indexOf(HEADER_END);
    if (end < 0 || waiting === undefined) return;
    const head = buffered.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length?.[1] === undefined) {
      waiting.reject(new Error(`no Content-Length in ${JSON.stringify(head.slice(0, 200))}`));
      return;
    }
    const total = end + HEADER_END.length + Number(length[1]);
    if (buffered.length < total) return;
    buffered = buffered.subarray(total);
    const done = waiting;
    waiting = undefined;
    done.resolve(Number(head.slice(9, 12)));
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    drain();
  });
  socket.on('error', (error: Error) => { waiting?.reject(error); });
  socket.on('close', () => { waiting?.reject(new Error('connection closed')); });
  return {
    get: () => new Promise<number>((resolve, reject) => {
      waiting = { resolve, reject };
      socket.write(request);
    }),
  };
}

async function open(options: LoadRequest): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: options.port, ca: options.ca, servername: options.servername, ALPNProtocols: ['http/1.1'], ...options.clientCertificate }, () => { resolve(socket); });
    socket.once('error', reject);
  });
}

/** Runs the load: `clients` connections sending GETs one after another for `durationMs`. */
export async function runLoad(options: LoadRequest): Promise<LoadResult> {
  const extra = (options.headers ?? []).map((h) => `${h}\r\n`).join('');
  const requestOf = (path: string): Buffer => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${options.servername}\r\nAccept: application/json\r\n${extra}\r\n`, 'latin1');
  const sockets = await Promise.all(Array.from({ length: options.clients }, () => open(options)));
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const until = start + options.durationMs;
  await Promise.all(sockets.map(async (socket, i) => {
    const conn = connection(socket, requestOf(options.paths[i % options.paths.length] ?? '/'));
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        const status = await conn.get();
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      } catch {
        errors++;
        return;
      }
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  for (const socket of sockets) socket.destroy();
  return { latencies, seconds, errors };
}

// Forked: each IPC message is one load to run; the answer goes back the same way.
if (process.send !== undefined) {
  process.on('message', (message: LoadRequest) => {
    runLoad(message).then(
      (result) => { process.send?.(result); },
      (error: unknown) => { process.send?.({ latencies: [], seconds: 0, errors: -1, message: error instanceof Error ? error.message : String(error) }); },
    );
  });
}
