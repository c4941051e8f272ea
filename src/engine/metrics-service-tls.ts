// The metrics service's mTLS material kept current while the adapter and the operator run: the
// kedaorg-certs Secret (or --cert-dir) is watched through startCertificateSource, and on a change the
// whole material (CA included) is read again and handed to gRPC through a certificate provider, which
// grpc-js applies in place: the server's listening socket takes the new context for new handshakes
// (no rebinding of the port), the client's channel uses it for its next connection. Connections
// already established keep the session they were authenticated with, as any TLS server's do.
import type * as grpc from '@grpc/grpc-js';
import type { KubeApi } from '../kube/api.js';
import type { MutualTls } from './metrics-service-grpc.js';

type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** One side's CA and pair for grpc-js, replaceable at any time; a new listener is told the current material. */
export class MutualTlsProvider implements grpc.experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(private tls: MutualTls) {}

  get current(): MutualTls {
    return this.tls;
  }

  set(tls: MutualTls): void {
    this.tls = tls;
    for (const listener of this.caListeners) listener({ caCertificate: Buffer.from(tls.ca) });
    for (const listener of this.identityListeners) listener({ certificate: Buffer.from(tls.cert), privateKey: Buffer.from(tls.key) });
  }

  // The current material goes to a new listener on the next microtask, not during the call: grpc-js's
  // server credentials register their own watcher only after adding the listener, and would miss it.
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => { if (this.caListeners.has(listener)) listener({ caCertificate: Buffer.from(this.tls.ca) }); });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => { if (this.identityListeners.has(listener)) listener({ certificate: Buffer.from(this.tls.cert), privateKey: Buffer.from(this.tls.key) }); });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

export type MutualTlsSourceOptions =
  | { readonly certDir: string }
  | { readonly api: KubeApi; readonly namespace: string; readonly dnsNames: readonly string[]; readonly secretName?: string; readonly recheckMs?: number };

export interface MutualTlsSource {
  readonly initial: MutualTls;
  /** Where the material comes from, for logs. */
  readonly description: string;
  stop(): void;
}

/**
 * Reads the material now and tells `onChange` of every new serving pair with the CA read again beside
 * it (the operator's rotation replaces a CA together with the pair it signs). A failed re-read goes to
 * `onError` and the current material stays.
 */
export async function startMutualTlsSource(options: MutualTlsSourceOptions, onChange: (tls: MutualTls) => void, onError: (error: Error) => void): Promise<MutualTlsSource> {
  // Loaded here: @peculiar/x509 costs every other tide command ~100 ms of start-up.
  const { loadMutualTls } = await import('../kube/certificates/mutual-tls.js');
  const { startCertificateSource } = await import('../kube/certificates/serving-source.js');
  let pending: Promise<void> = Promise.resolve();
  let last: MutualTls | undefined;
  const source = await startCertificateSource(options, () => {
    // One re-read at a time, in order, so a slow one never overwrites a newer one.
    pending = pending.then(async () => {
      try {
        const tls = await loadMutualTls(options);
        if (last !== undefined && tls.ca === last.ca && tls.cert === last.cert && tls.key === last.key) return;
        last = tls;
        onChange(tls);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }, onError);
  try {
    last = await loadMutualTls(options);
  } catch (error) {
    source.stop();
    throw error;
  }
  return { initial: last, description: source.description, stop: () => { source.stop(); } };
}
