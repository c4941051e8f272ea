// The three Deployments, shaped as KEDA's: one tide image started as `tide operator`, `tide
// metrics-server` or `tide webhooks`, KEDA's ports, probes, resources and restricted security context.
// Certificates are not mounted: the operator issues and rotates the kedaorg-certs Secret and sets the
// caBundles (--enable-cert-rotation=true, as KEDA's manifests), and the adapter and the webhooks read
// (and, when missing, issue) it through the API, so no Secret has to exist before the pods start.
import { INSTALL_NAMES as N, labels, type Component, type InstallOptions, type Manifest } from './options.js';

/** The operator's metrics service (KEDA's gRPC port), which the adapter reads values from. */
export const METRICS_SERVICE_PORT = 9666;

interface Port { name: string; containerPort: number; protocol: 'TCP' }
const port = (name: string, containerPort: number): Port => ({ name, containerPort, protocol: 'TCP' });

const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

interface ComponentSpec {
  readonly component: Component;
  readonly name: string;
  readonly account: string;
  readonly label: string;
  readonly args: string[];
  readonly ports: Port[];
  readonly probes: Record<string, unknown>;
}

function httpProbes(portNumber: number): Record<string, unknown> {
  return {
    livenessProbe: { httpGet: { path: '/healthz', port: portNumber }, initialDelaySeconds: 25 },
    readinessProbe: { httpGet: { path: '/readyz', port: portNumber }, initialDelaySeconds: 20 },
  };
}

// tide's adapter and webhooks serve no /healthz yet: the probes check the TLS port accepts connections.
function tcpProbes(portNumber: number): Record<string, unknown> {
  return {
    livenessProbe: { tcpSocket: { port: portNumber }, initialDelaySeconds: 5 },
    readinessProbe: { tcpSocket: { port: portNumber }, initialDelaySeconds: 5 },
  };
}

function env(o: InstallOptions): unknown[] {
  return [
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'WATCH_NAMESPACE', value: o.watchNamespace },
    { name: 'TIDE_LOG_LEVEL', value: o.logLevel },
  ];
}

function deployment(spec: ComponentSpec, o: InstallOptions): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, namespace: o.namespace, labels: { app: spec.name, ...labels(spec.name, o, spec.label) } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: spec.name } },
      template: {
        metadata: { labels: { app: spec.name, name: spec.name } },
        spec: {
          serviceAccountName: spec.account,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: spec.name,
            image: o.images?.[spec.component] ?? o.image,
            imagePullPolicy: o.imagePullPolicy,
            args: spec.args,
            env: env(o),
            ports: spec.ports,
            ...spec.probes,
            resources: o.resources,
            securityContext: CONTAINER_SECURITY,
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          terminationGracePeriodSeconds: 10,
        },
      },
    },
  };
}

/** keda-operator, keda-metrics-apiserver and (with webhooks) keda-admission-webhooks. */
export function deployments(o: InstallOptions): Manifest[] {
  const operator: ComponentSpec = {
    component: 'operator', name: N.operator, account: N.operatorAccount, label: 'operator',
    args: ['operator', '--health-probe-bind-address=:8081', '--metrics-bind-address=:8080', '--enable-cert-rotation=true', ...(o.webhooks ? [] : ['--enable-webhook-patching=false'])],
    ports: [port('http', 8080), port('health', 8081), port('metricsservice', METRICS_SERVICE_PORT)],
    probes: httpProbes(8081),
  };
  const metricsServer: ComponentSpec = {
    component: 'metricsServer', name: N.metricsServer, account: N.metricsServerAccount, label: 'metrics-apiserver',
    args: ['metrics-server', '--secure-port=6443', `--metrics-service-address=${N.operator}.${o.namespace}.svc.cluster.local:${METRICS_SERVICE_PORT}`],
    ports: [port('https', 6443), port('http', 8080)],
    probes: tcpProbes(6443),
  };
  const webhooks: ComponentSpec = {
    component: 'webhooks', name: N.webhooks, account: N.webhooksAccount, label: 'admission-webhooks',
    args: ['webhooks', '--port=9443'],
    ports: [port('https', 9443)],
    probes: tcpProbes(9443),
  };
  return [operator, metricsServer, ...(o.webhooks ? [webhooks] : [])].map((spec) => deployment(spec, o));
}
