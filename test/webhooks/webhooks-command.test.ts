// `tide webhooks` in-process: certificates from --cert-dir (reloaded when the files change) or from
// the kedaorg-certs Secret on the fake API server, flags, and the exit codes of bad input.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueBundle, serviceDnsNames, type CertificateBundle } from '../../src/kube/certificates/issue.js';
import { bundleFromSecret } from '../../src/kube/certificates/secret.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import { main } from '../../src/cli/main.js';
import { readWebhooksFlags, runWebhooks, type RunningWebhooks } from '../../src/cli/webhooks.js';
import type { CliIO } from '../../src/cli/io.js';
import { post, review } from './helpers.js';

const PATH = '/validate-keda-sh-v1alpha1-scaledobject';
const so = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'a', namespace: 'default' }, spec: { scaleTargetRef: { name: 'x' }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' } }] } };
const names = serviceDnsNames('keda', ['keda-admission-webhooks']);

let api: FakeApiServer;
let dir: string;
let kubeconfig: string;

function io(env: Record<string, string> = {}): CliIO & { err: string[] } {
  const err: string[] = [];
  return { stdout: () => undefined, stderr: (t) => { err.push(t); }, isTTY: false, cwd: dir, env, err };
}

/** Runs the command until the returned stop() is called. */
async function start(argv: string[], env: Record<string, string> = {}): Promise<{ running: RunningWebhooks; stop: () => Promise<number> }> {
  let release = (): void => undefined;
  const stopped = new Promise<void>((r) => { release = r; });
  let started: (r: RunningWebhooks) => void = () => undefined;
  const running = new Promise<RunningWebhooks>((r) => { started = r; });
  const exit = runWebhooks(readWebhooksFlags([...argv, '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0'], io(env)), io(env), () => stopped, started);
  const result = await Promise.race([running, exit.then((code) => { throw new Error(`exited with ${code}`); })]);
  return { running: result, stop: async () => { release(); return exit; } };
}

const writePair = async (folder: string, bundle: CertificateBundle): Promise<void> => {
  await writeFile(join(folder, 'tls.key'), bundle.tlsKey);
  await writeFile(join(folder, 'tls.crt'), bundle.tlsCert);
};

beforeAll(async () => {
  api = await startFakeApiServer({ builtinControllers: false });
  api.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
  dir = await mkdtemp(join(tmpdir(), 'tide-webhooks-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, api.kubeconfig);
});

afterAll(async () => {
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('tide webhooks', () => {
  it('serves the certificate of --cert-dir and switches when the files change', async () => {
    const certDir = join(dir, 'certs');
    await (await import('node:fs/promises')).mkdir(certDir);
    const first = await issueBundle({ dnsNames: names, now: new Date() });
    const second = await issueBundle({ dnsNames: names, now: new Date() });
    await writePair(certDir, first);
    const { running, stop } = await start(['--port', '0', '--cert-dir', 'certs', '--kubeconfig', kubeconfig]);
    const port = running.server.port;
    expect((await post(port, first.caCert, PATH, review(so).body)).body.response.allowed).toBe(true);

    await writePair(certDir, second);
    await vi.waitFor(async () => {
      expect((await post(port, second.caCert, PATH, review(so).body)).body.response.allowed).toBe(true);
    }, { timeout: 10_000, interval: 50 });
    await expect(post(port, first.caCert, PATH, review(so).body)).rejects.toThrow();
    expect(await stop()).toBe(0);
  });

  it('without --cert-dir issues kedaorg-certs in POD_NAMESPACE and serves it', async () => {
    const { running, stop } = await start(['--port', '0', '--kubeconfig', kubeconfig], { POD_NAMESPACE: 'keda' });
    const stored = bundleFromSecret(api.cluster.get('v1', 'Secret', 'keda', 'kedaorg-certs'));
    expect(stored).toBeDefined();
    expect(running.certificates.description).toBe('Secret keda/kedaorg-certs');
    expect((await post(running.server.port, stored?.caCert ?? '', PATH, review(so).body)).body.response.allowed).toBe(true);
    expect(await stop()).toBe(0);
  });

  it('exits 1 naming the file when --cert-dir has no certificate, 2 on a bad --port; has --help', async () => {
    const out = io();
    expect(await main(['webhooks', '--port', '0', '--cert-dir', 'missing', '--kubeconfig', kubeconfig], out)).toBe(1);
    expect(out.err.join('')).toContain(`cannot read ${join(dir, 'missing', 'tls.crt')}: ENOENT`);
    const bad = io();
    expect(await main(['webhooks', '--port', 'http'], bad)).toBe(2);
    expect(bad.err.join('')).toContain('--port must be a number');
    const texts: string[] = [];
    expect(await main(['webhooks', '--help'], { ...io(), stdout: (t) => { texts.push(t); } })).toBe(0);
    expect(texts.join('')).toContain('/validate-keda-sh-v1alpha1-');
  });
});
