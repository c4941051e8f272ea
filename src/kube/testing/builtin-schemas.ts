// The fields the fake knows of its built-in kinds, as small structural schemas, so unknown fields
// (typos such as `replica`, `containerPort` at the wrong level) are found the way the apiserver's
// typed decoder finds them. Only the levels clients write are spelled out; deeper parts (probes,
// resources, affinity, volumes, status of built-ins) are open, so a real field is never dropped.

import type { Json } from './types.js';

type Schema = { [key: string]: Json };

/** Accepts anything below (not checked). */
const ANY: Schema = { 'x-kubernetes-preserve-unknown-fields': true };

/** An object with exactly these fields; a field given as `true` is open. */
function obj(fields: Record<string, Schema | true>): Schema {
  return { type: 'object', properties: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === true ? ANY : v])) };
}

/** A list of `item`. */
function arr(item: Schema): Schema {
  return { type: 'array', items: item };
}

/** An object of names each given `fields` (every listed name open). */
function names(...fields: string[]): Schema {
  return obj(Object.fromEntries(fields.map((f) => [f, true as const])));
}

export const OBJECT_META_FIELDS = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
];

const OBJECT_META = names(...OBJECT_META_FIELDS);
const LABEL_SELECTOR = names('matchLabels', 'matchExpressions');

const ENV_VAR = names('name', 'value', 'valueFrom');
const CONTAINER = obj({
  name: true, image: true, command: true, args: true, workingDir: true, ports: arr(names('name', 'hostPort', 'containerPort', 'protocol', 'hostIP')),
  envFrom: true, env: arr(ENV_VAR), resources: true, resizePolicy: true, restartPolicy: true, volumeMounts: true, volumeDevices: true,
  livenessProbe: true, readinessProbe: true, startupProbe: true, lifecycle: true, terminationMessagePath: true, terminationMessagePolicy: true,
  imagePullPolicy: true, securityContext: true, stdin: true, stdinOnce: true, tty: true,
});

const POD_SPEC = obj({
  volumes: true, initContainers: arr(CONTAINER), containers: arr(CONTAINER), ephemeralContainers: true, restartPolicy: true,
  terminationGracePeriodSeconds: true, activeDeadlineSeconds: true, dnsPolicy: true, nodeSelector: true, serviceAccountName: true,
  serviceAccount: true, automountServiceAccountToken: true, nodeName: true, hostNetwork: true, hostPID: true, hostIPC: true,
  shareProcessNamespace: true, securityContext: true, imagePullSecrets: true, hostname: true, subdomain: true, affinity: true,
  schedulerName: true, tolerations: true, hostAliases: true, priorityClassName: true, priority: true, dnsConfig: true, readinessGates: true,
  runtimeClassName: true, enableServiceLinks: true, preemptionPolicy: true, overhead: true, topologySpreadConstraints: true,
  setHostnameAsFQDN: true, os: true, hostUsers: true, schedulingGates: true, resourceClaims: true, resources: true,
});

const POD_TEMPLATE = obj({ metadata: OBJECT_META, spec: POD_SPEC });

/** Top-level fields every kind has. */
function kind(fields: Record<string, Schema | true>): Schema {
  return obj({ apiVersion: true, kind: true, metadata: OBJECT_META, ...fields });
}

const DEPLOYMENT_SPEC = obj({
  replicas: true, selector: LABEL_SELECTOR, template: POD_TEMPLATE, strategy: true, minReadySeconds: true, revisionHistoryLimit: true,
  paused: true, progressDeadlineSeconds: true,
});
const STATEFUL_SET_SPEC = obj({
  replicas: true, selector: LABEL_SELECTOR, template: POD_TEMPLATE, volumeClaimTemplates: true, serviceName: true, podManagementPolicy: true,
  updateStrategy: true, revisionHistoryLimit: true, minReadySeconds: true, persistentVolumeClaimRetentionPolicy: true, ordinals: true,
});
const REPLICA_SET_SPEC = obj({ replicas: true, minReadySeconds: true, selector: LABEL_SELECTOR, template: POD_TEMPLATE });
const JOB_SPEC = obj({
  parallelism: true, completions: true, activeDeadlineSeconds: true, podFailurePolicy: true, successPolicy: true, backoffLimit: true,
  backoffLimitPerIndex: true, maxFailedIndexes: true, selector: LABEL_SELECTOR, manualSelector: true, template: POD_TEMPLATE,
  ttlSecondsAfterFinished: true, completionMode: true, suspend: true, podReplacementPolicy: true, managedBy: true,
});

const METRIC_TARGET = names('type', 'value', 'averageValue', 'averageUtilization');
const METRIC_ID = names('name', 'selector');
const HPA_METRIC = obj({
  type: true,
  object: obj({ describedObject: true, target: METRIC_TARGET, metric: METRIC_ID }),
  pods: obj({ metric: METRIC_ID, target: METRIC_TARGET }),
  resource: obj({ name: true, target: METRIC_TARGET }),
  containerResource: obj({ name: true, target: METRIC_TARGET, container: true }),
  external: obj({ metric: METRIC_ID, target: METRIC_TARGET }),
});
const HPA_RULES = obj({ stabilizationWindowSeconds: true, selectPolicy: true, policies: arr(names('type', 'value', 'periodSeconds')), tolerance: true });
const HPA_SPEC = obj({
  scaleTargetRef: names('kind', 'name', 'apiVersion'), minReplicas: true, maxReplicas: true, metrics: arr(HPA_METRIC),
  behavior: obj({ scaleUp: HPA_RULES, scaleDown: HPA_RULES }),
});

const CORE_EVENT_FIELDS = [
  'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action',
  'related', 'reportingComponent', 'reportingInstance',
];
const EVENTS_V1_FIELDS = [
  'eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related', 'note', 'type',
  'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount',
];
const topLevel = (fields: string[]): Record<string, true> => Object.fromEntries(fields.map((f) => [f, true as const]));

/** Schemas by storage key ("deployments.apps"); kinds not listed are not checked. */
export const BUILTIN_SCHEMAS: Readonly<Record<string, Schema>> = {
  namespaces: kind({ spec: true, status: true }),
  pods: kind({ spec: POD_SPEC, status: true }),
  secrets: kind({ data: true, stringData: true, type: true, immutable: true }),
  configmaps: kind({ data: true, binaryData: true, immutable: true }),
  events: kind(topLevel(CORE_EVENT_FIELDS)),
  'events.events.k8s.io': kind(topLevel(EVENTS_V1_FIELDS)),
  serviceaccounts: kind({ secrets: true, imagePullSecrets: true, automountServiceAccountToken: true }),
  services: kind({ spec: true, status: true }),
  'deployments.apps': kind({ spec: DEPLOYMENT_SPEC, status: true }),
  'statefulsets.apps': kind({ spec: STATEFUL_SET_SPEC, status: true }),
  'replicasets.apps': kind({ spec: REPLICA_SET_SPEC, status: true }),
  'jobs.batch': kind({ spec: JOB_SPEC, status: true }),
  'horizontalpodautoscalers.autoscaling': kind({ spec: HPA_SPEC, status: true }),
  'leases.coordination.k8s.io': kind({ spec: names('holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions', 'strategy', 'preferredHolder') }),
  'apiservices.apiregistration.k8s.io': kind({
    spec: names('service', 'group', 'version', 'insecureSkipTLSVerify', 'caBundle', 'groupPriorityMinimum', 'versionPriority'), status: true,
  }),
  'validatingwebhookconfigurations.admissionregistration.k8s.io': kind({
    webhooks: arr(names('name', 'clientConfig', 'rules', 'failurePolicy', 'matchPolicy', 'namespaceSelector', 'objectSelector', 'sideEffects',
      'timeoutSeconds', 'admissionReviewVersions', 'matchConditions')),
  }),
  'customresourcedefinitions.apiextensions.k8s.io': kind({ spec: true, status: true }),
};
