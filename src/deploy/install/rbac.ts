// ServiceAccounts, roles and bindings: KEDA's names and rules, one account per component (as KEDA's
// chart) so each has only what it needs. The adapter is an aggregated API server: it may delegate
// authentication/authorization (system:auth-delegator) and read the front-proxy CA
// (extension-apiserver-authentication-reader in kube-system); the HPA controller may read external metrics.
import { INSTALL_NAMES as N, labels, type InstallOptions, type Manifest } from './options.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'patch', 'update'];
const ALL = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }
const rule = (apiGroups: string[], resources: string[], verbs: string[]): Rule => ({ apiGroups, resources, verbs });

/** The operator's cluster-wide rules (KEDA's config/rbac/role.yaml without its eventing group). */
export const OPERATOR_RULES: readonly Rule[] = [
  rule([''], ['configmaps', 'configmaps/status', 'external', 'pods', 'secrets', 'services'], READ),
  rule([''], ['events'], ['create', 'patch']),
  rule([''], ['limitranges', 'serviceaccounts'], ['list', 'watch']),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['*'], ['*'], ['get']),
  rule(['*'], ['*/scale'], WRITE),
  rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], WRITE),
  rule(['apiregistration.k8s.io'], ['apiservices'], WRITE),
  rule(['apps'], ['deployments', 'replicasets', 'statefulsets'], ['list', 'watch']),
  rule(['autoscaling'], ['horizontalpodautoscalers'], ALL),
  rule(['batch'], ['jobs'], ALL),
  rule(['events.k8s.io'], ['events'], ['create', 'patch']),
  rule(['keda.sh'], [
    'clustertriggerauthentications', 'clustertriggerauthentications/status', 'scaledjobs', 'scaledjobs/finalizers', 'scaledjobs/status',
    'scaledobjects', 'scaledobjects/finalizers', 'scaledobjects/status', 'triggerauthentications', 'triggerauthentications/status',
  ], WRITE),
];

/** What the webhooks' cluster checks read (docs/webhooks.md), plus the caBundle of their own configuration. */
export const WEBHOOK_RULES: readonly Rule[] = [
  rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], WRITE),
  rule(['keda.sh'], ['scaledobjects'], ['get', 'list']),
  rule(['autoscaling'], ['horizontalpodautoscalers'], ['get', 'list']),
  rule([''], ['limitranges'], ['list']),
  rule(['apps'], ['deployments', 'statefulsets'], ['get']),
];

/** The adapter resolves a metric's ScaledObject; the values come from the operator. */
export const METRICS_SERVER_RULES: readonly Rule[] = [
  rule(['keda.sh'], ['scaledobjects'], READ),
];

/** Certificates (kedaorg-certs) and the operator's leader-election Lease live in the install namespace. */
const NAMESPACE_SECRETS = rule([''], ['secrets'], ALL);
const LEASES = rule(['coordination.k8s.io'], ['leases'], ALL);

function account(name: string, o: InstallOptions): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: o.namespace, labels: labels(name, o) } };
}

function clusterRole(name: string, rules: readonly Rule[], o: InstallOptions): Manifest {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: labels(name, o) }, rules };
}

function role(name: string, rules: readonly Rule[], o: InstallOptions): Manifest {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace: o.namespace, labels: labels(name, o) }, rules };
}

function subject(name: string, namespace: string): { kind: string; name: string; namespace: string } {
  return { kind: 'ServiceAccount', name, namespace };
}

function clusterBinding(name: string, roleName: string, subjects: readonly ReturnType<typeof subject>[], o: InstallOptions): Manifest {
  return { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name, labels: labels(name, o) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects };
}

function binding(name: string, namespace: string, roleName: string, accountName: string, o: InstallOptions): Manifest {
  return { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name, namespace, labels: labels(name, o) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects: [subject(accountName, o.namespace)] };
}

/** ServiceAccounts of the three components. */
export function serviceAccounts(o: InstallOptions): Manifest[] {
  return [account(N.operatorAccount, o), account(N.metricsServerAccount, o), ...(o.webhooks ? [account(N.webhooksAccount, o)] : [])];
}

/** ClusterRoles, Roles and their bindings. */
export function rbac(o: InstallOptions): Manifest[] {
  const ns = o.namespace;
  const operator = [
    clusterRole(N.operator, OPERATOR_RULES, o),
    clusterBinding(N.operator, N.operator, [subject(N.operatorAccount, ns)], o),
    role(N.operator, [NAMESPACE_SECRETS, LEASES], o),
    binding(N.operator, ns, N.operator, N.operatorAccount, o),
  ];
  const metricsServer = [
    clusterRole(N.metricsServer, METRICS_SERVER_RULES, o),
    clusterBinding(N.metricsServer, N.metricsServer, [subject(N.metricsServerAccount, ns)], o),
    role(N.metricsServer, [NAMESPACE_SECRETS], o),
    binding(N.metricsServer, ns, N.metricsServer, N.metricsServerAccount, o),
    clusterRole('keda-external-metrics-reader', [rule(['external.metrics.k8s.io'], ['*'], ['*'])], o),
    clusterBinding('keda-hpa-controller-external-metrics', 'keda-external-metrics-reader', [subject('horizontal-pod-autoscaler', 'kube-system')], o),
    clusterBinding('keda-system-auth-delegator', 'system:auth-delegator', [subject(N.metricsServerAccount, ns)], o),
    binding('keda-auth-reader', 'kube-system', 'extension-apiserver-authentication-reader', N.metricsServerAccount, o),
  ];
  const webhooks = o.webhooks ? [
    clusterRole(N.webhooks, WEBHOOK_RULES, o),
    clusterBinding(N.webhooks, N.webhooks, [subject(N.webhooksAccount, ns)], o),
    role(N.webhooks, [NAMESPACE_SECRETS], o),
    binding(N.webhooks, ns, N.webhooks, N.webhooksAccount, o),
  ] : [];
  return [...operator, ...metricsServer, ...webhooks];
}
