// The admission webhooks' Prometheus metrics under KEDA's names (keda.md §8): every ScaledObject
// validation, and every rejection with KEDA's reason label, so dashboards made for KEDA keep working.
import { Counter, Registry } from 'prom-client';

/** KEDA's `reason` label of a rejected ScaledObject (keda.md §4); `scaled-object-validation` for the rest. */
export type RejectionReason =
  | 'name-too-long' | 'hpa-name-too-long' | 'incorrect-replicas' | 'other-scaled-object' | 'other-scaled-object-hpa'
  | 'other-hpa' | 'transfer-ownership-missing-hpa-name' | 'scaling-modifiers' | 'incorrect-fallback' | 'missing-requests'
  | 'incorrect-triggers' | 'scaled-object-validation';

export class WebhookMetrics {
  readonly registry = new Registry();
  private readonly validations: Counter<'namespace' | 'action'>;
  private readonly errors: Counter<'namespace' | 'action' | 'reason'>;

  constructor() {
    const registers = [this.registry];
    this.validations = new Counter({ name: 'keda_webhook_scaled_object_validations_total', help: 'Total number of scaled object validations', labelNames: ['namespace', 'action'], registers });
    this.errors = new Counter({ name: 'keda_webhook_scaled_object_validation_errors_total', help: 'Total number of scaled object validating errors', labelNames: ['namespace', 'action', 'reason'], registers });
  }

  /** One ScaledObject admission (`action`: create or update) and, when it was refused, why. */
  record(namespace: string, action: string, rejected: RejectionReason | undefined): void {
    this.validations.inc({ namespace, action });
    if (rejected !== undefined) this.errors.inc({ namespace, action, reason: rejected });
  }
}

/** KEDA's reason for an offline rule, from the field it names. */
export function reasonOfField(path: string): RejectionReason {
  if (path === 'metadata.name') return 'name-too-long';
  if (path.startsWith('spec.advanced.horizontalPodAutoscalerConfig.name')) return 'hpa-name-too-long';
  if (/^spec\.(minReplicaCount|maxReplicaCount|idleReplicaCount)/.test(path)) return 'incorrect-replicas';
  if (path.startsWith('spec.advanced.scalingModifiers')) return 'scaling-modifiers';
  if (path.startsWith('spec.fallback')) return 'incorrect-fallback';
  if (path.startsWith('spec.triggers')) return 'incorrect-triggers';
  return 'scaled-object-validation';
}

/** KEDA's reason for a cluster check, from its message (cluster-checks.ts words them as KEDA does). */
export function reasonOfClusterProblem(message: string): RejectionReason {
  if (message.includes('is already managed by the ScaledObject') && message.startsWith('the HPA')) return 'other-scaled-object-hpa';
  if (message.includes('is already managed by the ScaledObject')) return 'other-scaled-object';
  if (message.includes('is already managed by the hpa')) return 'other-hpa';
  if (message.includes('must be specified by name in advanced settings')) return 'transfer-ownership-missing-hpa-name';
  if (message.includes('request defined')) return 'missing-requests';
  return 'scaled-object-validation';
}
