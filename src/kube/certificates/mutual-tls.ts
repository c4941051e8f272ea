// The mTLS material of the operator ↔ metrics adapter channel (KEDA mounts kedaorg-certs at /certs:
// ca.crt, tls.crt, tls.key): both sides present the shared serving pair and trust the shared CA. From
// a folder (--cert-dir), or from the kedaorg-certs Secret (issued there when missing or due).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeApi } from '../api.js';
import { readCertDir } from './cert-dir.js';
import { ensureCertificates } from './secret.js';

export interface MutualTlsMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export const CA_FILE = 'ca.crt';

export type MutualTlsSource =
  | { readonly certDir: string }
  | { readonly api: KubeApi; readonly namespace: string; readonly dnsNames: readonly string[]; readonly secretName?: string; readonly now?: () => Date };

/** Reads the CA and the pair; throws an Error naming the file or Secret when something is missing. */
export async function loadMutualTls(source: MutualTlsSource): Promise<MutualTlsMaterial> {
  if ('certDir' in source) {
    const pair = await readCertDir(source.certDir);
    const ca = await readFile(join(source.certDir, CA_FILE), 'utf8').catch((error: unknown) => {
      throw new Error(`cannot read ${join(source.certDir, CA_FILE)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    });
    return { ca, cert: pair.cert, key: pair.key };
  }
  const { bundle } = await ensureCertificates(source.api, {
    namespace: source.namespace,
    dnsNames: source.dnsNames,
    now: source.now ?? (() => new Date()),
    ...(source.secretName !== undefined ? { secretName: source.secretName } : {}),
  });
  return { ca: bundle.caCert, cert: bundle.tlsCert, key: bundle.tlsKey };
}
