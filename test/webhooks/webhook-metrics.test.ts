// KEDA's reason labels for refused ScaledObjects, from the field an offline rule names or the words of
// a cluster check; and the two counters under KEDA's names.
import { describe, expect, it } from 'vitest';
import { reasonOfClusterProblem, reasonOfField, WebhookMetrics } from '../../src/webhooks/webhook-metrics.js';

describe('webhook metrics', () => {
  it.each([
    ['metadata.name', 'name-too-long'],
    ['spec.advanced.horizontalPodAutoscalerConfig.name', 'hpa-name-too-long'],
    ['spec.minReplicaCount', 'incorrect-replicas'],
    ['spec.idleReplicaCount', 'incorrect-replicas'],
    ['spec.advanced.scalingModifiers.formula', 'scaling-modifiers'],
    ['spec.fallback.replicas', 'incorrect-fallback'],
    ['spec.triggers[1].metadata.queueName', 'incorrect-triggers'],
    ['spec.scaleTargetRef.name', 'scaled-object-validation'],
  ])('%s → %s', (path, reason) => {
    expect(reasonOfField(path)).toBe(reason);
  });

  it.each([
    ["the workload 'app' of type 'apps/v1.Deployment' is already managed by the ScaledObject 'first'", 'other-scaled-object'],
    ["the HPA 'keda-hpa-x' is already managed by the ScaledObject 'first'", 'other-scaled-object-hpa'],
    ["the workload 'app' of type 'apps/v1.Deployment' is already managed by the hpa 'app-cpu'", 'other-hpa'],
    ["the existing hpa 'app-cpu' for workload 'app' of type 'apps/v1.Deployment' must be specified by name in advanced settings to enable ownership transfer", 'transfer-ownership-missing-hpa-name'],
    ["the scaledobject has a cpu trigger but the container web doesn't have the cpu request defined", 'missing-requests'],
  ])('%s → %s', (message, reason) => {
    expect(reasonOfClusterProblem(message)).toBe(reason);
  });

  it('counts validations and refusals with KEDA\'s names and labels', async () => {
    const metrics = new WebhookMetrics();
    metrics.record('apps', 'create', undefined);
    metrics.record('apps', 'update', 'other-hpa');
    const text = await metrics.registry.metrics();
    expect(text).toContain('keda_webhook_scaled_object_validations_total{namespace="apps",action="create"} 1');
    expect(text).toContain('keda_webhook_scaled_object_validations_total{namespace="apps",action="update"} 1');
    expect(text).toContain('keda_webhook_scaled_object_validation_errors_total{namespace="apps",action="update",reason="other-hpa"} 1');
  });
});
