// An own nats-server with JetStream and the HTTP monitoring port (the machine's NATS has none) on
// free ports of 127.0.0.1, its store in a temporary directory removed on stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Debian binary (package nats-server). */
export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsServer {
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Monitoring `host:port`, as natsServerMonitoringEndpoint takes it. */
  readonly monitoring: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

async function waitForMonitoring(monitoring: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${String(child.exitCode)}`);
    const ok = await fetch(`http://${monitoring}/healthz?js-enabled-only=true`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('nats-server did not become healthy');
}

/** Starts nats-server with JetStream and monitoring; resolves once /healthz answers. */
export async function startNats(): Promise<NatsServer> {
  const [port, monitorPort] = [await freePort(), await freePort()];
  const store = mkdtempSync(join(tmpdir(), 'tide-nats-'));
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-sd', store], { stdio: 'ignore' });
  const monitoring = `127.0.0.1:${monitorPort}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(store, { recursive: true, force: true });
  };
  try {
    await waitForMonitoring(monitoring, child, 5000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `nats://127.0.0.1:${port}`, monitoring, stop };
}
