// Where an object lives in the REST API: the kinds `tide kubernetes deploy` writes, with their
// plural resource names and scope. A static table keeps the client free of discovery round trips.

interface KindInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

const KINDS: Readonly<Record<string, KindInfo>> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'rbac.authorization.k8s.io/v1/Role': { plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  // What `tide kubernetes install` writes besides.
  'rbac.authorization.k8s.io/v1/ClusterRole': { plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { plural: 'clusterrolebindings', namespaced: false },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': { plural: 'customresourcedefinitions', namespaced: false },
  'apiregistration.k8s.io/v1/APIService': { plural: 'apiservices', namespaced: false },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': { plural: 'validatingwebhookconfigurations', namespaced: false },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'keda.sh/v1alpha1/ScaledObject': { plural: 'scaledobjects', namespaced: true },
  'keda.sh/v1alpha1/TriggerAuthentication': { plural: 'triggerauthentications', namespaced: true },
};

/** Identifies one object. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** The URL path of an object (or, without a name, of its collection). */
export function objectPath(ref: Omit<ObjectRef, 'name'> & { name?: string }): string {
  const info = KINDS[`${ref.apiVersion}/${ref.kind}`];
  if (info === undefined) throw new Error(`no REST mapping for ${ref.kind} ${ref.apiVersion}`);
  const group = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  if (info.namespaced && (ref.namespace === undefined || ref.namespace === '')) throw new Error(`${ref.kind} needs a namespace`);
  const scope = info.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? '')}` : '';
  return `${group}${scope}/${info.plural}${ref.name === undefined ? '' : `/${encodeURIComponent(ref.name)}`}`;
}

/** "deployment.apps/hello", as kubectl prints it. */
export function describeRef(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0] ?? ''}` : '';
  return `${ref.kind.toLowerCase()}${group}/${ref.name}`;
}
