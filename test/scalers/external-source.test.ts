// external / external-push against a real gRPC external scaler served in-process (test/servers/grpc-external-scaler.ts).
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { external, type ExternalConnection, type ExternalParams } from '../../src/scalers/external.js';
import { externalPush, subscribeIsActive } from '../../src/scalers/external-push.js';
import { pooledChannelCount } from '../../src/scalers/external-pool.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { startExternalScaler, type ExternalScalerServer } from '../servers/grpc-external-scaler.js';
import { parsed } from './helpers.js';

let server: ExternalScalerServer;

beforeAll(async () => {
  server = await startExternalScaler({ metricSpecs: [], values: {}, active: false });
});
afterAll(async () => {
  await server.stop();
});

function instance(metadata: Record<string, string>, options: { env?: Record<string, string>; index?: number; timeoutMs?: number } = {}) {
  const index = options.index ?? 0;
  const result = parsed(external.parse({ metadata, triggerIndex: index, ...(options.env ? { env: options.env } : {}) }));
  const scaler = new ScalerInstance(external, result, {
    trigger: { index, type: 'external' },
    metadata,
    scaledObject: { name: 'orders', namespace: 'shop' },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { result, scaler };
}

describe('external against a real gRPC scaler', () => {
  test('spec from GetMetricSpec, value from GetMetrics, activity from IsActive; scalerMetadata forwarded with FromEnv resolved', async () => {
    server.state.metricSpecs = [{ metricName: 'queue.depth', targetSize: 0, targetSizeFloat: 2.5 }];
    server.state.values = { 'queue.depth': { metricValue: 0, metricValueFloat: 7.25 } };
    server.state.active = false;
    const { result, scaler } = instance({ scalerAddress: server.address, queue: 'q1', tokenFromEnv: 'TOKEN', missingFromEnv: 'NOPE' }, { env: { TOKEN: 'abc' }, index: 2 });
    // Offline the name and target are placeholders; connecting fills them in from the server.
    expect([result.metricSpecs[0]?.metricName, result.metricSpecs[0]?.targetMilli]).toEqual(['s2-external', 0]);
    // 7.25 → 7250 milli; IsActive false wins over value > activation.
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: 's2-queue.depth', valueMilli: 7250, active: false });
    // KEDA does not normalise external names; 2.5 → 2500 milli.
    expect(scaler.metricSpecs[0]).toMatchObject({ metricName: 's2-queue.depth', targetMilli: 2500, activationMilli: 0 });
    expect(server.metricRequests.at(-1)).toBe('queue.depth');
    expect(server.refs.at(-1)).toEqual({
      name: 'orders',
      namespace: 'shop',
      scalerMetadata: { scalerAddress: server.address, queue: 'q1', tokenFromEnv: 'abc' },
    });
    await scaler.close();
  });

  test.each([
    ['float value and target', { targetSize: 0, targetSizeFloat: 0.5 }, { metricValue: 0, metricValueFloat: 0.75 }, true, 500, 750],
    ['integer (deprecated) fields when the floats are 0', { targetSize: 10, targetSizeFloat: 0 }, { metricValue: 42, metricValueFloat: 0 }, true, 10_000, 42_000],
    ['float wins over integer when > 0', { targetSize: 10, targetSizeFloat: 3 }, { metricValue: 42, metricValueFloat: 4 }, false, 3000, 4000],
  ])('%s', async (_name, spec, value, active, targetMilli, valueMilli) => {
    server.state.metricSpecs = [{ metricName: 'm', ...spec }];
    server.state.values = { m: value };
    server.state.active = active;
    const { scaler } = instance({ scalerAddress: server.address });
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: 's0-m', valueMilli, active });
    expect(scaler.metricSpecs[0]?.targetMilli).toBe(targetMilli);
    await scaler.close();
  });

  test('the spec follows the server between polls; a missing value is an error naming the metric', async () => {
    server.state.metricSpecs = [{ metricName: 'a', targetSize: 1, targetSizeFloat: 0 }];
    server.state.values = { a: { metricValue: 3, metricValueFloat: 0 } };
    const { scaler } = instance({ scalerAddress: server.address });
    await scaler.getMetricsAndActivity(Date.now());
    server.state.metricSpecs = [{ metricName: 'a', targetSize: 4, targetSizeFloat: 0 }];
    await scaler.getMetricsAndActivity(Date.now());
    expect(scaler.metricSpecs[0]?.targetMilli).toBe(4000);
    server.state.values = {};
    await expect(scaler.getMetricsAndActivity(Date.now())).rejects.toThrow('trigger 0 (external): GetMetrics of 127.0.0.1');
    await expect(scaler.getMetricsAndActivity(Date.now())).rejects.toThrow('returned no value for metric "a"');
    await scaler.close();
  });

  test('a server error is a read failure naming the call', async () => {
    server.state.metricSpecs = [{ metricName: 'a', targetSize: 1, targetSizeFloat: 0 }];
    server.state.values = { a: { metricValue: 1, metricValueFloat: 0 } };
    const { scaler } = instance({ scalerAddress: server.address });
    await scaler.getMetricsAndActivity(Date.now());
    server.state.failWith = grpc.status.INTERNAL;
    const error = await scaler.getMetricsAndActivity(Date.now()).catch((e: unknown) => e);
    delete server.state.failWith;
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'read', message: 'trigger 0 (external): GetMetricSpec: scaler told to fail' });
    await scaler.close();
  });

  test('unreachable scaler: ScalerError within the timeout', async () => {
    const { scaler } = instance({ scalerAddress: '127.0.0.1:1' }, { timeoutMs: 1500 });
    const started = Date.now();
    const error = await scaler.getMetricsAndActivity(started).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect((error as Error).message).toMatch(/^trigger 0 \(external\): /);
    expect(Date.now() - started).toBeLessThan(2500);
    await scaler.close();
  });

  test('triggers with the same address and TLS settings share one channel, closed with the last', async () => {
    server.state.metricSpecs = [{ metricName: 'a', targetSize: 1, targetSizeFloat: 0 }];
    server.state.values = { a: { metricValue: 1, metricValueFloat: 0 } };
    const before = pooledChannelCount();
    const one = instance({ scalerAddress: server.address, x: '1' }).scaler;
    const two = instance({ scalerAddress: server.address, x: '2' }).scaler;
    await Promise.all([one.getMetricsAndActivity(Date.now()), two.getMetricsAndActivity(Date.now())]);
    expect(pooledChannelCount()).toBe(before + 1);
    await one.close();
    expect(pooledChannelCount()).toBe(before + 1);
    await two.close();
    expect(pooledChannelCount()).toBe(before);
  });
});

/** A hook the declaration must have. */
function hook<T>(f: T | undefined): T {
  if (!f) throw new Error('external-push lacks a hook');
  return f;
}

describe('external-push StreamIsActive', () => {
  async function connectPush(): Promise<{ connection: ExternalConnection; params: ExternalParams }> {
    server.state.metricSpecs = [{ metricName: 'a', targetSize: 1, targetSizeFloat: 0 }];
    const params = parsed(externalPush.parse({ metadata: { scalerAddress: server.address }, triggerIndex: 0 })).params;
    const connection = await hook(externalPush.connect)(params, { signal: new AbortController().signal, timeoutMs: 3000, metadata: {}, scaledObject: { name: 'o', namespace: 'n' } });
    return { connection, params };
  }

  test('result true calls onActive at once; false is ignored; unsubscribe stops the stream', async () => {
    const { connection, params } = await connectPush();
    const onActive = vi.fn();
    const opened = server.streamsOpened;
    const unsubscribe = hook(externalPush.subscribe)(connection, params, onActive);
    await vi.waitFor(() => { expect(server.streamsOpened).toBe(opened + 1); });
    server.push(false);
    server.push(true);
    await vi.waitFor(() => { expect(onActive).toHaveBeenCalledTimes(1); });
    unsubscribe();
    server.push(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(onActive).toHaveBeenCalledTimes(1);
    await hook(externalPush.close)(connection);
  });

  test('a broken stream is reopened after the backoff and delivers again', async () => {
    const { connection } = await connectPush();
    const onActive = vi.fn();
    const opened = server.streamsOpened;
    const unsubscribe = subscribeIsActive(connection.client, connection.ref, onActive, { initialMs: 30, maxMs: 120 });
    await vi.waitFor(() => { expect(server.streamsOpened).toBe(opened + 1); });
    server.breakStreams();
    await vi.waitFor(() => { expect(server.streamsOpened).toBe(opened + 2); });
    server.push(true);
    await vi.waitFor(() => { expect(onActive).toHaveBeenCalledTimes(1); });
    unsubscribe();
    await hook(externalPush.close)(connection);
  });
});
