// When to issue certificates again. Renewal starts once less than a third of a certificate's lifetime
// is left (a one-year serving certificate is renewed after eight months, well before it expires), and
// whenever the stored material cannot be used: unparsable, a key that does not match, a serving
// certificate not signed by the CA or missing one of the DNS names now needed.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { issueBundle, issueServing, type CertificateBundle, type IssueOptions } from './issue.js';

/** What has to be issued again: everything, only the serving pair, or nothing. */
export type Renewal = 'all' | 'serving' | undefined;

/** True when less than a third of the certificate's validity is left at `now` (or it is not yet valid). */
export function nearExpiry(cert: X509Certificate, now: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  const t = now.getTime();
  return t < from || to - t < (to - from) / 3;
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** Which part of `bundle` must be issued again for `dnsNames` at `now`. */
export function renewalNeeded(bundle: CertificateBundle | undefined, dnsNames: readonly string[], now: Date): Renewal {
  if (bundle === undefined) return 'all';
  const ca = parse(bundle.caCert);
  if (ca === undefined || !ca.ca || !keyMatches(ca, bundle.caKey) || nearExpiry(ca, now)) return 'all';
  const serving = parse(bundle.tlsCert);
  if (serving === undefined || !keyMatches(serving, bundle.tlsKey) || !serving.verify(ca.publicKey) || nearExpiry(serving, now)) return 'serving';
  if (!dnsNames.every((name) => serving.checkHost(name, { wildcards: false }) !== undefined)) return 'serving';
  return undefined;
}

/** `bundle` unchanged when still good, else with what had to be issued again (the CA kept when it is). */
export async function renewIfNeeded(bundle: CertificateBundle | undefined, options: IssueOptions): Promise<{ bundle: CertificateBundle; renewed: Renewal }> {
  const renewed = renewalNeeded(bundle, options.dnsNames, options.now);
  if (renewed === undefined && bundle !== undefined) return { bundle, renewed };
  if (renewed === 'serving' && bundle !== undefined) {
    const serving = await issueServing({ cert: bundle.caCert, key: bundle.caKey }, options.dnsNames, options.now, options.servingLifetimeMs);
    return { bundle: { ...bundle, tlsCert: serving.cert, tlsKey: serving.key }, renewed };
  }
  return { bundle: await issueBundle(options), renewed: 'all' };
}
