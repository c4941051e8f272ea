// --metrics-service-bind-address (KEDA: :9666): the operator's side of the metrics service, gRPC over
// mutual TLS. Only a client with a certificate signed by the shared CA (the metrics adapter, from the
// same kedaorg-certs Secret) gets an answer; values come from the running scale loops. Renewed
// certificates and a replaced CA are applied to the bound server in place (metrics-service-tls.ts).
import * as grpc from '@grpc/grpc-js';
import { metricsServiceDefinition, toMessage, type ExternalMetricValueListMessage, type MutualTls, type ScaledObjectRefMessage } from '../engine/metrics-service-grpc.js';
import type { ScaleLoop } from '../engine/loop.js';
import { loopMetricsService, MetricsServiceError, type MetricsService } from '../engine/metrics-service.js';
import type { KubeApi } from '../kube/api.js';
import { MutualTlsProvider, startMutualTlsSource } from '../engine/metrics-service-tls.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';

export interface MetricsServiceServerOptions {
  /** Bind address; host undefined = all interfaces. */
  readonly address: { host: string | undefined; port: number };
  readonly tls: MutualTls;
  readonly service: MetricsService;
  readonly log?: Logger;
}

export interface MetricsServiceServer {
  readonly port: number;
  /** Serves new connections with this CA and pair from now on (certificate rotation). */
  setTls(tls: MutualTls): void;
  close(): Promise<void>;
}

/** Starts the gRPC server; resolves once it listens. */
export async function startMetricsServiceServer(options: MetricsServiceServerOptions): Promise<MetricsServiceServer> {
  const log = options.log ?? silentLogger;
  const handler: grpc.handleUnaryCall<ScaledObjectRefMessage, ExternalMetricValueListMessage> = (call, callback) => {
    const { name, namespace, metricName } = call.request;
    options.service.getMetrics({ name, namespace, metricName }).then(
      (values) => { callback(null, toMessage(values)); },
      (error: unknown) => {
        const known = error instanceof MetricsServiceError;
        if (!known) log.error('metrics service request failed', { scaledObject: `${namespace}/${name}`, metricName, error: error instanceof Error ? error.message : String(error) });
        const code = known && error.code === 'NotFound' ? grpc.status.NOT_FOUND : grpc.status.UNKNOWN;
        callback({ code, details: known ? error.message : 'internal error' });
      },
    );
  };
  // Through a provider, which grpc-js applies to the listening server in place (setSecureContext):
  // new handshakes get new material, the port stays bound, open connections and calls carry on.
  const provider = new MutualTlsProvider(options.tls);
  const server = new grpc.Server();
  server.addService(metricsServiceDefinition(), { GetMetrics: handler });
  const host = options.address.host ?? '0.0.0.0';
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, true);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${options.address.port}`, credentials, (error, bound) => { if (error) reject(error); else resolve(bound); });
  });
  return {
    port,
    setTls(tls) { provider.set(tls); },
    close: () => new Promise<void>((resolve) => { server.tryShutdown(() => { resolve(); }); }),
  };
}

/** KEDA's operator default of --metrics-service-bind-address. */
export const DEFAULT_METRICS_SERVICE_BIND_ADDRESS = ':9666';

export interface OperatorMetricsServiceOptions {
  readonly address: { host: string | undefined; port: number };
  /** Folder with ca.crt, tls.crt, tls.key; else the kedaorg-certs Secret of `namespace` (issued there when missing). */
  readonly certDir: string | undefined;
  readonly api: KubeApi;
  readonly namespace: string;
  /** The running loop of a ScaledObject. */
  readonly loop: (namespace: string, name: string) => ScaleLoop | undefined;
  readonly log?: Logger;
}

/** The operator's metrics service with its certificates (`tide operator --metrics-service-bind-address`), swapped when they are renewed. */
export async function startOperatorMetricsService(options: OperatorMetricsServiceOptions): Promise<MetricsServiceServer> {
  const log = options.log ?? silentLogger;
  // Loaded here: @peculiar/x509 costs every tide start-up ~100 ms.
  const { kedaCertificateDnsNames } = await import('../kube/certificates/issue.js');
  let server: MetricsServiceServer | undefined;
  const source = await startMutualTlsSource(
    options.certDir !== undefined ? { certDir: options.certDir } : { api: options.api, namespace: options.namespace, dnsNames: kedaCertificateDnsNames(options.namespace) },
    (tls) => {
      server?.setTls(tls);
      log.info('metrics service certificates reloaded');
    },
    (error) => { log.warn('cannot reload the metrics service certificates; keeping the current ones', { error: error.message }); },
  );
  try {
    server = await startMetricsServiceServer({ address: options.address, tls: source.initial, service: loopMetricsService(options.loop), log });
  } catch (error) {
    source.stop();
    throw error;
  }
  const running = server;
  return { port: running.port, setTls: (tls) => { running.setTls(tls); }, close: async () => { source.stop(); await running.close(); } };
}
