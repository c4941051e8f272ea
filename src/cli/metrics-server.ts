// `tide metrics-server`: KEDA's metrics adapter (keda-metrics-apiserver) with its flags. It holds no
// scalers: every request goes to the operator's metrics service (gRPC, mTLS) at
// --metrics-service-address. Certificates: --cert-dir (ca.crt, tls.crt, tls.key, as KEDA mounts
// /certs), else the kedaorg-certs Secret of the pod's namespace. Logs go to stderr.
import { resolve } from 'node:path';
import { MetricsServiceClient } from '../engine/metrics-service-grpc.js';
import { KubeApi } from '../kube/api.js';
import { loadClientConfig } from '../kube/client-config.js';
import { KubeconfigError } from '../kube/errors.js';
import { startMetricsApiServer, type MetricsApiServer } from '../metrics-server/server.js';
import { createLogger } from '../telemetry/logger.js';
import { numberFlag, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { untilSignal } from './signals.js';

const OPTIONS = {
  kubeconfig: { type: 'string' },
  'secure-port': { type: 'string' },
  'cert-dir': { type: 'string' },
  'metrics-service-address': { type: 'string' },
  'metrics-service-grpc-authority': { type: 'string' },
} as const;

/** KEDA's Service names: the adapter's certificate and the operator's must be valid for them. */
export const METRICS_APISERVER_SERVICE = 'keda-metrics-apiserver';
export const OPERATOR_SERVICE = 'keda-operator';

export interface MetricsServerFlags {
  readonly kubeconfig: string | undefined;
  readonly securePort: number;
  readonly certDir: string | undefined;
  readonly metricsServiceAddress: string;
  readonly authority: string | undefined;
  /** POD_NAMESPACE, else KEDA_CLUSTER_OBJECT_NAMESPACE, else keda. */
  readonly namespace: string;
}

/** Reads the flags and environment. */
export function readMetricsServerFlags(argv: readonly string[], io: CliIO): MetricsServerFlags {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
  const securePort = numberFlag('secure-port', values['secure-port'], 6443);
  if (!Number.isInteger(securePort) || securePort > 65535) throw new UsageError(`--secure-port must be a port number (0-65535), got "${values['secure-port'] ?? ''}"`);
  const namespace = io.env.POD_NAMESPACE ?? io.env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda';
  const address = values['metrics-service-address'] ?? `${OPERATOR_SERVICE}.${namespace}.svc.cluster.local:9666`;
  if (!/^.+:\d+$/.test(address)) throw new UsageError(`--metrics-service-address must be host:port, got "${address}"`);
  return {
    kubeconfig: values.kubeconfig === undefined ? undefined : resolve(io.cwd, values.kubeconfig),
    securePort,
    certDir: values['cert-dir'] === undefined ? undefined : resolve(io.cwd, values['cert-dir']),
    metricsServiceAddress: address,
    authority: values['metrics-service-grpc-authority'],
    namespace,
  };
}

/** Runs the adapter until `stopped` resolves; `onStarted` sees the server (tests). */
export async function runMetricsServer(flags: MetricsServerFlags, io: CliIO, stopped: () => Promise<unknown>, onStarted?: (server: MetricsApiServer) => void): Promise<number> {
  const log = createLogger({ name: 'tide-metrics-server', destination: process.stderr });
  // Loaded here: @peculiar/x509 costs every other tide command ~100 ms of start-up.
  const { loadMutualTls } = await import('../kube/certificates/mutual-tls.js');
  const { kedaCertificateDnsNames } = await import('../kube/certificates/issue.js');
  let tls;
  try {
    if (flags.certDir !== undefined) {
      tls = await loadMutualTls({ certDir: flags.certDir });
    } else {
      let api: KubeApi;
      try {
        api = new KubeApi(loadClientConfig({ kubeconfig: flags.kubeconfig, env: io.env }), { userAgent: 'tide-metrics-server' });
      } catch (error) {
        if (error instanceof KubeconfigError) throw new InputError(error.message);
        throw error;
      }
      tls = await loadMutualTls({ api, namespace: flags.namespace, dnsNames: kedaCertificateDnsNames(flags.namespace) });
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    io.stderr(`tide metrics-server: no certificates: ${error instanceof Error ? error.message : String(error)}\n`);
    return flags.certDir !== undefined ? ExitCode.invalid : ExitCode.unreachable;
  }
  const host = flags.metricsServiceAddress.slice(0, flags.metricsServiceAddress.lastIndexOf(':'));
  const client = new MetricsServiceClient({ address: flags.metricsServiceAddress, tls, authority: flags.authority ?? host });
  let server: MetricsApiServer;
  try {
    server = await startMetricsApiServer({ port: flags.securePort, certificate: { cert: tls.cert, key: tls.key }, service: client, log });
  } catch (error) {
    client.close();
    throw new InputError(`cannot listen on port ${flags.securePort}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  log.info('external metrics API listening', { port: server.port, metricsService: flags.metricsServiceAddress });
  onStarted?.(server);
  await stopped();
  await server.close();
  client.close();
  return ExitCode.ok;
}


export const metricsServerCommand: Command = {
  name: 'metrics-server',
  summary: 'serve external.metrics.k8s.io for the HPA (KEDA-compatible metrics adapter)',
  usage: `Usage: tide metrics-server [--kubeconfig FILE] [--secure-port 6443] [--cert-dir DIR]
                           [--metrics-service-address HOST:9666] [--metrics-service-grpc-authority NAME]

Serves external.metrics.k8s.io/v1beta1 over HTTPS for the APIService v1beta1.external.metrics.k8s.io.
Values come from the operator's metrics service (default keda-operator.<ns>.svc.cluster.local:9666,
gRPC over mutual TLS). Certificates: DIR/ca.crt, tls.crt, tls.key, or else the Secret kedaorg-certs
in POD_NAMESPACE (default keda), created there when missing. No authentication of the caller yet.`,
  async run(argv, io) {
    return runMetricsServer(readMetricsServerFlags(argv, io), io, untilSignal);
  },
};
