import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApi } from '../../../src/kube/api.js';
import { loadClientConfig } from '../../../src/kube/client-config.js';
import { DAY_MS, caBundle, issueBundle, serviceDnsNames, type CertificateBundle } from '../../../src/kube/certificates/issue.js';
import { renewIfNeeded, renewalNeeded } from '../../../src/kube/certificates/rotation.js';
import { bundleFromSecret, bundleToSecret, ensureCertificates } from '../../../src/kube/certificates/secret.js';
import { startFakeApiServer, type FakeApiServer } from '../../../src/kube/testing/index.js';

const names = serviceDnsNames('keda', ['keda-admission-webhooks', 'keda-metrics-apiserver']);
const t0 = new Date('2026-01-01T00:00:00Z');
let bundle: CertificateBundle;

beforeAll(async () => {
  bundle = await issueBundle({ dnsNames: names, now: t0 });
});

/** GET / over TLS to a server with `pair`, trusting `ca`, asking for `servername`. */
async function tlsGet(pair: { cert: string; key: string }, ca: string, servername: string): Promise<string> {
  const server = createServer({ cert: pair.cert, key: pair.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca, servername }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => { resolve(body); });
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

describe('issued certificates', () => {
  it('chain: a CA that signed a serving certificate for every service name', () => {
    expect(names).toEqual([
      'keda-admission-webhooks.keda.svc', 'keda-admission-webhooks.keda.svc.cluster.local',
      'keda-metrics-apiserver.keda.svc', 'keda-metrics-apiserver.keda.svc.cluster.local',
    ]);
    const ca = new X509Certificate(bundle.caCert);
    const serving = new X509Certificate(bundle.tlsCert);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=KEDA');
    expect(serving.ca).toBe(false);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkIssued(ca)).toBe(true);
    for (const name of names) expect(serving.checkHost(name)).toBe(name);
    expect(serving.checkHost('other.keda.svc')).toBeUndefined();
    expect(Date.parse(serving.validTo) - t0.getTime()).toBe(365 * DAY_MS);
    expect(bundle.tlsKey).toContain('BEGIN RSA PRIVATE KEY');
    expect(Buffer.from(caBundle(bundle), 'base64').toString()).toBe(bundle.caCert);
  });

  it('a TLS client trusting only the CA connects by service name; one trusting another CA does not', async () => {
    const pair = { cert: bundle.tlsCert, key: bundle.tlsKey };
    expect(await tlsGet(pair, bundle.caCert, 'keda-admission-webhooks.keda.svc')).toBe('ok');
    const other = await issueBundle({ dnsNames: names, now: t0 });
    await expect(tlsGet(pair, other.caCert, 'keda-admission-webhooks.keda.svc')).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    await expect(tlsGet(pair, bundle.caCert, 'evil.example.com')).rejects.toThrow(/altnames|Hostname/i);
  });
});

describe('rotation', () => {
  const at = (days: number): Date => new Date(t0.getTime() + days * DAY_MS);

  it('renews the serving pair once less than a third of its year is left, the CA once its own third is reached', () => {
    expect(renewalNeeded(bundle, names, at(1))).toBeUndefined();
    expect(renewalNeeded(bundle, names, at(240))).toBeUndefined();
    expect(renewalNeeded(bundle, names, at(246))).toBe('serving');
    expect(renewalNeeded(bundle, names, at(400))).toBe('serving');
    expect(renewalNeeded(bundle, names, at(10 * 365 * 0.7))).toBe('all');
  });

  it('renews for a new DNS name, a mismatched key, garbage and nothing at all', () => {
    expect(renewalNeeded(bundle, [...names, 'keda-operator.keda.svc'], at(1))).toBe('serving');
    const other = { ...bundle, tlsKey: bundle.caKey };
    expect(renewalNeeded(other, names, at(1))).toBe('serving');
    expect(renewalNeeded({ ...bundle, caCert: 'garbage' }, names, at(1))).toBe('all');
    expect(renewalNeeded(undefined, names, at(1))).toBe('all');
  });

  it('keeps the CA when only the serving pair is due, and the new pair verifies against it', async () => {
    const { bundle: next, renewed } = await renewIfNeeded(bundle, { dnsNames: names, now: at(300) });
    expect(renewed).toBe('serving');
    expect(next.caCert).toBe(bundle.caCert);
    expect(next.tlsCert).not.toBe(bundle.tlsCert);
    expect(renewalNeeded(next, names, at(301))).toBeUndefined();
    expect(new X509Certificate(next.tlsCert).verify(new X509Certificate(bundle.caCert).publicKey)).toBe(true);
    const same = await renewIfNeeded(bundle, { dnsNames: names, now: at(2) });
    expect(same).toEqual({ bundle, renewed: undefined });
  });
});

describe('kedaorg-certs Secret', () => {
  let server: FakeApiServer;
  let api: KubeApi;
  beforeAll(async () => {
    server = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
    api = new KubeApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
  });
  afterAll(async () => { await server.stop(); });

  it('round trip through the Secret shape (ca.crt, ca.key, tls.crt, tls.key)', () => {
    const secret = bundleToSecret('keda', 'kedaorg-certs', bundle);
    expect(Object.keys(secret.data as object).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(bundleFromSecret(secret)).toEqual(bundle);
    expect(bundleFromSecret({ ...secret, data: { 'ca.crt': '' } })).toBeUndefined();
  });

  it('creates the Secret, reuses it, renews it near expiry keeping the CA, and takes over an empty chart Secret', async () => {
    let now = t0;
    const options = { namespace: 'keda', dnsNames: names, now: () => now };
    const first = await ensureCertificates(api, options);
    expect(first.renewed).toBe('all');
    const stored = bundleFromSecret(server.cluster.get('v1', 'Secret', 'keda', 'kedaorg-certs'));
    expect(stored).toEqual(first.bundle);

    now = new Date(t0.getTime() + 30 * DAY_MS);
    const again = await ensureCertificates(api, options);
    expect(again).toEqual({ bundle: first.bundle, renewed: undefined });

    now = new Date(t0.getTime() + 300 * DAY_MS);
    const rotated = await ensureCertificates(api, options);
    expect(rotated.renewed).toBe('serving');
    expect(rotated.bundle.caCert).toBe(first.bundle.caCert);
    expect(bundleFromSecret(server.cluster.get('v1', 'Secret', 'keda', 'kedaorg-certs'))?.tlsCert).toBe(rotated.bundle.tlsCert);

    server.cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty-certs', namespace: 'keda' }, type: 'Opaque' });
    const taken = await ensureCertificates(api, { ...options, secretName: 'empty-certs' });
    expect(taken.renewed).toBe('all');
    expect(bundleFromSecret(server.cluster.get('v1', 'Secret', 'keda', 'empty-certs'))).toEqual(taken.bundle);
  });
});
