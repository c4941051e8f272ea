import { loadSync } from '@grpc/proto-loader';
import { describe, expect, test } from 'vitest';
import { external, externalMetricValue, externalScalerMetadata, externalTargetMilli, requestedMetric } from '../../src/scalers/external.js';
import { externalPush, nextRetryDelay, STREAM_BACKOFF } from '../../src/scalers/external-push.js';
import { EXTERNAL_SCALER_LOADER_OPTIONS, EXTERNAL_SCALER_SERVICE, externalScalerService } from '../../src/scalers/external-proto.js';
import { usesTLS } from '../../src/scalers/external-pool.js';
import { PROTO_PATH } from '../servers/grpc-external-scaler.js';
import { errors, parsed } from './helpers.js';

describe('external / external-push metadata (KEDA external_scaler_test cases)', () => {
  test.each([external, externalPush])('$type: scalerAddress required; TLS flags default false', (scaler) => {
    expect(errors(scaler.parse({ metadata: { metricName: 'x' }, triggerIndex: 0 }))).toEqual(['metadata.scalerAddress: required (set metadata.scalerAddress)']);
    const r = parsed(scaler.parse({ metadata: { scalerAddress: 'myservice:3000' }, triggerIndex: 0 }));
    expect([r.params.enableTLS, r.params.unsafeSsl, r.params.caCert]).toEqual([false, false, undefined]);
  });

  test.each([
    ['enableTLS not a boolean', { scalerAddress: 'a:1', enableTLS: 'yes' }, {}, ['metadata.enableTLS: "yes" is not a boolean (use true or false)']],
    ['unsafeSsl not a boolean', { scalerAddress: 'a:1', unsafeSsl: 'maybe' }, {}, ['metadata.unsafeSsl: "maybe" is not a boolean (use true or false)']],
  ])('rejected: %s', (_name, metadata, authParams, expected) => {
    expect(errors(external.parse({ metadata, authParams, triggerIndex: 0 }))).toEqual(expected);
  });

  test('server-specific keys are forwarded without "unknown key" warnings; TLS material comes from authParams', () => {
    const r = parsed(external.parse({
      metadata: { scalerAddress: 'svc:9090', queueName: 'q', unsafeSsl: 'true' },
      authParams: { caCert: 'CA', tlsClientCert: 'CERT', tlsClientKey: 'KEY-material' },
      triggerIndex: 0,
    }));
    expect(r.warnings).toEqual([]);
    expect(r.params.scalerMetadata).toEqual({ scalerAddress: 'svc:9090', queueName: 'q', unsafeSsl: 'true' });
    expect([r.params.caCert, r.params.tlsClientCert, r.params.tlsClientKey, usesTLS(r.params)]).toEqual(['CA', 'CERT', 'KEY-material', true]);
    expect(r.secrets).toContain('KEY-material');
  });

  test('a client cert without its key is ignored, with a warning (KEDA loads the pair only when both are set)', () => {
    const r = parsed(external.parse({ metadata: { scalerAddress: 'a:1' }, authParams: { tlsClientCert: 'CERT' }, triggerIndex: 0 }));
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['authParams.tlsClientCert: is ignored without its pair: set both tlsClientCert and tlsClientKey']);
    expect(usesTLS(r.params)).toBe(false);
  });

  test('offline spec is a placeholder until GetMetricSpec answers', () => {
    const r = parsed(external.parse({ metadata: { scalerAddress: 'a:1' }, triggerIndex: 4, metricType: 'Value' }));
    expect({ ...r.metricSpecs[0] }).toEqual({ kind: 'External', metricName: 's4-external', targetType: 'Value', targetMilli: 0, activationMilli: 0 });
    r.params.discovered.spec = { metricName: 'lag', targetSize: 0, targetSizeFloat: 1.25 };
    expect({ ...r.metricSpecs[0] }).toMatchObject({ metricName: 's4-lag', targetMilli: 1250 });
  });
});

describe('scalerMetadata', () => {
  test.each([
    ['plain keys as given', { a: '1', scalerAddress: 's' }, {}, { a: '1', scalerAddress: 's' }],
    ['xFromEnv carries the env value under the same key', { tokenFromEnv: 'TOKEN' }, { TOKEN: 't0k' }, { tokenFromEnv: 't0k' }],
    ['xFromEnv with an unset or empty variable is dropped', { aFromEnv: 'NOPE', bFromEnv: 'EMPTY' }, { EMPTY: '' }, {}],
  ])('%s', (_name, metadata, env, expected) => {
    expect(externalScalerMetadata(metadata, env)).toEqual(expected);
  });
});

describe('values and targets', () => {
  test.each([
    ['float target when > 0: 2.5 → 2500', { targetSize: 9, targetSizeFloat: 2.5 }, 2500],
    ['integer target otherwise: 9 → 9000', { targetSize: 9, targetSizeFloat: 0 }, 9000],
    ['float target truncates to milli: 0.0015 → 1', { targetSize: 0, targetSizeFloat: 0.0015 }, 1],
  ])('%s', (_name, spec, milli) => {
    expect(externalTargetMilli(spec)).toBe(milli);
  });

  test.each([
    ['float when > 0', { metricValue: 3, metricValueFloat: 0.5 }, 0.5],
    ['integer otherwise', { metricValue: 3, metricValueFloat: 0 }, 3],
  ])('metric value: %s', (_name, value, expected) => {
    expect(externalMetricValue(value)).toBe(expected);
  });

  const specs = [{ metricName: 'a', targetSize: 1, targetSizeFloat: 0 }, { metricName: 'b', targetSize: 1, targetSizeFloat: 0 }];
  test.each([
    ['the caller names a served metric', 's0-b', 'b'],
    ['placeholder name → the first served metric', 's0-external', 'a'],
    ['prefix with a two-digit index is removed', 's12-b', 'b'],
  ])('requested metric: %s', (_name, caller, expected) => {
    expect(requestedMetric(caller, specs)).toBe(expected);
  });

  test('StreamIsActive backoff: 2 s doubling to 1 min', () => {
    const delays = [STREAM_BACKOFF.initialMs];
    while (delays.length < 8) delays.push(nextRetryDelay(delays.at(-1) ?? 0, STREAM_BACKOFF));
    expect(delays).toEqual([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });
});

describe('externalscaler.proto and the in-code descriptor', () => {
  test('define the same methods, streaming and message wire format', () => {
    const fromFile = loadSync(PROTO_PATH, EXTERNAL_SCALER_LOADER_OPTIONS)[EXTERNAL_SCALER_SERVICE];
    const fromCode = externalScalerService();
    const shape = (service: unknown) =>
      Object.fromEntries(
        Object.entries(service as Record<string, { path: string; requestStream: boolean; responseStream: boolean; requestType: unknown; responseType: unknown }>).map(([name, m]) => [
          name,
          { path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, request: JSON.stringify(m.requestType), response: JSON.stringify(m.responseType) },
        ]),
      );
    expect(Object.keys(fromCode).sort()).toEqual(['GetMetricSpec', 'GetMetrics', 'IsActive', 'StreamIsActive', 'StreamMetricSpec']);
    expect(shape(fromCode)).toEqual(shape(fromFile));
  });

  test('a message encodes to the same bytes either way', () => {
    const fromFile = loadSync(PROTO_PATH, EXTERNAL_SCALER_LOADER_OPTIONS)[EXTERNAL_SCALER_SERVICE] as Record<string, { requestSerialize: (v: unknown) => Buffer }>;
    const request = { scaledObjectRef: { name: 'n', namespace: 'ns', scalerMetadata: { k: 'v' } }, metricName: 'm' };
    const code = externalScalerService().GetMetrics?.requestSerialize(request);
    expect(code?.toString('hex')).toBe(fromFile.GetMetrics?.requestSerialize(request).toString('hex'));
    expect(code?.length).toBeGreaterThan(10);
  });
});
