// The built-in resources the fake serves, with discovery facts (short names, categories, verbs) and
// the per-resource behaviours that differ on a real cluster (generation, DELETE reply, Job orphaning).

import type { PrinterColumn, ResourceType, ScaleSpec } from './types.js';

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Builtin {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: boolean;
  generation?: boolean;
  returnDeletedObject?: boolean;
  defaultPropagation?: 'Background' | 'Orphan';
  fieldLabels?: string[];
  columns?: PrinterColumn[];
}

/** Built-in workloads expose replicas at these paths; the selector comes from spec.selector. */
const WORKLOAD_SCALE: ScaleSpec = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

const EVENT_FIELDS = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
  'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
];

const col = (name: string, jsonPath: string, type = 'string'): PrinterColumn => ({ name, type, jsonPath });

const BUILTINS: Builtin[] = [
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], fieldLabels: ['status.phase'], columns: [col('Status', '.status.phase')] },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', shortNames: ['po'], categories: ['all'], status: true, generation: false, returnDeletedObject: true,
    fieldLabels: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
    columns: [col('Status', '.status.phase'), col('Node', '.spec.nodeName')] },
  { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', fieldLabels: ['type'], columns: [col('Type', '.type')] },
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Event', resource: 'events', shortNames: ['ev'], fieldLabels: EVENT_FIELDS,
    columns: [col('Type', '.type'), col('Reason', '.reason'), col('Object', '.involvedObject.name'), col('Message', '.message')] },
  { group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', shortNames: ['svc'], categories: ['all'], status: true,
    columns: [col('Type', '.spec.type'), col('Cluster-IP', '.spec.clusterIP')] },
  { group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', shortNames: ['ep'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', shortNames: ['deploy'], categories: ['all'], status: true, scale: true, generation: true,
    columns: [col('Ready', '.status.readyReplicas', 'integer'), col('Up-to-date', '.status.updatedReplicas', 'integer'), col('Available', '.status.availableReplicas', 'integer')] },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', shortNames: ['sts'], categories: ['all'], status: true, scale: true, generation: true,
    columns: [col('Ready', '.status.readyReplicas', 'integer')] },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', shortNames: ['rs'], categories: ['all'], status: true, scale: true, generation: true,
    fieldLabels: ['status.replicas'], columns: [col('Desired', '.spec.replicas', 'integer'), col('Current', '.status.replicas', 'integer'), col('Ready', '.status.readyReplicas', 'integer')] },
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', categories: ['all'], status: true, generation: true, defaultPropagation: 'Orphan',
    fieldLabels: ['status.successful'], columns: [col('Completions', '.status.succeeded', 'integer')] },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: ['all'], status: true, generation: true,
    columns: [col('Reference', '.spec.scaleTargetRef.name'), col('MinPods', '.spec.minReplicas', 'integer'), col('MaxPods', '.spec.maxReplicas', 'integer'), col('Replicas', '.status.currentReplicas', 'integer')] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', columns: [col('Holder', '.spec.holderIdentity')] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', resource: 'rolebindings' },
  // Create-only reviews, answered and not stored (reviews.ts).
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', resource: 'subjectaccessreviews', namespaced: false, verbs: ['create'] },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', resource: 'tokenreviews', namespaced: false, verbs: ['create'] },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', shortNames: ['ev'],
    columns: [col('Type', '.type'), col('Reason', '.reason'), col('Object', '.regarding.name')] },
  { group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', resource: 'apiservices', namespaced: false, categories: ['api-extensions'], status: true, generation: true,
    columns: [col('Service', '.spec.service.name'), col('Available', '.status.conditions[?(@.type=="Available")].status')] },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', namespaced: false, generation: true,
    categories: ['api-extensions'] },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false,
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true, generation: true, columns: [col('Created At', '.metadata.creationTimestamp', 'date')] },
];

/** Turns a table row into a full ResourceType. */
function toResourceType(b: Builtin): ResourceType {
  const t: ResourceType = {
    group: b.group,
    version: b.version,
    resource: b.resource,
    singular: b.kind.toLowerCase(),
    kind: b.kind,
    listKind: `${b.kind}List`,
    namespaced: b.namespaced ?? true,
    shortNames: b.shortNames ?? [],
    categories: b.categories ?? [],
    verbs: b.verbs ?? ALL_VERBS,
    subresources: { status: b.status ?? false },
    generation: b.generation ?? false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: b.returnDeletedObject ?? false,
    defaultPropagation: b.defaultPropagation ?? 'Background',
    fieldLabels: b.fieldLabels ?? [],
    printerColumns: b.columns ?? [],
  };
  if (b.scale === true) t.subresources.scale = WORKLOAD_SCALE;
  return t;
}

/** Every built-in resource type, fresh copies. */
export function builtinResourceTypes(): ResourceType[] {
  return BUILTINS.map(toResourceType);
}
