import { describe, expect, test } from 'vitest';
import { metricsApi } from '../../src/scalers/metrics-api.js';
import { prometheus } from '../../src/scalers/prometheus.js';
import { errors, parsed } from './helpers.js';

const prom = { serverAddress: 'http://prometheus-server.monitoring:9090', query: 'sum(rate(http_requests_total{deployment="my-deployment"}[2m]))' };

describe('prometheus', () => {
  test('KEDA docs example: threshold 100.50, activation 5.5 → milli targets, metric s0-prometheus', () => {
    const r = parsed(prometheus.parse({ metadata: { ...prom, threshold: '100.50', activationThreshold: '5.5', namespace: 'example-namespace', customHeaders: 'X-Client-Id=cid,X-Tenant-Id=tid', ignoreNullValues: 'false', unsafeSsl: 'false' }, triggerIndex: 0 }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-prometheus', targetType: 'AverageValue', targetMilli: 100_500, activationMilli: 5500 }]);
    expect([r.params.customHeaders, r.params.ignoreNullValues]).toEqual([{ 'X-Client-Id': 'cid', 'X-Tenant-Id': 'tid' }, false]);
  });

  test('defaults: ignoreNullValues true, activation 0, no auth modes', () => {
    const r = parsed(prometheus.parse({ metadata: { ...prom, threshold: '3' }, triggerIndex: 5, metricType: 'Value' }));
    expect([r.params.ignoreNullValues, r.params.authModes, r.metricSpecs[0]?.metricName, r.metricSpecs[0]?.targetType]).toEqual([true, [], 's5-prometheus', 'Value']);
  });

  test('float targets are truncated to milli like KEDA (int64(v * 1000)): 0.0015 → 1', () => {
    expect(parsed(prometheus.parse({ metadata: { ...prom, threshold: '0.0015' }, triggerIndex: 0 })).metricSpecs[0]?.targetMilli).toBe(1);
  });

  test('threshold is required unless scalingModifiers make the trigger a metric source', () => {
    expect(errors(prometheus.parse({ metadata: prom, triggerIndex: 0 }))).toEqual(['metadata.threshold: required (set metadata.threshold)']);
    expect(parsed(prometheus.parse({ metadata: prom, triggerIndex: 0, metricSource: true })).metricSpecs[0]?.targetMilli).toBe(0);
  });

  test.each([
    ['basic without username', { authModes: 'basic' }, {}, ['authParams.username: required with authModes basic (set it in the TriggerAuthentication)']],
    ['bearer and basic together', { authModes: 'bearer,basic' }, { bearerToken: 't0ken-value', username: 'u' }, ['metadata.authModes: only one of bearer, basic and oauth may be used (got bearer, basic)']],
    ['tls needs cert, key and ca', { authModes: 'tls' }, { cert: 'C', key: 'K' }, ['authParams.ca: required with authModes tls (set it in the TriggerAuthentication)']],
    ['unknown mode', { authModes: 'kerberos' }, {}, ['metadata.authModes: "kerberos" is not one of apiKey, basic, tls, bearer, custom, oauth']],
    ['custom header needs both parts', {}, { authModes: 'custom', customAuthHeader: 'X-Auth' }, ['authParams.customAuthValue: required with authModes custom (set it in the TriggerAuthentication)']],
    ['negative timeout', { timeout: '-1' }, {}, ['metadata.timeout: must not be negative (milliseconds)']],
    ['server without scheme', { serverAddress: 'prometheus:9090' }, {}, ['metadata.serverAddress: must be an http:// or https:// URL']],
  ])('%s', (_name, metadata, authParams, expected) => {
    const r = prometheus.parse({ metadata: { ...prom, threshold: '1', ...metadata }, authParams, triggerIndex: 0 });
    expect(errors(r)).toEqual(expected);
    expect(JSON.stringify(r).includes('t0ken-value')).toBe(false);
  });

  test('auth modes cannot be combined with pod identity', () => {
    const r = prometheus.parse({ metadata: { ...prom, threshold: '1' }, authParams: { authModes: 'bearer', bearerToken: 'x' }, triggerIndex: 0, podIdentity: 'azure-workload' });
    expect(errors(r)).toEqual(['authParams.authModes: cannot be combined with pod identity (azure-workload)']);
  });

  test('bearer auth from the TriggerAuthentication (token is an alias of bearerToken)', () => {
    const r = parsed(prometheus.parse({ metadata: { ...prom, threshold: '1' }, authParams: { authModes: 'bearer', token: 'abc' }, triggerIndex: 0 }));
    expect([r.params.authModes, r.params.bearerToken]).toEqual([['bearer'], 'abc']);
  });
});

describe('metrics-api', () => {
  const api = { url: 'http://api:3232/api/v1/stats', valueLocation: 'components.worker.tasks' };

  test('KEDA docs example: targetValue 8.8, activation 3.8, metric name from valueLocation', () => {
    const r = parsed(metricsApi.parse({ metadata: { ...api, targetValue: '8.8', activationTargetValue: '3.8' }, triggerIndex: 0 }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-metric-api-components-worker-tasks', targetType: 'AverageValue', targetMilli: 8800, activationMilli: 3800 }]);
    expect([r.params.format, r.params.aggregationType]).toEqual(['json', 'average']);
  });

  test.each([
    ['targetValue missing', {}, 'metadata.targetValue: required (set metadata.targetValue)'],
    ['targetValue 0', { targetValue: '0' }, 'metadata.targetValue: must not be 0'],
    ['unknown format', { targetValue: '1', format: 'csv' }, 'metadata.format: "csv" is not one of json, xml, yaml, prometheus'],
    ['not a URL', { targetValue: '1', url: 'api stats' }, 'metadata.url: is not a URL'],
    ['service aggregation needs <svc>.<ns>', { targetValue: '1', url: 'http://api/stats', aggregateFromKubeServiceEndpoints: 'true' }, 'metadata.url: host "api" must be <service>.<namespace>[.svc…] with aggregateFromKubeServiceEndpoints'],
  ])('%s', (_name, metadata, expected) => {
    expect(errors(metricsApi.parse({ metadata: { ...api, ...metadata }, triggerIndex: 0 }))).toEqual([expected]);
  });

  test('as a metric source, targetValue may be absent', () => {
    expect(parsed(metricsApi.parse({ metadata: api, triggerIndex: 0, metricSource: true })).metricSpecs[0]?.targetMilli).toBe(0);
  });

  test('apiKey auth: the key may sit in metadata but is secret; method defaults to header', () => {
    const key = 'k3y-abcdef';
    const r = metricsApi.parse({ metadata: { ...api, targetValue: 'x', authMode: 'apiKey', apiKey: key }, triggerIndex: 0 });
    expect(errors(r)).toEqual(['metadata.targetValue: "x" is not a number']);
    expect(JSON.stringify(r).includes(key)).toBe(false);
    const ok = parsed(metricsApi.parse({ metadata: { ...api, targetValue: '1', authMode: 'apiKey', apiKey: key }, triggerIndex: 0 }));
    expect([ok.params.authModes, ok.params.method]).toEqual([['apiKey'], 'header']);
  });
});
