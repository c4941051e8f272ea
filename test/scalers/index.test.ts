import { expect, test } from 'vitest';
import { knownScalerTypes, lookupScaler, nearestScalerType, scalerFor } from '../../src/scalers/index.js';

test('eleven scaler types plus the four Redis aliases are registered', () => {
  expect(knownScalerTypes()).toEqual([
    'azure-blob', 'azure-queue', 'cpu', 'cron', 'kafka', 'memory', 'metrics-api', 'prometheus', 'rabbitmq',
    'redis', 'redis-cluster', 'redis-cluster-streams', 'redis-sentinel', 'redis-sentinel-streams', 'redis-streams',
  ]);
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
