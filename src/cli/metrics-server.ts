// `tide metrics-server`: KEDA's metrics adapter (keda-metrics-apiserver) with its flags. It holds no
// scalers: every request goes to the operator's metrics service (gRPC, mTLS) at
// --metrics-service-address. Certificates: --cert-dir (ca.crt, tls.crt, tls.key, as KEDA mounts
// /certs), else the kedaorg-certs Secret of the pod's namespace; renewed ones (a replaced CA too) are
// taken up while running. Callers are authenticated and authorized as by k8s.io/apiserver's
// delegating options (src/metrics-server/delegating-auth.ts), with their flag names. Logs go to stderr.
import { resolve } from 'node:path';
import { MetricsServiceClient, type MutualTls } from '../engine/metrics-service-grpc.js';
import { startMutualTlsSource, type MutualTlsSource } from '../engine/metrics-service-tls.js';
import { KubeApi } from '../kube/api.js';
import { loadClientConfig } from '../kube/client-config.js';
import { KubeconfigError } from '../kube/errors.js';
import { startMetricsApiServer, type MetricsApiServer } from '../metrics-server/server.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { DEFAULT_DELEGATING_AUTH, startDelegatingAuth, type DelegatingAuth, type DelegatingAuthSettings } from '../metrics-server/delegating-auth.js';
import { AuthenticationConfigError } from '../metrics-server/authentication-config.js';
import { numberFlag, parseFlags } from './args.js';
import type { Command } from './command.js';
import { parseDuration } from './explain.js';
import { expandGoBooleans, goBoolean } from './go-bool-flags.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { untilSignal } from './signals.js';

const OPTIONS = {
  kubeconfig: { type: 'string' },
  'secure-port': { type: 'string' },
  'cert-dir': { type: 'string' },
  'metrics-service-address': { type: 'string' },
  'metrics-service-grpc-authority': { type: 'string' },
  // k8s.io/apiserver's delegating authentication / authorization flags.
  'authentication-kubeconfig': { type: 'string' },
  'authorization-kubeconfig': { type: 'string' },
  'authentication-skip-lookup': { type: 'string' },
  'authentication-tolerate-lookup-failure': { type: 'string' },
  'authentication-token-webhook-cache-ttl': { type: 'string' },
  'authorization-always-allow-paths': { type: 'string' },
  'authorization-webhook-cache-authorized-ttl': { type: 'string' },
  'authorization-webhook-cache-unauthorized-ttl': { type: 'string' },
  'anonymous-auth': { type: 'string' },
  // tide's own: every request served, nobody asked (local experiments only).
  'insecure-allow-all-requests': { type: 'string' },
} as const;

const BOOLEAN_FLAGS = ['authentication-skip-lookup', 'authentication-tolerate-lookup-failure', 'anonymous-auth', 'insecure-allow-all-requests'];

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
  /** Kubeconfigs of TokenReviews/ConfigMap reads and of SubjectAccessReviews; default --kubeconfig (else in-cluster). */
  readonly authenticationKubeconfig: string | undefined;
  readonly authorizationKubeconfig: string | undefined;
  /** undefined: --insecure-allow-all-requests. */
  readonly auth: DelegatingAuthSettings | undefined;
}

function durationFlag(name: string, value: string | undefined, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value, name);
}

function authSettings(values: Record<string, string | undefined>): DelegatingAuthSettings | undefined {
  if (goBoolean('insecure-allow-all-requests', values['insecure-allow-all-requests'], false)) return undefined;
  const d = DEFAULT_DELEGATING_AUTH;
  const paths = values['authorization-always-allow-paths'];
  return {
    skipLookup: goBoolean('authentication-skip-lookup', values['authentication-skip-lookup'], d.skipLookup),
    tolerateLookupFailure: goBoolean('authentication-tolerate-lookup-failure', values['authentication-tolerate-lookup-failure'], d.tolerateLookupFailure),
    anonymous: goBoolean('anonymous-auth', values['anonymous-auth'], d.anonymous),
    tokenCacheTtlMs: durationFlag('authentication-token-webhook-cache-ttl', values['authentication-token-webhook-cache-ttl'], d.tokenCacheTtlMs),
    alwaysAllowPaths: paths === undefined ? d.alwaysAllowPaths : paths.split(',').map((p) => p.trim()).filter((p) => p !== ''),
    allowedTtlMs: durationFlag('authorization-webhook-cache-authorized-ttl', values['authorization-webhook-cache-authorized-ttl'], d.allowedTtlMs),
    deniedTtlMs: durationFlag('authorization-webhook-cache-unauthorized-ttl', values['authorization-webhook-cache-unauthorized-ttl'], d.deniedTtlMs),
  };
}

/** Reads the flags and environment. */
export function readMetricsServerFlags(argv: readonly string[], io: CliIO): MetricsServerFlags {
  const { values, positionals } = parseFlags(expandGoBooleans(argv, BOOLEAN_FLAGS), OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
  const securePort = numberFlag('secure-port', values['secure-port'], 6443);
  if (!Number.isInteger(securePort) || securePort > 65535) throw new UsageError(`--secure-port must be a port number (0-65535), got "${values['secure-port'] ?? ''}"`);
  const namespace = io.env.POD_NAMESPACE ?? io.env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda';
  const address = values['metrics-service-address'] ?? `${OPERATOR_SERVICE}.${namespace}.svc.cluster.local:9666`;
  if (!/^.+:\d+$/.test(address)) throw new UsageError(`--metrics-service-address must be host:port, got "${address}"`);
  const path = (value: string | undefined): string | undefined => (value === undefined ? undefined : resolve(io.cwd, value));
  return {
    kubeconfig: path(values.kubeconfig),
    authenticationKubeconfig: path(values['authentication-kubeconfig'] ?? values.kubeconfig),
    authorizationKubeconfig: path(values['authorization-kubeconfig'] ?? values.kubeconfig),
    auth: authSettings(values),
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
  const { kedaCertificateDnsNames } = await import('../kube/certificates/issue.js');
  // Renewed certificates (and a replaced CA) go to the HTTPS server and the metrics service client as they come.
  const live: { server?: MetricsApiServer; client?: MetricsServiceClient } = {};
  const reloaded = (next: MutualTls): void => {
    live.server?.setCertificate({ cert: next.cert, key: next.key });
    live.client?.setTls(next);
    log.info('certificates reloaded');
  };
  const reloadFailed = (error: Error): void => { log.warn('cannot reload the certificates; keeping the current ones', { error: error.message }); };
  let certificates: MutualTlsSource;
  try {
    if (flags.certDir !== undefined) {
      certificates = await startMutualTlsSource({ certDir: flags.certDir }, reloaded, reloadFailed);
    } else {
      let api: KubeApi;
      try {
        api = new KubeApi(loadClientConfig({ kubeconfig: flags.kubeconfig, env: io.env }), { userAgent: 'tide-metrics-server' });
      } catch (error) {
        if (error instanceof KubeconfigError) throw new InputError(error.message);
        throw error;
      }
      certificates = await startMutualTlsSource({ api, namespace: flags.namespace, dnsNames: kedaCertificateDnsNames(flags.namespace) }, reloaded, reloadFailed);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    io.stderr(`tide metrics-server: no certificates: ${error instanceof Error ? error.message : String(error)}\n`);
    return flags.certDir !== undefined ? ExitCode.invalid : ExitCode.unreachable;
  }
  const tls = certificates.initial;
  let auth: DelegatingAuth | undefined;
  if (flags.auth !== undefined) {
    try {
      auth = await startAuth(flags, flags.auth, io, log);
    } catch (error) {
      certificates.stop();
      if (error instanceof InputError || error instanceof AuthenticationConfigError) throw new InputError(error.message);
      io.stderr(`tide metrics-server: cannot read the authentication configuration (kube-system/extension-apiserver-authentication): ${error instanceof Error ? error.message : String(error)}\n`);
      return ExitCode.unreachable;
    }
  } else {
    log.warn('--insecure-allow-all-requests: every caller may read every metric; do not run this way in a cluster');
  }
  const host = flags.metricsServiceAddress.slice(0, flags.metricsServiceAddress.lastIndexOf(':'));
  const service = new MetricsServiceClient({ address: flags.metricsServiceAddress, tls, authority: flags.authority ?? host });
  live.client = service;
  let api: MetricsApiServer;
  try {
    api = await startMetricsApiServer({ port: flags.securePort, certificate: { cert: tls.cert, key: tls.key }, service, log, ...(auth === undefined ? {} : { authorize: auth.authorize }) });
  } catch (error) {
    certificates.stop();
    service.close();
    auth?.stop();
    throw new InputError(`cannot listen on port ${flags.securePort}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  live.server = api;
  log.info('external metrics API listening', { port: api.port, metricsService: flags.metricsServiceAddress, certificates: certificates.description });
  onStarted?.(api);
  await stopped();
  certificates.stop();
  await api.close();
  service.close();
  auth?.stop();
  return ExitCode.ok;
}

function kubeApiFor(kubeconfig: string | undefined, io: CliIO): KubeApi {
  try {
    // k8s.io/apiserver raises the delegated clients' limits: they bound the server's own throughput.
    return new KubeApi(loadClientConfig({ kubeconfig, env: io.env }), { userAgent: 'tide-metrics-server', qps: 200, burst: 400 });
  } catch (error) {
    if (error instanceof KubeconfigError) throw new InputError(error.message);
    throw error;
  }
}

async function startAuth(flags: MetricsServerFlags, settings: DelegatingAuthSettings, io: CliIO, log: Logger): Promise<DelegatingAuth> {
  const authentication = kubeApiFor(flags.authenticationKubeconfig, io);
  const authorization = flags.authorizationKubeconfig === flags.authenticationKubeconfig ? authentication : kubeApiFor(flags.authorizationKubeconfig, io);
  return startDelegatingAuth({ authentication, authorization }, settings, { log });
}


export const metricsServerCommand: Command = {
  name: 'metrics-server',
  summary: 'serve external.metrics.k8s.io for the HPA (KEDA-compatible metrics adapter)',
  usage: `Usage: tide metrics-server [--kubeconfig FILE] [--secure-port 6443] [--cert-dir DIR]
                           [--metrics-service-address HOST:9666] [--metrics-service-grpc-authority NAME]

Serves external.metrics.k8s.io/v1beta1 over HTTPS for the APIService v1beta1.external.metrics.k8s.io.
Values come from the operator's metrics service (default keda-operator.<ns>.svc.cluster.local:9666,
gRPC over mutual TLS). Certificates: DIR/ca.crt, tls.crt, tls.key, or else the Secret kedaorg-certs
in POD_NAMESPACE (default keda), created there when missing.

Callers are authenticated (front-proxy certificate + X-Remote-User from the ConfigMap
kube-system/extension-apiserver-authentication, client certificates, bearer tokens by TokenReview)
and authorized by SubjectAccessReview, as any aggregated API server:
  --authentication-kubeconfig FILE, --authorization-kubeconfig FILE   (default --kubeconfig, else in-cluster)
  --authentication-skip-lookup, --authentication-tolerate-lookup-failure, --anonymous-auth=false
  --authentication-token-webhook-cache-ttl 10s
  --authorization-always-allow-paths /healthz,/readyz,/livez
  --authorization-webhook-cache-authorized-ttl 10s, --authorization-webhook-cache-unauthorized-ttl 10s
  --insecure-allow-all-requests   serve everyone, ask nobody (local experiments only)`,
  async run(argv, io) {
    return runMetricsServer(readMetricsServerFlags(argv, io), io, untilSignal);
  },
};
