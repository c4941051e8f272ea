import { describe, expect, test } from 'vitest';
import { cpu, memory } from '../../src/scalers/cpu-memory.js';
import { errors, parsed } from './helpers.js';

describe('cpu and memory', () => {
  test('Utilization 60 → Resource cpu, 60 % as 60 000 milli', () => {
    const r = parsed(cpu.parse({ metadata: { value: '60' }, metricType: 'Utilization', triggerIndex: 0 }));
    expect(r.metricSpecs).toEqual([{ kind: 'Resource', metricName: 'cpu', targetType: 'Utilization', targetMilli: 60_000, activationMilli: 0 }]);
  });

  test('AverageValue 512Mi with containerName → ContainerResource memory', () => {
    const r = parsed(memory.parse({ metadata: { value: '512Mi', containerName: 'app' }, metricType: 'AverageValue', triggerIndex: 1 }));
    expect(r.metricSpecs).toEqual([{ kind: 'ContainerResource', metricName: 'memory', targetType: 'AverageValue', targetMilli: 512 * 1024 * 1024 * 1000, activationMilli: 0, containerName: 'app' }]);
  });

  test('AverageValue 500m cpu → 500 milli', () => {
    expect(parsed(cpu.parse({ metadata: { value: '500m' }, metricType: 'AverageValue', triggerIndex: 0 })).metricSpecs[0]?.targetMilli).toBe(500);
  });

  test.each([
    ['metricType missing', { value: '50' }, undefined, ['metricType: required for cpu triggers (Utilization or AverageValue)']],
    ['metricType Value is not allowed', { value: '50' }, 'Value', ['metricType: "Value" is not one of Utilization, AverageValue']],
    ['Utilization needs an integer', { value: '50.5' }, 'Utilization', ['metadata.value: "50.5" is not an integer percentage (metricType Utilization)']],
    ['AverageValue needs a quantity', { value: 'lots' }, 'AverageValue', ['metadata.value: "lots" is not a quantity (metricType AverageValue), e.g. 500m or 256Mi']],
    ['value is required', {}, 'Utilization', ['metadata.value: required (set metadata.value)']],
    ['legacy metadata.type is rejected', { type: 'Utilization', value: '50' }, 'Utilization', ["metadata.type: is no longer supported: set the trigger's metricType (Utilization or AverageValue) instead"]],
  ] as const)('%s', (_name, metadata, metricType, expected) => {
    expect(errors(cpu.parse({ metadata, triggerIndex: 0, ...(metricType ? { metricType } : {}) }))).toEqual(expected);
  });
});
