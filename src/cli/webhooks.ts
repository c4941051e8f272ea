// `tide webhooks`: KEDA's validating admission webhook server (keda-admission-webhooks) with its
// flags. The serving certificate comes from --cert-dir (as KEDA mounts /certs), or else from the
// kedaorg-certs Secret of the pod's namespace, issued there when missing; renewals are picked up
// while running. Logs go to stderr; Ctrl+C / SIGTERM stop it.
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { KubeApi } from '../kube/api.js';
import { loadClientConfig } from '../kube/client-config.js';
import { KubeconfigError } from '../kube/errors.js';
import type { CertificateSource } from '../kube/certificates/serving-source.js';
import { createLogger } from '../telemetry/logger.js';
import { parseBindAddress, startHealthServer } from '../operator/health-server.js';
import { startMetricsEndpoint } from '../operator/metrics-endpoint.js';
import { KubeWebhookCluster } from '../webhooks/kube-cluster.js';
import { WebhookMetrics } from '../webhooks/webhook-metrics.js';
import { startWebhookServer, type WebhookServer } from '../webhooks/server.js';
import { numberFlag, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { untilSignal } from './signals.js';

const OPTIONS = {
  port: { type: 'string' },
  'cert-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  'kube-api-qps': { type: 'string' },
  'kube-api-burst': { type: 'string' },
  'metrics-bind-address': { type: 'string' },
  'health-probe-bind-address': { type: 'string' },
} as const;

/** KEDA's Service name for the webhooks; the certificate must be valid for it. */
export const WEBHOOK_SERVICE = 'keda-admission-webhooks';

export interface WebhooksFlags {
  readonly port: number;
  readonly certDir: string | undefined;
  readonly kubeconfig: string | undefined;
  readonly qps: number;
  readonly burst: number;
  /** Namespace of the pod (POD_NAMESPACE, else KEDA_CLUSTER_OBJECT_NAMESPACE, else keda): where kedaorg-certs lives. */
  readonly namespace: string;
  /** KEDA's --metrics-bind-address (:8080) and --health-probe-bind-address (:8081); `0` turns one off. */
  readonly metrics: BindAddress | undefined;
  readonly healthProbe: BindAddress | undefined;
}

type BindAddress = NonNullable<ReturnType<typeof parseBindAddress>>;

function bind(name: string, value: string): BindAddress | undefined {
  try {
    return parseBindAddress(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads the flags and environment. */
export function readWebhooksFlags(argv: readonly string[], io: CliIO): WebhooksFlags {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
  const port = numberFlag('port', values.port, 9443);
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${values.port ?? ''}"`);
  const env = io.env;
  return {
    port,
    certDir: values['cert-dir'] === undefined ? undefined : resolve(io.cwd, values['cert-dir']),
    kubeconfig: values.kubeconfig === undefined ? undefined : resolve(io.cwd, values.kubeconfig),
    qps: numberFlag('kube-api-qps', values['kube-api-qps'], 20),
    burst: numberFlag('kube-api-burst', values['kube-api-burst'], 30, 1),
    namespace: env.POD_NAMESPACE ?? env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda',
    metrics: bind('metrics-bind-address', values['metrics-bind-address'] ?? ':8080'),
    healthProbe: bind('health-probe-bind-address', values['health-probe-bind-address'] ?? ':8081'),
  };
}

export interface RunningWebhooks {
  readonly server: WebhookServer;
  readonly certificates: CertificateSource;
  readonly metrics: WebhookMetrics;
}

/** Starts a side server; a port in use is the user's input error naming the flag. */
async function listenOn<T>(flag: string, address: BindAddress, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new InputError(`--${flag}: cannot listen on ${address.host ?? ''}:${address.port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Starts the webhook server; `onStarted` sees it (tests), `stopped` resolves when it should end. */
export async function runWebhooks(flags: WebhooksFlags, io: CliIO, stopped: () => Promise<unknown>, onStarted?: (running: RunningWebhooks) => void): Promise<number> {
  const log = createLogger({ name: 'tide-webhooks', destination: process.stderr });
  let api: KubeApi;
  try {
    api = new KubeApi(loadClientConfig({ kubeconfig: flags.kubeconfig, env: io.env }), { qps: flags.qps, burst: flags.burst, userAgent: 'tide-webhooks' });
  } catch (error) {
    if (error instanceof KubeconfigError) throw new InputError(error.message);
    throw error;
  }
  // Loaded here, not at the top: @peculiar/x509 costs every other tide command ~100 ms of start-up.
  const { startCertificateSource } = await import('../kube/certificates/serving-source.js');
  const { kedaCertificateDnsNames } = await import('../kube/certificates/issue.js');
  let server: WebhookServer | undefined;
  let certificates: CertificateSource;
  try {
    certificates = await startCertificateSource(
      flags.certDir !== undefined ? { certDir: flags.certDir } : { api, namespace: flags.namespace, dnsNames: kedaCertificateDnsNames(flags.namespace) },
      (pair) => {
        server?.setCertificate(pair);
        log.info('serving certificate reloaded');
      },
      (error) => { log.warn('cannot reload the serving certificate; keeping the current one', { error: error.message }); },
    );
  } catch (error) {
    io.stderr(`tide webhooks: no serving certificate: ${error instanceof Error ? error.message : String(error)}\n`);
    return flags.certDir !== undefined ? ExitCode.invalid : ExitCode.unreachable;
  }
  const metrics = new WebhookMetrics();
  const probes: Server[] = [];
  try {
    server = await startWebhookServer({ port: flags.port, certificate: certificates.initial, cluster: new KubeWebhookCluster(api), log, metrics });
    const listening = server;
    if (flags.metrics !== undefined) probes.push((await listenOn('metrics-bind-address', flags.metrics, () => startMetricsEndpoint(flags.metrics as BindAddress, metrics.registry))).server);
    if (flags.healthProbe !== undefined) probes.push((await listenOn('health-probe-bind-address', flags.healthProbe, () => startHealthServer(flags.healthProbe as BindAddress, () => listening.server.listening))).server);
  } catch (error) {
    certificates.stop();
    for (const probe of probes) probe.close();
    await server?.close();
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot listen on port ${flags.port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  log.info('admission webhooks listening', { port: server.port, certificate: certificates.description });
  onStarted?.({ server, certificates, metrics });
  await stopped();
  certificates.stop();
  for (const probe of probes) probe.close();
  await server.close();
  return ExitCode.ok;
}


export const webhooksCommand: Command = {
  name: 'webhooks',
  summary: 'run the validating admission webhooks for keda.sh objects (KEDA-compatible)',
  usage: `Usage: tide webhooks [--port 9443] [--cert-dir DIR] [--kubeconfig FILE] [--kube-api-qps 20] [--kube-api-burst 30]
                     [--metrics-bind-address :8080] [--health-probe-bind-address :8081]

Serves KEDA's validating webhooks over HTTPS on /validate-keda-sh-v1alpha1-{scaledobject,scaledjob,
triggerauthentication,clustertriggerauthentication}: the same rules as "tide validate", plus the
cluster checks (another ScaledObject or a foreign HPA on the workload, cpu/memory triggers without
resource requests). The certificate is tls.crt/tls.key of --cert-dir (reloaded when the files change),
or else the Secret kedaorg-certs in POD_NAMESPACE (default keda), created there when missing.
KEDA's webhook metrics (keda_webhook_scaled_object_validations_total, …_validation_errors_total) are
on /metrics of --metrics-bind-address, /healthz and /readyz on --health-probe-bind-address (0: off).`,
  async run(argv, io) {
    return runWebhooks(readWebhooksFlags(argv, io), io, untilSignal);
  },
};
