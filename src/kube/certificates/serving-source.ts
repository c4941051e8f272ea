// Where a tide server (webhooks, metrics adapter) gets its serving certificate, and how it learns of a
// new one: from --cert-dir (watched), or from the kedaorg-certs Secret (issued there when missing or
// due, re-checked periodically as cert-controller does every 12 hours). Either way the server is told
// of a change through `onChange` and swaps its TLS context.
import type { KubeApi } from '../api.js';
import { readCertDir, watchCertDir, type ServingPair } from './cert-dir.js';
import { ensureCertificates } from './secret.js';

export type CertificateSourceOptions =
  | { readonly certDir: string }
  | {
      readonly api: KubeApi;
      readonly namespace: string;
      readonly secretName?: string;
      readonly dnsNames: readonly string[];
      readonly now?: () => Date;
      /** Default 12 h. */
      readonly recheckMs?: number;
    };

export interface CertificateSource {
  readonly initial: ServingPair;
  /** Where the certificate comes from, for logs. */
  readonly description: string;
  stop(): void;
}

export const RECHECK_MS = 12 * 60 * 60 * 1000;

/** Reads the certificate now and keeps `onChange` informed of renewals until stopped. */
export async function startCertificateSource(
  options: CertificateSourceOptions,
  onChange: (pair: ServingPair) => void,
  onError: (error: Error) => void,
): Promise<CertificateSource> {
  if ('certDir' in options) {
    const initial = await readCertDir(options.certDir);
    const stop = watchCertDir(options.certDir, initial, onChange, onError);
    return { initial, description: `${options.certDir}/tls.crt`, stop };
  }
  const ensure = async (): Promise<ServingPair> => {
    const { bundle } = await ensureCertificates(options.api, {
      namespace: options.namespace,
      dnsNames: options.dnsNames,
      now: options.now ?? (() => new Date()),
      ...(options.secretName !== undefined ? { secretName: options.secretName } : {}),
    });
    return { cert: bundle.tlsCert, key: bundle.tlsKey };
  };
  const initial = await ensure();
  let last = initial;
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return; // a slow check (issuing keys) never overlaps the next one
    checking = true;
    ensure().then((pair) => {
      if (pair.cert === last.cert) return;
      last = pair;
      onChange(pair);
    }, (error: unknown) => { onError(error instanceof Error ? error : new Error(String(error))); }).finally(() => { checking = false; });
  }, options.recheckMs ?? RECHECK_MS);
  timer.unref();
  return { initial, description: `Secret ${options.namespace}/${options.secretName ?? 'kedaorg-certs'}`, stop: () => { clearInterval(timer); } };
}
