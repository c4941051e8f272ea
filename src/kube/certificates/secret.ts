// The certificates' home in the cluster: a Secret shaped like KEDA's `kedaorg-certs` (data keys
// ca.crt, ca.key, tls.crt, tls.key, as cert-controller writes them), so tide can take over a cluster
// KEDA ran in, and KEDA's pods could read what tide wrote. ensureCertificates loads it, renews what
// is due, and writes it back with the resourceVersion as precondition: two replicas racing to renew
// get a 409 and the loser reads the winner's certificates instead of overwriting them.
import type { KubeApi, KubeObject } from '../api.js';
import { isConflict } from '../api.js';
import type { CertificateBundle } from './issue.js';
import { renewIfNeeded, type Renewal } from './rotation.js';

export const CERTS_SECRET_NAME = 'kedaorg-certs';

const KEYS = { caCert: 'ca.crt', caKey: 'ca.key', tlsCert: 'tls.crt', tlsKey: 'tls.key' } as const;

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** The Secret holding `bundle` (data base64 as the API wants it). */
export function bundleToSecret(namespace: string, name: string, bundle: CertificateBundle): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'keda-operator' } },
    type: 'Opaque',
    data: { [KEYS.caCert]: b64(bundle.caCert), [KEYS.caKey]: b64(bundle.caKey), [KEYS.tlsCert]: b64(bundle.tlsCert), [KEYS.tlsKey]: b64(bundle.tlsKey) },
  };
}

/** The bundle in a Secret, or undefined when a key is missing or empty (a Secret created empty by a chart). */
export function bundleFromSecret(secret: object | undefined): CertificateBundle | undefined {
  const data = (secret as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const read = (key: string): string | undefined => {
    const value = (data as Record<string, unknown>)[key];
    return typeof value === 'string' && value !== '' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
  };
  const [caCert, caKey, tlsCert, tlsKey] = [read(KEYS.caCert), read(KEYS.caKey), read(KEYS.tlsCert), read(KEYS.tlsKey)];
  if (caCert === undefined || caKey === undefined || tlsCert === undefined || tlsKey === undefined) return undefined;
  return { caCert, caKey, tlsCert, tlsKey };
}

export interface EnsureCertificatesOptions {
  readonly namespace: string;
  /** Default kedaorg-certs. */
  readonly secretName?: string;
  readonly dnsNames: readonly string[];
  readonly now: () => Date;
  readonly caLifetimeMs?: number;
  readonly servingLifetimeMs?: number;
}

/** Loads the certificates Secret, renews what is due, stores it; returns the bundle in force and what was renewed. */
export async function ensureCertificates(api: KubeApi, options: EnsureCertificatesOptions): Promise<{ bundle: CertificateBundle; renewed: Renewal }> {
  const name = options.secretName ?? CERTS_SECRET_NAME;
  for (let attempt = 0; ; attempt++) {
    const existing = await api.get('v1', 'Secret', options.namespace, name);
    const { bundle, renewed } = await renewIfNeeded(bundleFromSecret(existing), {
      dnsNames: options.dnsNames,
      now: options.now(),
      ...(options.caLifetimeMs !== undefined ? { caLifetimeMs: options.caLifetimeMs } : {}),
      ...(options.servingLifetimeMs !== undefined ? { servingLifetimeMs: options.servingLifetimeMs } : {}),
    });
    if (renewed === undefined) return { bundle, renewed };
    const secret = bundleToSecret(options.namespace, name, bundle);
    try {
      if (existing === undefined) await api.create(secret);
      else await api.replace({ ...existing, type: existing.type ?? 'Opaque', data: { ...(existing.data as Record<string, string> | undefined), ...(secret.data as Record<string, string>) } });
      return { bundle, renewed };
    } catch (error) {
      if (!isConflict(error) || attempt >= 2) throw error;
    }
  }
}
