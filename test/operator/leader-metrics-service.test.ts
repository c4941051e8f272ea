// `tide operator --leader-elect`, two replicas as `runOperator` runs them: only the leader serves the
// metrics service (:9666), as KEDA's gRPC server runs only on the leader; the standby's port opens
// when it takes the Lease over.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readOperatorFlags, runOperator } from '../../src/cli/operator.js';
import type { CliIO } from '../../src/cli/io.js';
import { issueBundle } from '../../src/kube/certificates/issue.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import { waitFor } from '../e2e/cluster.js';

let server: FakeApiServer;
const dir = mkdtempSync(join(tmpdir(), 'tide-leader-ms-'));

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
  server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
  writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig);
  const bundle = await issueBundle({ dnsNames: ['keda-operator.keda.svc'], now: new Date() });
  writeFileSync(join(dir, 'ca.crt'), bundle.caCert);
  writeFileSync(join(dir, 'tls.crt'), bundle.tlsCert);
  writeFileSync(join(dir, 'tls.key'), bundle.tlsKey);
});

afterAll(async () => {
  await server.stop();
});

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => { r(); }));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/** True when something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { resolve(false); });
  });
}

function replica(port: number): { stop: () => void; done: Promise<number> } {
  const io: CliIO = {
    stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: dir,
    env: { POD_NAMESPACE: 'keda', KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION: '1500ms', KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE: '1s', KEDA_OPERATOR_LEADER_ELECTION_RETRY_PERIOD: '100ms', LOG_LEVEL: 'error' },
  };
  const flags = readOperatorFlags(['--kubeconfig', 'kubeconfig.yaml', '--leader-elect', '--cert-dir', dir, '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0', '--metrics-service-bind-address', `127.0.0.1:${port}`], io);
  let stop = (): void => undefined;
  const stopped = new Promise<void>((r) => { stop = r; });
  return { stop, done: runOperator(flags, io, () => stopped, 'test') };
}

describe('tide operator --leader-elect and the metrics service', () => {
  test('only the leader listens on the metrics service port; the standby opens it when it takes over', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = replica(portA);
    await waitFor(() => listening(portA), (up) => up, "the leader's metrics service", 20_000, 100);
    const b = replica(portB);
    // b is running (its informers synced, /readyz would say so) but does not hold the Lease.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await listening(portB)).toBe(false);
    a.stop();
    expect(await a.done).toBe(0);
    await waitFor(() => listening(portB), (up) => up, "the new leader's metrics service", 20_000, 100);
    b.stop();
    expect(await b.done).toBe(0);
  }, 60_000);
});
