// Issuing the self-signed CA and the serving certificate that the webhooks, the metrics adapter and
// the operator's metrics service share, as KEDA's cert rotator (open-policy-agent/cert-controller)
// does: RSA 2048 keys, a CA valid 10 years, a serving certificate valid 1 year for every service DNS
// name, both back-dated one hour against clock skew. Node's crypto cannot sign certificates, so
// @peculiar/x509 does the ASN.1 and WebCrypto the signing.
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the polyfill loaded before it
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** PEM text of the CA and the serving pair, as the Secret and --cert-dir hold them. */
export interface CertificateBundle {
  readonly caCert: string;
  readonly caKey: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
/** cert-controller's defaults, which KEDA keeps. */
export const CA_LIFETIME_MS = 10 * 365 * DAY_MS;
export const SERVING_LIFETIME_MS = 365 * DAY_MS;
const BACKDATE_MS = 60 * 60 * 1000;

/** KEDA's names (CAName "KEDA", CAOrganization "KEDAORG"). */
export const CA_COMMON_NAME = 'KEDA';
export const CA_ORGANIZATION = 'KEDAORG';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

export interface IssueOptions {
  /** DNS names of the serving certificate; the first is its common name. */
  readonly dnsNames: readonly string[];
  readonly now: Date;
  readonly caLifetimeMs?: number;
  readonly servingLifetimeMs?: number;
}

/** `<svc>.<ns>.svc` and `<svc>.<ns>.svc.cluster.local` for each service, the names the API server dials. */
export function serviceDnsNames(namespace: string, services: readonly string[]): string[] {
  return services.flatMap((svc) => [`${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.cluster.local`]);
}

/** The Services of KEDA's three components, which share the one `kedaorg-certs` serving certificate. */
export const KEDA_SERVICES = ['keda-operator', 'keda-metrics-apiserver', 'keda-admission-webhooks'] as const;

/**
 * The DNS names of the shared certificate: every component asks for all of them, so whichever renews
 * the Secret first writes a certificate the others accept (a narrower list would make them re-issue
 * it over each other, since renewal triggers on a missing name).
 */
export function kedaCertificateDnsNames(namespace: string): string[] {
  return serviceDnsNames(namespace, KEDA_SERVICES);
}

/** KEDA's four names of a service (getDNSNames): `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<cluster domain>`. */
export function kedaServiceDnsNames(namespace: string, service: string, clusterDomain: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}

/**
 * The names the operator's certificate rotation issues for: KEDA's four per service (the webhooks'
 * only when it patches the webhook configuration), plus every name the other components ask for
 * (`kedaCertificateDnsNames`), so the certificate the operator writes never looks short of a name to
 * them and nobody re-issues over anybody.
 */
export function operatorCertificateDnsNames(namespace: string, services: readonly string[], clusterDomain: string): string[] {
  return [...new Set([...services.flatMap((svc) => kedaServiceDnsNames(namespace, svc, clusterDomain)), ...kedaCertificateDnsNames(namespace)])];
}

/** A positive serial number of 128 random bits, hex (RFC 5280 allows up to 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  // Go's cert-controller writes PKCS#1 ("RSA PRIVATE KEY"); keep the same shape in the Secret.
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }).toString();
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, RSA, true, ['sign']);
}

const newKeys = async (): Promise<CryptoKeyPair> => webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);

/** A new self-signed CA: cert and key PEM. */
export async function issueCa(now: Date, lifetimeMs = CA_LIFETIME_MS): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const name = `CN=${CA_COMMON_NAME}, O=${CA_ORGANIZATION}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + lifetimeMs),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** A serving certificate for `dnsNames`, signed by the CA given as PEM. */
export async function issueServing(ca: { cert: string; key: string }, dnsNames: readonly string[], now: Date, lifetimeMs = SERVING_LIFETIME_MS): Promise<{ cert: string; key: string }> {
  const [commonName] = dnsNames;
  if (commonName === undefined) throw new Error('a serving certificate needs at least one DNS name');
  const caCert = new x509.X509Certificate(ca.cert);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + lifetimeMs),
    publicKey: keys.publicKey,
    signingKey: await importKeyPem(ca.key),
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      // clientAuth too: the operator and the metrics adapter present this pair to each other (mTLS), as KEDA configures cert-controller.
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** A new CA and serving certificate. */
export async function issueBundle(options: IssueOptions): Promise<CertificateBundle> {
  const ca = await issueCa(options.now, options.caLifetimeMs);
  const serving = await issueServing(ca, options.dnsNames, options.now, options.servingLifetimeMs);
  return { caCert: ca.cert, caKey: ca.key, tlsCert: serving.cert, tlsKey: serving.key };
}

/** The caBundle field of a webhook configuration or APIService: the CA PEM, base64. */
export const caBundle = (bundle: Pick<CertificateBundle, 'caCert'>): string => Buffer.from(bundle.caCert).toString('base64');
