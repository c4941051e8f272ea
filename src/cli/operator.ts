// `tide operator`: the ScaledObject controller with KEDA's flags and ports. Logs go to stderr;
// Ctrl+C / SIGTERM stop the loops and exit. With --leader-elect a lost lease stops the controllers
// and exits 1 (as controller-runtime does), so Kubernetes restarts the pod as a fresh candidate.
import { resolve } from 'node:path';
import { KubeconfigError } from '../kube/errors.js';
import { loadClientConfig } from '../kube/client-config.js';
import { parseBindAddress, startHealthServer } from '../operator/health-server.js';
import { startMetricsEndpoint } from '../operator/metrics-endpoint.js';
import { DEFAULT_METRICS_SERVICE_BIND_ADDRESS, startOperatorMetricsService } from '../operator/metrics-service-server.js';
import { DEFAULT_MAX_CONCURRENT_SCALER_CALLS, startOperator } from '../operator/operator.js';
import { createLogger } from '../telemetry/logger.js';
import { numberFlag, parseFlags } from './args.js';
import { expandGoBooleans, goBoolean } from './go-bool-flags.js';
import { operatorCertificateDnsNames } from '../kube/certificates/issue.js';
import { API_SERVICE_NAME } from '../operator/certificate-controller.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { untilSignal } from './signals.js';

const OPTIONS = {
  kubeconfig: { type: 'string' },
  'metrics-bind-address': { type: 'string' },
  'health-probe-bind-address': { type: 'string' },
  'kube-api-qps': { type: 'string' },
  'kube-api-burst': { type: 'string' },
  'max-concurrent-scaler-calls': { type: 'string' },
  'metrics-service-bind-address': { type: 'string' },
  'cert-dir': { type: 'string' },
  'leader-elect': { type: 'boolean' },
  // KEDA's certificate flags (cmd/operator/main.go); the booleans take Go's `--flag=true|false`.
  'enable-cert-rotation': { type: 'string' },
  'cert-secret-name': { type: 'string' },
  'operator-service-name': { type: 'string' },
  'metrics-server-service-name': { type: 'string' },
  'webhooks-service-name': { type: 'string' },
  'k8s-cluster-name': { type: 'string' },
  'k8s-cluster-domain': { type: 'string' },
  'enable-webhook-patching': { type: 'string' },
  'validating-webhook-name': { type: 'string' },
} as const;

const GO_BOOLEANS = ['enable-cert-rotation', 'enable-webhook-patching'];

export interface OperatorFlags {
  readonly kubeconfig: string | undefined;
  /** --metrics-bind-address (`0` turns it off). */
  readonly metrics: { host: string | undefined; port: number } | undefined;
  readonly healthProbe: { host: string | undefined; port: number } | undefined;
  readonly qps: number;
  readonly burst: number;
  /** tide's own: scaler reads at once over every loop (KEDA has no bound). */
  readonly scalerCalls: number;
  readonly watchNamespace: string | undefined;
  readonly clusterObjectNamespace: string;
  readonly maxReconciles: number;
  /** KEDA_SCALEDJOB_CTRL_MAX_RECONCILES (1). */
  readonly scaledJobMaxReconciles?: number;
  /** --metrics-service-bind-address (KEDA: :9666; `0` turns it off) and --cert-dir (ca.crt, tls.crt, tls.key; else the kedaorg-certs Secret). */
  readonly metricsService?: { host: string | undefined; port: number } | undefined;
  readonly certDir?: string | undefined;
  /** --leader-elect: the Lease operator.keda.sh in `namespace`, with KEDA_OPERATOR_LEADER_ELECTION_* timings. */
  readonly leaderElection?: { namespace: string; leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number } | undefined;
  /** --enable-cert-rotation (KEDA's default false; its manifests and chart pass true), with the Secret, service names and webhook patching. */
  readonly certRotation?: { namespace: string; secretName: string; dnsNames: string[]; apiServiceName: string; validatingWebhookName: string | undefined } | undefined;
}

/** --enable-cert-rotation and the flags that go with it, KEDA's defaults. */
function certRotationFlags(values: Record<string, string | boolean | undefined>, env: CliIO['env']): OperatorFlags['certRotation'] {
  const text = (name: string, fallback: string): string => {
    const value = values[name];
    if (value === '') throw new UsageError(`--${name} must not be empty`);
    return typeof value === 'string' ? value : fallback;
  };
  const patchWebhooks = goBoolean('enable-webhook-patching', values['enable-webhook-patching'] as string | undefined, true);
  text('k8s-cluster-name', 'kubernetes-default'); // KEDA names CloudEvents' source with it; accepted for its manifests
  if (!goBoolean('enable-cert-rotation', values['enable-cert-rotation'] as string | undefined, false)) return undefined;
  const namespace = env.POD_NAMESPACE ?? env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda';
  const services = [text('operator-service-name', 'keda-operator'), text('metrics-server-service-name', 'keda-metrics-apiserver')];
  if (patchWebhooks) services.push(text('webhooks-service-name', 'keda-admission-webhooks'));
  return {
    namespace,
    secretName: text('cert-secret-name', 'kedaorg-certs'),
    dnsNames: operatorCertificateDnsNames(namespace, services, text('k8s-cluster-domain', 'cluster.local')),
    apiServiceName: API_SERVICE_NAME,
    validatingWebhookName: patchWebhooks ? text('validating-webhook-name', 'keda-admission') : undefined,
  };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration from the environment (`15s`, `1m30s`), in milliseconds. */
function envDuration(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value === '') return fallbackMs;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/gy)];
  if (parts.map((p) => p[0]).join('') !== value || parts.length === 0) throw new InputError(`${name} must be a duration like 15s or 1m, got "${value}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? ''] ?? 0), 0);
}

/** --leader-elect's settings: controller-runtime's timings unless KEDA's variables say otherwise; the Lease in the operator's namespace. */
function leaderElectionFlags(env: CliIO['env']): NonNullable<OperatorFlags['leaderElection']> {
  const settings = {
    namespace: env.POD_NAMESPACE ?? env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda',
    leaseDurationMs: envDuration('KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION', env.KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION, 15_000),
    renewDeadlineMs: envDuration('KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE', env.KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE, 10_000),
    retryPeriodMs: envDuration('KEDA_OPERATOR_LEADER_ELECTION_RETRY_PERIOD', env.KEDA_OPERATOR_LEADER_ELECTION_RETRY_PERIOD, 2_000),
  };
  if (settings.renewDeadlineMs >= settings.leaseDurationMs) throw new InputError('KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE must be shorter than the lease duration');
  if (settings.retryPeriodMs * 1.2 >= settings.renewDeadlineMs) throw new InputError('KEDA_OPERATOR_LEADER_ELECTION_RETRY_PERIOD (× 1.2) must be shorter than the renew deadline');
  return settings;
}

/** Reads the flags and KEDA's environment variables. */
export function readOperatorFlags(argv: readonly string[], io: CliIO): OperatorFlags {
  const { values, positionals } = parseFlags(expandGoBooleans(argv, GO_BOOLEANS), OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
  const bind = (name: string, value: string): ReturnType<typeof parseBindAddress> => {
    try {
      return parseBindAddress(value);
    } catch (error) {
      throw new UsageError(`--${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const env = io.env;
  const reconciles = numberFlag('KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES', env.KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES, 5, 1);
  const jobReconciles = numberFlag('KEDA_SCALEDJOB_CTRL_MAX_RECONCILES', env.KEDA_SCALEDJOB_CTRL_MAX_RECONCILES, 1, 1);
  return {
    kubeconfig: values.kubeconfig === undefined ? undefined : resolve(io.cwd, values.kubeconfig),
    metrics: bind('metrics-bind-address', values['metrics-bind-address'] ?? ':8080'),
    healthProbe: bind('health-probe-bind-address', values['health-probe-bind-address'] ?? ':8081'),
    qps: numberFlag('kube-api-qps', values['kube-api-qps'], 20),
    burst: numberFlag('kube-api-burst', values['kube-api-burst'], 30, 1),
    scalerCalls: Math.floor(numberFlag('max-concurrent-scaler-calls', values['max-concurrent-scaler-calls'], DEFAULT_MAX_CONCURRENT_SCALER_CALLS, 1)),
    watchNamespace: env.WATCH_NAMESPACE !== undefined && env.WATCH_NAMESPACE !== '' ? env.WATCH_NAMESPACE : undefined,
    clusterObjectNamespace: env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? env.POD_NAMESPACE ?? 'keda',
    maxReconciles: Math.floor(reconciles),
    scaledJobMaxReconciles: Math.floor(jobReconciles),
    metricsService: bind('metrics-service-bind-address', values['metrics-service-bind-address'] ?? DEFAULT_METRICS_SERVICE_BIND_ADDRESS),
    certDir: values['cert-dir'] === undefined ? undefined : resolve(io.cwd, values['cert-dir']),
    leaderElection: values['leader-elect'] === true ? leaderElectionFlags(env) : undefined,
    certRotation: certRotationFlags(values, env),
  };
}


/** Runs the operator until `stopped` resolves. */
export async function runOperator(flags: OperatorFlags, io: CliIO, stopped: () => Promise<unknown>, version: string): Promise<number> {
  const log = createLogger({ name: 'tide-operator', destination: process.stderr });
  let config;
  try {
    config = loadClientConfig({ kubeconfig: flags.kubeconfig, env: io.env });
  } catch (error) {
    if (error instanceof KubeconfigError) throw new InputError(error.message);
    throw error;
  }
  let ready = false;
  const health = flags.healthProbe === undefined ? undefined : await startHealthServer(flags.healthProbe, () => ready).catch((error: unknown) => {
    throw new InputError(`cannot serve health probes on ${flags.healthProbe?.host ?? ''}:${flags.healthProbe?.port ?? ''}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  });
  let lost: (() => void) | undefined;
  const leaseLost = new Promise<'lost'>((done) => { lost = () => { done('lost'); }; });
  let leading: (() => void) | undefined;
  const becameLeader = new Promise<'leading'>((done) => { leading = () => { done('leading'); }; });
  const stop = stopped();
  let operator;
  try {
    operator = await startOperator({
      config, version, log,
      qps: flags.qps, burst: flags.burst, maxReconciles: flags.maxReconciles, maxConcurrentScalerCalls: flags.scalerCalls,
      ...(flags.scaledJobMaxReconciles !== undefined ? { scaledJobMaxReconciles: flags.scaledJobMaxReconciles } : {}),
      watchNamespace: flags.watchNamespace, clusterObjectNamespace: flags.clusterObjectNamespace,
      ...(flags.leaderElection !== undefined ? { leaderElection: { ...flags.leaderElection, onLost: () => lost?.() } } : {}),
      ...(flags.certRotation !== undefined ? { certificateRotation: flags.certRotation } : {}),
      onStartedLeading: () => leading?.(),
    });
  } catch (error) {
    health?.server.close();
    io.stderr(`tide operator: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.unreachable;
  }
  const running = operator;
  const metrics = flags.metrics === undefined ? undefined : await startMetricsEndpoint(flags.metrics, running.metrics.registry).catch(async (error: unknown) => {
    health?.server.close();
    await running.stop();
    throw new InputError(`cannot serve metrics on ${flags.metrics?.host ?? ''}:${flags.metrics?.port ?? ''}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  });
  ready = true;
  log.info('operator started', { watchNamespace: flags.watchNamespace ?? '(all)', healthProbePort: health?.port, metricsPort: metrics?.port });
  // As KEDA (its gRPC server is a runnable that needs leader election): only the leader serves the
  // metrics service. A standby has no loops to answer from; with its port closed, the adapter's
  // channel reconnects through the Service until it reaches the leader.
  const first = await Promise.race([becameLeader, stop, leaseLost]);
  const metricsService = flags.metricsService === undefined || first !== 'leading' ? undefined : await startOperatorMetricsService({
    address: flags.metricsService, certDir: flags.certDir, api: running.api, namespace: flags.clusterObjectNamespace, log,
    loop: (namespace, name) => running.controller.loops.get(`${namespace}/${name}`)?.loop,
  }).catch(async (error: unknown) => {
    health?.server.close();
    metrics?.server.close();
    await running.stop();
    throw new InputError(`cannot serve the metrics service on ${flags.metricsService?.host ?? ''}:${flags.metricsService?.port ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const ended = first === 'leading' ? await Promise.race([stop, leaseLost]) : first;
  if (ended === 'lost') io.stderr('tide operator: leader election lost; exiting\n');
  await metricsService?.close();
  await operator.stop();
  health?.server.close();
  metrics?.server.close();
  return ended === 'lost' ? ExitCode.invalid : ExitCode.ok;
}

export const operatorCommand: Command = {
  name: 'operator',
  summary: 'run the ScaledObject controller (KEDA-compatible operator)',
  usage: `Usage: tide operator [--kubeconfig FILE] [--health-probe-bind-address :8081] [--metrics-bind-address :8080]
                     [--kube-api-qps 20] [--kube-api-burst 30] [--metrics-service-bind-address :9666] [--cert-dir DIR]
                     [--max-concurrent-scaler-calls 100]
                     [--leader-elect] [--enable-cert-rotation[=true|false]] [--cert-secret-name kedaorg-certs]
                     [--operator-service-name keda-operator] [--metrics-server-service-name keda-metrics-apiserver]
                     [--webhooks-service-name keda-admission-webhooks] [--k8s-cluster-domain cluster.local]
                     [--enable-webhook-patching=true] [--validating-webhook-name keda-admission]

Watches ScaledObjects (in WATCH_NAMESPACE, or all namespaces when it is empty), keeps their HPAs
keda-hpa-<name>, scales targets between 0 and 1 (and 0..N with autoscaling.tide.dev/mode: direct),
and writes status and events as KEDA does. /healthz and /readyz on the health probe address.
The metrics service for "tide metrics-server" (gRPC, mutual TLS) listens on --metrics-service-bind-address
(0 turns it off), with DIR/ca.crt, tls.crt, tls.key or else the Secret kedaorg-certs.
--leader-elect runs the controllers only while holding the Lease operator.keda.sh in POD_NAMESPACE; a
lost lease exits 1.
--enable-cert-rotation makes the leader issue and renew the CA and serving certificate in the Secret
--cert-secret-name (POD_NAMESPACE) and set the caBundle of APIService v1beta1.external.metrics.k8s.io and,
unless --enable-webhook-patching=false, of every webhook in the ValidatingWebhookConfiguration keda-admission.
Environment: WATCH_NAMESPACE, KEDA_CLUSTER_OBJECT_NAMESPACE or POD_NAMESPACE (ClusterTriggerAuthentication
secrets), KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES (5), KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION (15s),
KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE (10s), KEDA_OPERATOR_LEADER_ELECTION_RETRY_PERIOD (2s),
KEDA_SCALEDJOB_CTRL_MAX_RECONCILES (1).`,
  async run(argv, io) {
    const flags = readOperatorFlags(argv, io);
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    return runOperator(flags, io, untilSignal, pkg.version);
  },
};
