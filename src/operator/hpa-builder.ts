// The HPA KEDA generates for a ScaledObject (keda.md §2.2): `keda-hpa-<name>`, autoscaling/v2,
// minReplicas max(min, 1), the triggers' metric specs sorted by type with External metrics selected by
// `scaledobject.keda.sh/name`, behavior passed through (a paused direction Disabled), KEDA's labels,
// the object's annotations, and the ScaledObject as controlling owner. HPAs that KEDA made compare
// equal, so a cluster moves from KEDA to tide without an HPA rewrite.
import {
  APP_MANAGED_BY_LABEL, APP_NAME_LABEL, APP_PART_OF_LABEL, APP_VERSION_LABEL, MANAGED_BY_KEDA_OPERATOR, SCALED_OBJECT_NAME_LABEL,
} from '../api/annotations.js';
import { MAX_LABEL_VALUE_LENGTH, type ScaledObjectSettings } from '../api/defaults.js';
import { formatQuantity, parseQuantity } from '../api/quantity.js';
import { COMPOSITE_METRIC_NAME } from '../api/scaled-object.js';
import type { KubeObject } from '../kube/api.js';
import type { MetricSpec } from '../scalers/define.js';

export interface HpaInput {
  readonly settings: ScaledObjectSettings;
  /** The ScaledObject's metadata: labels and annotations are copied, uid owns the HPA. */
  readonly metadata: { readonly uid?: string | undefined; readonly labels?: Readonly<Record<string, string>> | undefined; readonly annotations?: Readonly<Record<string, string>> | undefined };
  /** Every trigger's metric specs, in trigger order. */
  readonly metricSpecs: readonly MetricSpec[];
  /** The resolved scale target (group/version, kind). */
  readonly target: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  /** The app.kubernetes.io/version label. */
  readonly version: string;
}

export interface BuiltHpa {
  readonly hpa: KubeObject;
  readonly externalMetricNames: string[];
  readonly resourceMetricNames: string[];
}

/** Kubernetes label values are at most 63 characters; KEDA cuts longer names. */
export const trimLabel = (value: string): string => value.slice(0, MAX_LABEL_VALUE_LENGTH);

function quantityTarget(type: string, milli: number): Record<string, unknown> {
  if (type === 'Utilization') return { type, averageUtilization: Math.round(milli / 1000) };
  return type === 'Value' ? { type, value: formatQuantity(milli) } : { type, averageValue: formatQuantity(milli) };
}

function metricEntry(spec: MetricSpec, soName: string): Record<string, unknown> {
  const target = quantityTarget(spec.targetType, spec.targetMilli);
  if (spec.kind === 'Resource') return { type: 'Resource', resource: { name: spec.metricName, target } };
  if (spec.kind === 'ContainerResource') return { type: 'ContainerResource', containerResource: { name: spec.metricName, container: spec.containerName ?? '', target } };
  return { type: 'External', external: { metric: { name: spec.metricName, selector: { matchLabels: { [SCALED_OBJECT_NAME_LABEL]: trimLabel(soName) } } }, target } };
}

function behaviorOf(settings: ScaledObjectSettings): Record<string, unknown> | undefined {
  const { pausedScaleIn, pausedScaleOut } = settings.pause;
  const base = settings.hpaBehavior as Record<string, Record<string, unknown> | undefined> | undefined;
  if (!pausedScaleIn && !pausedScaleOut) return base;
  const out: Record<string, unknown> = { ...base };
  if (pausedScaleIn) out['scaleDown'] = { ...base?.['scaleDown'], selectPolicy: 'Disabled' };
  if (pausedScaleOut) out['scaleUp'] = { ...base?.['scaleUp'], selectPolicy: 'Disabled' };
  return out;
}

/** The HPA for a ScaledObject, or why there cannot be one. */
export function buildHpa(input: HpaInput): BuiltHpa | { error: string } {
  const { settings } = input;
  let specs = [...input.metricSpecs];
  const modifiers = settings.scalingModifiers;
  if (modifiers !== undefined) {
    const target = parseQuantity(modifiers.target);
    if ('error' in target) return { error: `spec.advanced.scalingModifiers.target: ${target.error}` };
    const composite: MetricSpec = { kind: 'External', metricName: COMPOSITE_METRIC_NAME, targetType: modifiers.metricType, targetMilli: target.milli, activationMilli: 0 };
    specs = [composite, ...specs.filter((s) => s.kind !== 'External')];
  }
  const externalMetricNames: string[] = [];
  const resourceMetricNames: string[] = [];
  for (const spec of specs) {
    if (spec.kind === 'Resource') resourceMetricNames.push(spec.metricName);
    if (spec.kind !== 'External') continue;
    if (externalMetricNames.includes(spec.metricName)) {
      return { error: `metricName ${spec.metricName} defined multiple times in ScaledObject ${settings.name}, please refer the documentation how to define metricName manually` };
    }
    externalMetricNames.push(spec.metricName);
  }
  if (specs.length === 0) return { error: 'no metric specs: the triggers give the HPA nothing to scale on' };
  // Go's sort.Slice by type string; stable here, so equal types keep trigger order.
  const metrics = specs.map((s) => metricEntry(s, settings.name)).sort((a, b) => String(a['type']).localeCompare(String(b['type'])));
  const excluded = new Set(settings.hpaExcludedLabels);
  const labels: Record<string, string> = {
    [APP_NAME_LABEL]: trimLabel(settings.hpaName),
    [APP_VERSION_LABEL]: input.version,
    [APP_PART_OF_LABEL]: trimLabel(settings.name),
    [APP_MANAGED_BY_LABEL]: MANAGED_BY_KEDA_OPERATOR,
  };
  for (const [k, v] of Object.entries(input.metadata.labels ?? {})) if (!excluded.has(k)) labels[k] = v;
  const behavior = behaviorOf(settings);
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: settings.hpaName,
      namespace: settings.namespace,
      labels,
      ...(input.metadata.annotations !== undefined ? { annotations: { ...input.metadata.annotations } } : {}),
      ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: settings.name, uid: input.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      scaleTargetRef: { apiVersion: input.target.apiVersion, kind: input.target.kind, name: input.target.name },
      minReplicas: settings.hpaMinReplicas,
      maxReplicas: settings.maxReplicaCount,
      metrics,
      ...(behavior !== undefined ? { behavior } : {}),
    },
  };
  return { hpa, externalMetricNames, resourceMetricNames };
}

/** apimachinery's Semantic.DeepDerivative: every field set in `want` equals the one in `have` (unset fields are ignored). */
export function isDerivative(want: unknown, have: unknown): boolean {
  if (want === undefined || want === null) return true;
  if (Array.isArray(want)) return Array.isArray(have) && want.length <= have.length && want.every((w, i) => isDerivative(w, have[i]));
  if (typeof want === 'object') {
    if (typeof have !== 'object' || have === null || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => isDerivative(v, (have as Record<string, unknown>)[k]));
  }
  if (typeof want === 'string' && typeof have === 'string' && want !== have) return quantitiesEqual(want, have);
  return want === have;
}

// "500m" and "0.5" are the same Quantity; the API server may normalise what it stores.
function quantitiesEqual(a: string, b: string): boolean {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  return !('error' in qa) && !('error' in qb) && qa.milli === qb.milli;
}

/** KEDA's update test: a different metric count, or the desired spec or labels not contained in the live HPA. */
export function hpaNeedsUpdate(desired: KubeObject, live: KubeObject): boolean {
  const want = desired['spec'] as { metrics?: unknown[] };
  const have = (live['spec'] ?? {}) as { metrics?: unknown[] };
  if ((want.metrics?.length ?? 0) !== (have.metrics?.length ?? 0)) return true;
  // Behavior is compared as a subset too: the API server fills in default policies, which would
  // otherwise look like a difference at every reconcile.
  return !isDerivative(want, have) || !isDerivative(desired.metadata.labels, live.metadata.labels);
}
