// Client certificate checks of an aggregated API server (k8s.io/apiserver's x509 authenticator): the
// chain the client sent must lead to one of the given CAs, every certificate must be within its
// validity, issuers must be CAs, and the leaf must allow clientAuth when it lists extended key usages.
// Verified here rather than by the TLS layer because two CA sets (front proxy, client CA) decide
// different things and both rotate while the server runs.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_USAGE = '2.5.29.37.0';
const MAX_CHAIN = 10;

/** The certificates of a PEM bundle; throws when a block is not a certificate. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/** The chain the client presented on this request's TLS connection, leaf first (empty without one). */
export function peerChain(req: IncomingMessage): X509Certificate[] {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return [];
  // Without a certificate the object is empty, and issuerCertificate ends where the client's chain does.
  let cert = socket.getPeerCertificate(true) as Partial<DetailedPeerCertificate> | undefined;
  const chain: X509Certificate[] = [];
  while (cert?.raw !== undefined && chain.length < MAX_CHAIN) {
    const parsed = new X509Certificate(cert.raw);
    if (chain.some((c) => c.raw.equals(parsed.raw))) break;
    chain.push(parsed);
    cert = cert.issuerCertificate;
  }
  return chain;
}

function timeError(cert: X509Certificate, now: Date): string | undefined {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) return `x509: certificate has expired or is not yet valid: current time ${now.toISOString()} is before ${from.toISOString()}`;
  if (now > to) return `x509: certificate has expired or is not yet valid: current time ${now.toISOString()} is after ${to.toISOString()}`;
  return undefined;
}

const issues = (issuer: X509Certificate, cert: X509Certificate): boolean => issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/** The path from `chain`'s leaf to one of `roots` (leaf first, root last), or Go's wording of why there is none. */
export function verifyClientChainPath(chain: readonly X509Certificate[], roots: readonly X509Certificate[], now: Date): { readonly path: readonly X509Certificate[] } | { readonly error: string } {
  const [leaf, ...intermediates] = chain;
  if (leaf === undefined) return { error: 'x509: no client certificate' };
  const usages: unknown = leaf.keyUsage; // undefined without the extension, despite its type
  if (Array.isArray(usages) && usages.length > 0 && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_USAGE)) {
    return { error: 'x509: certificate specifies an incompatible key usage' };
  }
  const path: X509Certificate[] = [];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const expired = timeError(current, now);
    if (expired !== undefined) return { error: expired };
    path.push(current);
    const root = roots.find((r) => issues(r, current) || r.raw.equals(current.raw));
    if (root !== undefined) {
      const rootExpired = timeError(root, now);
      if (rootExpired !== undefined) return { error: rootExpired };
      if (root !== current) path.push(root);
      return { path };
    }
    const next = intermediates.find((i) => i !== current && issues(i, current));
    if (next === undefined) break;
    current = next;
  }
  return { error: 'x509: certificate signed by unknown authority' };
}

/** Undefined when `chain` (leaf first, then intermediates) leads to one of `roots`; else Go's wording of why not. */
export function verifyClientChain(chain: readonly X509Certificate[], roots: readonly X509Certificate[], now: Date): string | undefined {
  const verdict = verifyClientChainPath(chain, roots, now);
  return 'error' in verdict ? verdict.error : undefined;
}

/** The values of one attribute (CN, O) of a certificate's subject. */
export function subjectValues(cert: X509Certificate, attribute: string): string[] {
  return cert.subject.split('\n').filter((line) => line.startsWith(`${attribute}=`)).map((line) => line.slice(attribute.length + 1));
}
