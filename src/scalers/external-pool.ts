// gRPC channels to external scalers, shared by every trigger with the same address and TLS settings
// (as KEDA pools them), closed when the last trigger using one lets go.

import { createHash } from 'node:crypto';
import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { ExternalScalerClient } from './external-proto.js';
import { loadExternalProto, loadFor, loadGrpc } from './client-libraries.js';

/** Where an external scaler listens and how to reach it. */
export interface ExternalEndpoint {
  readonly scalerAddress: string;
  readonly enableTLS: boolean;
  readonly unsafeSsl: boolean;
  readonly caCert: string | undefined;
  readonly tlsClientCert: string | undefined;
  readonly tlsClientKey: string | undefined;
}

/** A pooled client and the function that gives it back. */
export interface PooledClient {
  readonly client: ExternalScalerClient;
  readonly release: () => void;
}

interface Entry {
  readonly client: ExternalScalerClient;
  refs: number;
}

const pool = new Map<string, Entry>();

// KEDA's client asks for round-robin over every address the name resolves to.
const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};

/** Whether KEDA would dial with TLS: enableTLS, a client key pair, or a CA. */
export function usesTLS(endpoint: ExternalEndpoint): boolean {
  return endpoint.enableTLS || hasKeyPair(endpoint) || Boolean(endpoint.caCert);
}

function hasKeyPair(endpoint: ExternalEndpoint): boolean {
  return Boolean(endpoint.tlsClientCert) && Boolean(endpoint.tlsClientKey);
}

type Grpc = Awaited<ReturnType<typeof loadGrpc>>;

function credentials(grpc: Grpc, endpoint: ExternalEndpoint): ChannelCredentials {
  if (!usesTLS(endpoint)) return grpc.credentials.createInsecure();
  const pair = hasKeyPair(endpoint);
  return grpc.credentials.createSsl(
    endpoint.caCert ? Buffer.from(endpoint.caCert) : null,
    pair && endpoint.tlsClientKey ? Buffer.from(endpoint.tlsClientKey) : null,
    pair && endpoint.tlsClientCert ? Buffer.from(endpoint.tlsClientCert) : null,
    endpoint.unsafeSsl ? { rejectUnauthorized: false } : {},
  );
}

// Hashed so the pool's keys never hold a client key in clear.
function poolKey(endpoint: ExternalEndpoint): string {
  const parts = [endpoint.scalerAddress, endpoint.enableTLS, endpoint.unsafeSsl, endpoint.caCert ?? '', endpoint.tlsClientCert ?? '', endpoint.tlsClientKey ?? ''];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** A client for the endpoint, shared with other triggers using the same address and TLS settings. */
export async function acquireClient(endpoint: ExternalEndpoint, signal: AbortSignal): Promise<PooledClient> {
  const [grpc, { ExternalScalerClient }] = await loadFor(() => Promise.all([loadGrpc(), loadExternalProto()]), signal);
  // From here on synchronous: concurrent connects to one address share one entry.
  const key = poolKey(endpoint);
  let entry = pool.get(key);
  if (!entry) {
    entry = { client: new ExternalScalerClient(new grpc.Client(endpoint.scalerAddress, credentials(grpc, endpoint), CHANNEL_OPTIONS)), refs: 0 };
    pool.set(key, entry);
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    client: held.client,
    release: () => {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      if (pool.get(key) === held) pool.delete(key);
      held.client.channel.close();
    },
  };
}

/** Number of open pooled channels (for tests). */
export function pooledChannelCount(): number {
  return pool.size;
}
