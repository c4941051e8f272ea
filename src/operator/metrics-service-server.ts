// --metrics-service-bind-address (KEDA: :9666): the operator's side of the metrics service, gRPC over
// mutual TLS. Only a client with a certificate signed by the shared CA (the metrics adapter, from the
// same kedaorg-certs Secret) gets an answer; values come from the running scale loops.
import * as grpc from '@grpc/grpc-js';
import { metricsServiceDefinition, toMessage, type ExternalMetricValueListMessage, type MutualTls, type ScaledObjectRefMessage } from '../engine/metrics-service-grpc.js';
import type { ScaleLoop } from '../engine/loop.js';
import { loopMetricsService, MetricsServiceError, type MetricsService } from '../engine/metrics-service.js';
import type { KubeApi } from '../kube/api.js';
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
  setTls(tls: MutualTls): Promise<void>;
  close(): Promise<void>;
}

const credentialsOf = (tls: MutualTls): grpc.ServerCredentials =>
  grpc.ServerCredentials.createSsl(Buffer.from(tls.ca), [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], true);

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
  let server = new grpc.Server();
  server.addService(metricsServiceDefinition(), { GetMetrics: handler });
  const host = options.address.host ?? '0.0.0.0';
  const bind = (s: grpc.Server, tls: MutualTls, port: number): Promise<number> => new Promise((resolve, reject) => {
    s.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, credentialsOf(tls), (error, bound) => { if (error) reject(error); else resolve(bound); });
  });
  const port = await bind(server, options.tls, options.address.port);
  return {
    port,
    async setTls(tls) {
      // grpc-js cannot swap credentials on a bound port: start a fresh server on the same port, then let the old one finish.
      const old = server;
      await new Promise<void>((resolve) => { old.tryShutdown(() => { resolve(); }); });
      server = new grpc.Server();
      server.addService(metricsServiceDefinition(), { GetMetrics: handler });
      await bind(server, tls, port);
    },
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

/** The operator's metrics service with its certificates (`tide operator --metrics-service-bind-address`). */
export async function startOperatorMetricsService(options: OperatorMetricsServiceOptions): Promise<MetricsServiceServer> {
  // Loaded here: @peculiar/x509 costs every tide start-up ~100 ms.
  const { loadMutualTls } = await import('../kube/certificates/mutual-tls.js');
  const { kedaCertificateDnsNames } = await import('../kube/certificates/issue.js');
  const tls = await loadMutualTls(options.certDir !== undefined
    ? { certDir: options.certDir }
    : { api: options.api, namespace: options.namespace, dnsNames: kedaCertificateDnsNames(options.namespace) });
  return startMetricsServiceServer({ address: options.address, tls, service: loopMetricsService(options.loop), ...(options.log ? { log: options.log } : {}) });
}
