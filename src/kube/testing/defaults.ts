// The defaulting and validation a real apiserver applies to built-in kinds, limited to what clients
// of tide observe: Secret stringData, Namespace finalizers, workload replica defaults and selector
// checks, Job selectors and labels, Service cluster IPs, autoscaling/v2 HPA defaults.

import { type Admit } from './store.js';
import { invalid, type StatusCause } from './status.js';
import { type KubeObject, type ResourceType, groupResource, isRecord } from './types.js';

/** The record at obj[key], created when missing. */
function rec(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = obj[key];
  if (isRecord(v)) return v;
  const fresh: Record<string, unknown> = {};
  obj[key] = fresh;
  return fresh;
}

/** Sets obj[key] only when unset. */
function dflt(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (obj[key] === undefined) obj[key] = value;
}

/** Secret: type Opaque; stringData is write-only and lands base64-encoded in data. */
function secret(obj: KubeObject): void {
  dflt(obj, 'type', 'Opaque');
  if (isRecord(obj.stringData)) {
    const data = rec(obj, 'data');
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  }
  delete obj.stringData;
}

/** Workload selector must be present and select the pod template's labels. */
function checkSelector(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const spec = rec(obj, 'spec');
  const name = obj.metadata.name ?? '';
  const causes: StatusCause[] = [];
  if (!isRecord(spec.selector)) causes.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
  const labels = isRecord(spec.template) && isRecord(spec.template.metadata) && isRecord(spec.template.metadata.labels) ? spec.template.metadata.labels : {};
  const match = isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  if (Object.entries(match).some(([k, v]) => labels[k] !== v)) {
    causes.push({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: `selector` does not match template `labels`' });
  }
  const oldSpec = old && isRecord(old.spec) ? old.spec : undefined;
  if (oldSpec && JSON.stringify(oldSpec.selector) !== JSON.stringify(spec.selector)) {
    causes.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable' });
  }
  if (causes.length > 0) throw invalid(type, name, causes);
}

/** Deployment, StatefulSet, ReplicaSet defaults. */
function workload(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const spec = rec(obj, 'spec');
  dflt(spec, 'replicas', 1);
  if (type.kind === 'Deployment') {
    dflt(spec, 'revisionHistoryLimit', 10);
    dflt(spec, 'progressDeadlineSeconds', 600);
    dflt(spec, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  } else if (type.kind === 'StatefulSet') {
    dflt(spec, 'podManagementPolicy', 'OrderedReady');
    dflt(spec, 'revisionHistoryLimit', 10);
    dflt(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  }
  checkSelector(type, obj, old);
}

/** Job: completions/parallelism/backoffLimit and the generated controller-uid selector. */
function job(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = rec(obj, 'spec');
  dflt(spec, 'completions', 1);
  dflt(spec, 'parallelism', 1);
  dflt(spec, 'backoffLimit', 6);
  dflt(spec, 'completionMode', 'NonIndexed');
  dflt(spec, 'suspend', false);
  if (old !== undefined || spec.manualSelector === true) return;
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const labels = rec(rec(rec(spec, 'template'), 'metadata'), 'labels');
  Object.assign(labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name });
}

/** A scaling rules object with nil fields filled as autoscaling/v2 defaulting does. */
function hpaRules(rules: unknown, up: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = isRecord(rules) ? rules : {};
  dflt(r, 'stabilizationWindowSeconds', up ? 0 : 300);
  dflt(r, 'selectPolicy', 'Max');
  dflt(r, 'policies', up ? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] : [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
  return r;
}

/** autoscaling/v2 HPA: minReplicas 1, CPU 80% when no metrics, behavior filled only when given. */
function hpa(obj: KubeObject): void {
  const spec = rec(obj, 'spec');
  dflt(spec, 'minReplicas', 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isRecord(spec.behavior)) {
    spec.behavior.scaleUp = hpaRules(spec.behavior.scaleUp, true);
    spec.behavior.scaleDown = hpaRules(spec.behavior.scaleDown, false);
  }
}

/** The admission chain of the fake: defaulting plus the validations clients run into. */
export function createAdmit(): Admit {
  let nextIp = 1;
  return (type, obj, old) => {
    switch (groupResource(type)) {
      case 'secrets':
        secret(obj);
        break;
      case 'namespaces':
        if (old === undefined) {
          dflt(rec(obj, 'spec'), 'finalizers', ['kubernetes']);
          obj.status = { phase: 'Active' };
        }
        break;
      case 'pods':
        if (old === undefined) dflt(rec(obj, 'status'), 'phase', 'Pending');
        break;
      case 'services': {
        const spec = rec(obj, 'spec');
        dflt(spec, 'type', 'ClusterIP');
        const ip = `10.96.${Math.floor(nextIp / 250)}.${(nextIp % 250) + 1}`;
        if (old === undefined && spec.clusterIP === undefined) {
          nextIp += 1;
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
        }
        break;
      }
      case 'deployments.apps':
      case 'statefulsets.apps':
      case 'replicasets.apps':
        workload(type, obj, old);
        break;
      case 'jobs.batch':
        job(obj, old);
        break;
      case 'horizontalpodautoscalers.autoscaling':
        hpa(obj);
        break;
    }
  };
}
