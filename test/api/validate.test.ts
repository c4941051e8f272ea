import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problems.js';
import { validateObject } from '../../src/api/validate.js';

type Json = Record<string, unknown>;

function so(spec: Json = {}, metadata: Json = {}): Json {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'orders', ...metadata },
    spec: {
      scaleTargetRef: { name: 'app' },
      triggers: [{ type: 'azure-queue', metadata: { queueName: 'q' } }],
      ...spec,
    },
  };
}

function sj(spec: Json = {}): Json {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'jobs' },
    spec: { jobTargetRef: { template: { spec: { containers: [] } } }, triggers: [{ type: 'rabbitmq', metadata: {} }], ...spec },
  };
}

function ta(spec: Json, kind = 'TriggerAuthentication'): Json {
  return { apiVersion: 'keda.sh/v1alpha1', kind, metadata: { name: 'auth' }, spec };
}

const cpu = (extra: Json = {}): Json => ({ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' }, ...extra });
const prom = (name: string, extra: Json = {}): Json => ({ type: 'prometheus', name, metadata: { query: 'up' }, ...extra });
const errors = (problems: Problem[]): [string, string][] => problems.filter((p) => p.severity === 'error').map((p) => [p.path, p.message]);
const warnings = (problems: Problem[]): [string, string][] => problems.filter((p) => p.severity === 'warning').map((p) => [p.path, p.message]);
const longName = 'a'.repeat(64);

describe('validateObject: schema problems in plain words', () => {
  it.each<[string, Json, [string, string]]>([
    ['metadata value as a YAML number', so({ triggers: [{ type: 'azure-queue', metadata: { queueLength: 5 } }] }), ['spec.triggers[0].metadata.queueLength', 'must be a string (quote it: "5")']],
    ['pollingInterval below 1', so({ pollingInterval: 0 }), ['spec.pollingInterval', 'must be an integer ≥ 1, got 0']],
    ['negative minReplicaCount', so({ minReplicaCount: -3 }), ['spec.minReplicaCount', 'must be an integer ≥ 0, got -3']],
    ['fractional maxReplicaCount', so({ maxReplicaCount: 2.5 }), ['spec.maxReplicaCount', 'must be an integer, got 2.5']],
    ['int32 overflow', so({ cooldownPeriod: 3e10 }), ['spec.cooldownPeriod', 'must be an integer ≤ 2147483647, got 30000000000']],
    ['missing scaleTargetRef', so({ scaleTargetRef: undefined }), ['spec.scaleTargetRef', 'is required']],
    ['empty scaleTargetRef.name', so({ scaleTargetRef: { name: '' } }), ['spec.scaleTargetRef.name', 'must not be empty']],
    ['missing trigger type', so({ triggers: [{ metadata: {} }] }), ['spec.triggers[0].type', 'is required']],
    ['missing trigger metadata', so({ triggers: [{ type: 'cron' }] }), ['spec.triggers[0].metadata', 'is required']],
    ['no triggers', so({ triggers: [] }), ['spec.triggers', 'must have at least one item']],
    [
      'unknown fallback behavior',
      so({ fallback: { failureThreshold: 3, replicas: 1, behavior: 'current' } }),
      ['spec.fallback.behavior', 'must be one of static, currentReplicas, currentReplicasIfHigher, currentReplicasIfLower, scalingModifiers, got "current"'],
    ],
    ['Utilization scalingModifiers', so({ advanced: { scalingModifiers: { formula: 'a', target: '1', metricType: 'Utilization' } } }), ['spec.advanced.scalingModifiers.metricType', 'must be one of AverageValue, Value, got "Utilization"']],
    ['bool annotation', so({}, { annotations: { 'autoscaling.keda.sh/paused': true } }), ['metadata.annotations["autoscaling.keda.sh/paused"]', 'must be a string (quote it: "true")']],
    ['authenticationRef kind', so({ triggers: [{ type: 'kafka', metadata: {}, authenticationRef: { name: 'a', kind: 'Secret' } }] }), ['spec.triggers[0].authenticationRef.kind', 'must be one of TriggerAuthentication, ClusterTriggerAuthentication, got "Secret"']],
    ['scalingModifiers target as a number', so({ advanced: { scalingModifiers: { formula: 'a', target: 2 } } }), ['spec.advanced.scalingModifiers.target', 'must be a string (quote it: "2")']],
    ['spec as a list', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'x' }, spec: [] }, ['spec', 'must be a mapping, got a list']],
  ])('%s', (_name, object, expected) => {
    expect(errors(validateObject(object))).toEqual([expected]);
  });

  it('drops null fields as the API server does (advanced: left empty)', () => {
    expect(validateObject(so({ advanced: null }))).toEqual([]);
  });

  it('warns about unknown fields with the nearest known name', () => {
    expect(warnings(validateObject(so({ maxReplicas: 4, pollingIntervall: 10 })))).toEqual([
      ['spec.maxReplicas', 'unknown field "maxReplicas" (did you mean "maxReplicaCount"?): Kubernetes drops it'],
      ['spec.pollingIntervall', 'unknown field "pollingIntervall" (did you mean "pollingInterval"?): Kubernetes drops it'],
    ]);
  });

  it('keeps unlisted metadata and jobTargetRef fields without warnings', () => {
    const job = sj({ jobTargetRef: { backoffLimit: 2, template: { spec: { containers: [{ name: 'w', image: 'i' }] } } } });
    expect(validateObject({ ...job, metadata: { name: 'jobs', finalizers: ['x'], ownerReferences: [] } })).toEqual([]);
  });

  it('names the nearest kind', () => {
    expect(errors(validateObject({ kind: 'ScaledJobs' }))).toEqual([
      ['kind', 'must be one of ScaledObject, ScaledJob, TriggerAuthentication, ClusterTriggerAuthentication, got "ScaledJobs" (did you mean ScaledJob?)'],
    ]);
  });
});

describe('validateObject: ScaledObject webhook rules', () => {
  it.each<[string, Json, [string, string][]]>([
    ['name of 64 characters', so({}, { name: longName }), [
      ['metadata.name', 'is 64 characters; at most 63 are allowed because KEDA uses it as a label value'],
      ['metadata.name', `the HPA name "keda-hpa-${longName}" is 73 characters; at most 63 are allowed: set a shorter spec.advanced.horizontalPodAutoscalerConfig.name`],
    ]],
    // 55 + "keda-hpa-".length (9) = 64 > 63, while the name itself is fine.
    ['derived HPA name of 64 characters', so({}, { name: 'b'.repeat(55) }), [
      ['metadata.name', `the HPA name "keda-hpa-${'b'.repeat(55)}" is 64 characters; at most 63 are allowed: set a shorter spec.advanced.horizontalPodAutoscalerConfig.name`],
    ]],
    ['long advanced HPA name', so({ advanced: { horizontalPodAutoscalerConfig: { name: longName } } }), [
      ['spec.advanced.horizontalPodAutoscalerConfig.name', `the HPA name "${longName}" is 64 characters; at most 63 are allowed: set a shorter spec.advanced.horizontalPodAutoscalerConfig.name`],
    ]],
    ['min 150 above the default max 100', so({ minReplicaCount: 150 }), [['spec.minReplicaCount', 'must be ≤ maxReplicaCount (100, the default), got 150']]],
    ['min 5 above max 3', so({ minReplicaCount: 5, maxReplicaCount: 3 }), [['spec.minReplicaCount', 'must be ≤ maxReplicaCount (3), got 5']]],
    ['idle 0 with min unset (counts as 0)', so({ idleReplicaCount: 0 }), [['spec.idleReplicaCount', 'must be less than minReplicaCount (minReplicaCount is not set, so it counts as 0), got 0']]],
    ['idle 2 with min 2', so({ idleReplicaCount: 2, minReplicaCount: 2 }), [['spec.idleReplicaCount', 'must be less than minReplicaCount (KEDA compares it with 2), got 2']]],
    // min 0 is compared as max(0, 1) = 1, so idle 1 is rejected and idle 0 accepted.
    ['idle 1 with min 0', so({ idleReplicaCount: 1, minReplicaCount: 0 }), [['spec.idleReplicaCount', 'must be less than minReplicaCount (KEDA compares it with 1), got 1']]],
    ['scalingModifiers without formula', so({ advanced: { scalingModifiers: { target: '2' } } }), [['spec.advanced.scalingModifiers.formula', 'is required when scalingModifiers is set']]],
    ['scalingModifiers without target', so({ advanced: { scalingModifiers: { formula: 'a + b' } } }), [['spec.advanced.scalingModifiers.target', 'is required when scalingModifiers is set']]],
    ['scalingModifiers target 0', so({ advanced: { scalingModifiers: { formula: 'a', target: '0' } } }), [['spec.advanced.scalingModifiers.target', 'must be a number > 0, got "0"']]],
    ['scalingModifiers target not a float', so({ advanced: { scalingModifiers: { formula: 'a', target: '1,5' } } }), [['spec.advanced.scalingModifiers.target', 'must be a number > 0, got "1,5"']]],
    ['activationTarget not a float', so({ advanced: { scalingModifiers: { formula: 'a', target: '2', activationTarget: 'x' } } }), [['spec.advanced.scalingModifiers.activationTarget', 'must be a number, got "x"']]],
    ['fallback scalingModifiers without formula', so({ fallback: { failureThreshold: 3, replicas: 2, behavior: 'scalingModifiers' } }), [['spec.fallback.behavior', 'scalingModifiers needs spec.advanced.scalingModifiers.formula']]],
    ['fallback with only cpu triggers', so({ minReplicaCount: 1, triggers: [cpu()], fallback: { failureThreshold: 3, replicas: 2 } }), [['spec.fallback', 'is not supported when every trigger is cpu or memory']]],
    ['only cpu/memory triggers with min unset', so({ triggers: [cpu(), { ...cpu(), type: 'memory' }] }), [['spec.minReplicaCount', 'must be ≥ 1 when every trigger is cpu or memory: such a ScaledObject can never scale to zero']]],
    ['only cpu triggers with min 0', so({ minReplicaCount: 0, triggers: [cpu()] }), [['spec.minReplicaCount', 'must be ≥ 1 when every trigger is cpu or memory: such a ScaledObject can never scale to zero']]],
    ['duplicate trigger names', so({ triggers: [prom('a'), prom('b'), prom('a')] }), [['spec.triggers[2].name', 'trigger name "a" is used more than once in the ScaledObject; names must be unique']]],
    ['useCachedMetrics on cron', so({ triggers: [{ type: 'cron', metadata: {}, useCachedMetrics: true }] }), [['spec.triggers[0].useCachedMetrics', 'is not supported for "cron" triggers']]],
    ['cpu without metricType (legacy metadata.type)', so({ minReplicaCount: 1, triggers: [{ type: 'cpu', metadata: { type: 'Utilization', value: '50' } }] }), [
      ['spec.triggers[0].metricType', 'is required for cpu triggers: Utilization or AverageValue (metadata.type is no longer supported: move "Utilization" here)'],
    ]],
    ['memory with metricType Value', so({ minReplicaCount: 1, triggers: [cpu({ type: 'memory', metricType: 'Value' })] }), [['spec.triggers[0].metricType', 'must be Utilization or AverageValue for memory triggers, got Value']]],
    ['Utilization on kafka', so({ triggers: [{ type: 'kafka', metadata: {}, metricType: 'Utilization' }] }), [['spec.triggers[0].metricType', 'Utilization is only for cpu and memory triggers; use AverageValue or Value for "kafka"']]],
    ['paused-replicas not a number', so({}, { annotations: { 'autoscaling.keda.sh/paused-replicas': 'two' } }), [['metadata.annotations["autoscaling.keda.sh/paused-replicas"]', 'must be a whole number of replicas, got "two"']]],
  ])('%s', (_name, object, expected) => {
    expect(errors(validateObject(object))).toEqual(expected);
  });

  it.each<[string, Json]>([
    ['idle 0 with min 0 (compared with 1)', so({ idleReplicaCount: 0, minReplicaCount: 0 })],
    ['cpu plus an external trigger at min 0', so({ triggers: [cpu(), prom('p')] })],
    ['fallback with scalingModifiers on cpu-only triggers', so({ minReplicaCount: 1, triggers: [cpu()], advanced: { scalingModifiers: { formula: '1', target: '1' } }, fallback: { failureThreshold: 1, replicas: 1 } })],
    ['Value trigger with fallback', so({ triggers: [prom('p', { metricType: 'Value' })], fallback: { failureThreshold: 1, replicas: 1 } })],
    ['name of exactly 54 characters (HPA name 63)', so({}, { name: 'c'.repeat(54) })],
  ])('accepts %s', (_name, object) => {
    expect(errors(validateObject(object))).toEqual([]);
  });

  it('warns about pollingInterval and cooldownPeriod when min > 0 and idle is unset', () => {
    expect(warnings(validateObject(so({ minReplicaCount: 1, pollingInterval: 10, cooldownPeriod: 60 })))).toEqual([
      ['spec.pollingInterval', 'has no effect on scaling when minReplicaCount > 0 and idleReplicaCount is not set: the HPA polls the metrics'],
      ['spec.cooldownPeriod', 'has no effect when minReplicaCount > 0 and idleReplicaCount is not set: it only delays scaling to zero or idle'],
    ]);
  });

  it.each<[string, Json]>([
    ['idle set', so({ minReplicaCount: 1, idleReplicaCount: 0, pollingInterval: 10, cooldownPeriod: 60 })],
    ['min 0', so({ minReplicaCount: 0, pollingInterval: 10, cooldownPeriod: 60 })],
  ])('no polling/cooldown warnings with %s', (_name, object) => {
    expect(warnings(validateObject(object))).toEqual([]);
  });

  it('does not warn about pollingInterval when a trigger caches metrics', () => {
    const object = so({ minReplicaCount: 1, pollingInterval: 10, triggers: [prom('p', { useCachedMetrics: true })] });
    expect(warnings(validateObject(object))).toEqual([]);
  });
});

describe('validateObject: ScaledJob rules', () => {
  it.each<[string, Json, [string, string][]]>([
    ['trigger metricType set', sj({ triggers: [{ type: 'rabbitmq', metadata: {}, metricType: 'AverageValue' }] }), [['spec.triggers[0].metricType', 'must not be set on ScaledJob triggers (KEDA refuses the ScaledJob)']]],
    ['duplicate names', sj({ triggers: [prom('x'), prom('x')] }), [['spec.triggers[1].name', 'trigger name "x" is used more than once in the ScaledJob; names must be unique']]],
    ['useCachedMetrics on memory', sj({ triggers: [{ type: 'memory', metadata: {}, useCachedMetrics: true }] }), [['spec.triggers[0].useCachedMetrics', 'is not supported for "memory" triggers']]],
    ['missing jobTargetRef.template', sj({ jobTargetRef: { parallelism: 1 } }), [['spec.jobTargetRef.template', 'is required']]],
  ])('%s', (_name, object, expected) => {
    expect(errors(validateObject(object))).toEqual(expected);
  });

  it('warns that useCachedMetrics has no effect on ScaledJob triggers', () => {
    expect(warnings(validateObject(sj({ triggers: [prom('p', { useCachedMetrics: true })] })))).toEqual([['spec.triggers[0].useCachedMetrics', 'has no effect on ScaledJob triggers']]);
  });
});

describe('validateObject: TriggerAuthentication rules', () => {
  it.each<[string, Json, [string, string][]]>([
    ['empty azure identityId', ta({ podIdentity: { provider: 'azure-workload', identityId: '' } }), [['spec.podIdentity.identityId', 'must not be empty when set (omit it to use the default identity)']]],
    ['empty azure identityTenantId', ta({ podIdentity: { provider: 'azure-workload', identityTenantId: '' } }), [['spec.podIdentity.identityTenantId', 'must not be empty when set (omit it to use the default tenant)']]],
    ['authority host without tenant', ta({ podIdentity: { provider: 'azure-workload', identityAuthorityHost: 'https://login.example' } }), [['spec.podIdentity.identityAuthorityHost', 'needs identityTenantId to be set as well']]],
    ['aws roleArn with workload owner', ta({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::1:role/r', identityOwner: 'workload' } }), [['spec.podIdentity.roleArn', "cannot be set with identityOwner: workload (the workload's own role is used)"]]],
    ['aws externalID without roleArn', ta({ podIdentity: { provider: 'aws', externalID: 'x' } }), [['spec.podIdentity.externalID', 'needs roleArn to be set as well']]],
    ['oauth2 wrong type', ta({ oauth2: { type: 'password', clientId: 'c', tokenUrl: 'https://t' } }), [['spec.oauth2.type', 'must be "clientCredentials", got "password"']]],
    ['oauth2 without clientId', ta({ oauth2: { type: 'clientCredentials', tokenUrl: 'https://t' } }), [['spec.oauth2.clientId', 'is required']]],
    ['oauth2 ftp tokenUrl', ta({ oauth2: { type: 'clientCredentials', clientId: 'c', tokenUrl: 'ftp://t' } }), [['spec.oauth2.tokenUrl', 'must be an http or https URL, got "ftp://t"']]],
    ['filePath on a namespaced TriggerAuthentication', ta({ filePath: [{ parameter: 'p', path: 'a' }] }), [['spec.filePath', 'is only supported on ClusterTriggerAuthentication']]],
    ['unknown pod identity provider', ta({ podIdentity: { provider: 'azure' } }), [['spec.podIdentity.provider', 'must be one of none, azure-workload, gcp, aws, aws-eks, got "azure"']]],
  ])('%s', (_name, object, expected) => {
    expect(errors(validateObject(object))).toEqual(expected);
  });

  it('applies the same rules to ClusterTriggerAuthentication and warns about a namespace', () => {
    const cta = { ...ta({ podIdentity: { provider: 'azure-workload', identityId: '' } }, 'ClusterTriggerAuthentication'), metadata: { name: 'c', namespace: 'x' } };
    const problems = validateObject(cta);
    expect(errors(problems)).toEqual([['spec.podIdentity.identityId', 'must not be empty when set (omit it to use the default identity)']]);
    expect(warnings(problems)).toEqual([['metadata.namespace', 'is ignored: ClusterTriggerAuthentication is cluster-scoped']]);
  });
});
