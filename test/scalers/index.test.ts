import { expect, test } from 'vitest';
import { knownScalerTypes, lookupScaler, nearestScalerType, scalerFor } from '../../src/scalers/index.js';
import { isKedaScalerType } from '../../src/scalers/keda-types.js';

test('eighteen scaler types plus the four Redis aliases are registered, all of them KEDA types', () => {
  expect(knownScalerTypes()).toEqual([
    'azure-blob', 'azure-eventhub', 'azure-queue', 'azure-servicebus', 'cpu', 'cron', 'external', 'external-push', 'kafka', 'memory',
    'metrics-api', 'mysql', 'nats-jetstream', 'postgresql', 'prometheus', 'rabbitmq',
    'redis', 'redis-cluster', 'redis-cluster-streams', 'redis-sentinel', 'redis-sentinel-streams', 'redis-streams',
  ]);
  expect(knownScalerTypes().filter((type) => !isKedaScalerType(type))).toEqual([]);
});

test('aliases share the declaration of their base type', () => {
  expect(scalerFor('redis-cluster')).toBe(scalerFor('redis'));
  expect(scalerFor('redis-sentinel-streams')).toBe(scalerFor('redis-streams'));
  expect(scalerFor('redis-cluster')?.type).toBe('redis');
});

test('an unknown type gets the nearest known one', () => {
  expect(scalerFor('rabitmq')).toBeUndefined();
  expect(nearestScalerType('rabitmq')).toBe('rabbitmq');
  expect(lookupScaler('azure-queues')).toEqual({ error: 'unknown trigger type "azure-queues"; did you mean "azure-queue"?' });
  expect(lookupScaler('totally-different-thing')).toEqual({ error: 'unknown trigger type "totally-different-thing"' });
});

test('a registry scaler parses through the erased interface', () => {
  const found = lookupScaler('cron');
  if (!('scaler' in found)) throw new Error(found.error);
  const r = found.scaler.parse({ metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: '2' }, triggerIndex: 7 });
  expect(r.ok && r.metricSpecs[0]?.metricName).toBe('s7-cron-UTC-08xxx-09xxx');
});
