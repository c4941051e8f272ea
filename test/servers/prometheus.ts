// Debian's Prometheus for the prometheus scaler tests: started on a free loopback port with a temp data
// dir, scraping a small exporter (a local HTTP server serving text exposition) every second.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpFixture, type HttpFixture } from './http-fixture.js';

/** A running Prometheus and the exporter it scrapes. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly exporter: HttpFixture;
  /** Polls an instant query, at a whole second as scalers send it, until it returns a series (the first scrape lands after ~5 s). */
  waitForSeries(query: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

/** Starts an exporter serving `metricsText` at /metrics and a Prometheus scraping it every second. */
export async function startPrometheus(metricsText: string): Promise<PrometheusServer> {
  const exporter = await startHttpFixture({ '/metrics': { contentType: 'text/plain; version=0.0.4', body: metricsText } });
  const dir = mkdtempSync(join(tmpdir(), 'tide-prometheus-'));
  const port = await freePort();
  const config = `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: ['${new URL(exporter.url).host}']\n`;
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    await exporter.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll('prometheus', 15_000, async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  const waitForSeries = (query: string, timeoutMs = 20_000): Promise<void> =>
    poll(`series ${query}`, timeoutMs, async () => {
      const time = Math.floor(Date.now() / 1000);
      const answer = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}&time=${time}`)).json()) as { data?: { result?: unknown[] } };
      return (answer.data?.result?.length ?? 0) > 0;
    });
  return { url, exporter, waitForSeries, stop };
}
