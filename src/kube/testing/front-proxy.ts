// The fake's aggregation-layer credentials, as kube-apiserver has them: a front-proxy CA and the
// client certificate (CN front-proxy-client) it presents to every APIService backend with the caller
// in X-Remote-User / X-Remote-Group, plus a client CA ("kubernetes") for direct client certificates.
// Both CAs are published at start in the ConfigMap kube-system/extension-apiserver-authentication,
// which aggregated API servers read (requestheader-* and client-ca-file keys). ECDSA P-256 keys keep
// start-up fast; kubeadm's are RSA, which changes nothing for the verifying side.
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the polyfill loaded before it
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import type { FakeCluster } from './cluster.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;
export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';

/** The identity a proxied request carries in X-Remote-User / X-Remote-Group. */
export interface ProxyIdentity {
  readonly user: string;
  readonly groups: readonly string[];
}

/** kube-controller-manager's HPA controller (its own ServiceAccount, as with --use-service-account-credentials). */
export const HPA_CONTROLLER_IDENTITY: ProxyIdentity = {
  user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

/** A client of the fake: it serves plain HTTP without authentication, so callers are the kubeconfig's admin. */
export const ADMIN_IDENTITY: ProxyIdentity = { user: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

export interface FrontProxyMaterial {
  readonly frontProxyCa: PemPair;
  /** CN front-proxy-client, clientAuth, signed by frontProxyCa. */
  readonly frontProxyClient: PemPair;
  /** The cluster's client CA (client-ca-file). */
  readonly clientCa: PemPair;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR_MS = 60 * 60 * 1000;
const YEAR_MS = 365 * 24 * HOUR_MS;

const serial = (): string => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
};

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function importPem(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, true, ['sign']);
}

/** A self-signed CA named `commonName`. */
export async function newCa(commonName: string, now = new Date()): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: `CN=${commonName}`, notBefore: new Date(now.getTime() - HOUR_MS), notAfter: new Date(now.getTime() + 10 * YEAR_MS), keys, signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await pkcs8Pem(keys.privateKey) };
}

/** A client certificate (clientAuth) with CN `user` and one O per group, signed by `ca`. */
export async function newClientCertificate(ca: PemPair, user: string, groups: readonly string[] = [], now = new Date()): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const subject = [`CN=${user}`, ...groups.map((g) => `O=${g}`)].join(', ');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject, issuer: caCert.subject, notBefore: new Date(now.getTime() - HOUR_MS), notAfter: new Date(now.getTime() + YEAR_MS),
    publicKey: keys.publicKey, signingKey: await importPem(ca.key), signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: await pkcs8Pem(keys.privateKey) };
}

const materials = new WeakMap<FakeCluster, FrontProxyMaterial>();

/** The cluster's aggregation credentials; undefined for a cluster not started by startFakeApiServer. */
export const frontProxyOf = (cluster: FakeCluster): FrontProxyMaterial | undefined => materials.get(cluster);

/** The ConfigMap data kube-apiserver publishes for these CAs. */
export function authenticationConfigMapData(m: Pick<FrontProxyMaterial, 'frontProxyCa' | 'clientCa'>): Record<string, string> {
  return {
    'client-ca-file': m.clientCa.cert,
    'requestheader-allowed-names': JSON.stringify([FRONT_PROXY_CLIENT_NAME]),
    'requestheader-client-ca-file': m.frontProxyCa.cert,
    'requestheader-extra-headers-prefix': JSON.stringify(['X-Remote-Extra-']),
    'requestheader-group-headers': JSON.stringify(['X-Remote-Group']),
    'requestheader-username-headers': JSON.stringify(['X-Remote-User']),
  };
}

/** Creates the CAs and the front-proxy client certificate, and publishes extension-apiserver-authentication. */
export async function setUpFrontProxy(cluster: FakeCluster): Promise<FrontProxyMaterial> {
  const now = new Date(cluster.clock());
  const [frontProxyCa, clientCa] = await Promise.all([newCa('front-proxy-ca', now), newCa('kubernetes', now)]);
  const material = { frontProxyCa, clientCa, frontProxyClient: await newClientCertificate(frontProxyCa, FRONT_PROXY_CLIENT_NAME, [], now) };
  materials.set(cluster, material);
  cluster.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...AUTHENTICATION_CONFIGMAP }, data: authenticationConfigMapData(material) });
  return material;
}

/** TLS options and headers of a request the aggregator proxies for `identity` (none when the cluster has no front proxy). */
export function proxiedRequestCredentials(cluster: FakeCluster, identity: ProxyIdentity): { tls: Partial<PemPair>; headers: Record<string, string | string[]> } {
  const material = frontProxyOf(cluster);
  if (material === undefined) return { tls: {}, headers: {} };
  return { tls: material.frontProxyClient, headers: { 'X-Remote-User': identity.user, 'X-Remote-Group': [...identity.groups] } };
}

/** The identity of a request to the fake: its Impersonate-User / Impersonate-Group headers (kubectl --as), else the admin. */
export function requestIdentity(headers: NodeJS.Dict<string[]>): ProxyIdentity {
  const user = headers['impersonate-user']?.[0];
  if (user === undefined || user === '') return ADMIN_IDENTITY;
  const groups = (headers['impersonate-group'] ?? []).filter((g) => g !== '');
  return { user, groups: [...groups, 'system:authenticated'] };
}
