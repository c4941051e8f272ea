import { describe, expect, it } from 'vitest';
import { defineScaler } from '../../src/scalers/define.js';
import { scalerFor, type AnyScaler } from '../../src/scalers/index.js';
import { isNetworkError, ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { param } from '../../src/scalers/param.js';

function open(scaler: AnyScaler, metadata: Record<string, string>, timeoutMs = 200): ScalerInstance {
  const parsed = scaler.parse({ metadata, triggerIndex: 0 });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return new ScalerInstance(scaler, parsed, { trigger: { index: 0, type: scaler.type }, metadata, timeoutMs });
}

/** A scaler over an in-test "source" whose behaviour each test sets. */
function testScaler(source: { connects: number; closes: number; read: () => Promise<number> }) {
  return defineScaler({
    type: 'test-source',
    params: { password: param.string().required().secret(), target: param.int().default(5) },
    metricName: () => 'test',
    target: (p) => ({ value: p.target * 1000, activation: 2000 }),
    connect: () => {
      source.connects++;
      return { id: source.connects };
    },
    read: async () => ({ value: await source.read() }),
    close: () => {
      source.closes++;
    },
  });
}

describe('ScalerInstance', () => {
  it('reuses one connection across reads and applies the activation rule (value > 2)', async () => {
    const source = { connects: 0, closes: 0, read: () => Promise.resolve(2) };
    const instance = open(testScaler(source), { password: 'hunter22' });
    expect(await instance.getMetricsAndActivity(0)).toEqual({ metricName: 's0-test', valueMilli: 2000, active: false });
    source.read = () => Promise.resolve(2.5);
    expect(await instance.getMetricsAndActivity(0)).toEqual({ metricName: 's0-test', valueMilli: 2500, active: true });
    expect(source.connects).toBe(1);
    await instance.close();
    expect(source.closes).toBe(1);
  });

  it('times out a read, names the trigger, and reconnects on the next poll', async () => {
    const source = { connects: 0, closes: 0, read: () => new Promise<number>(() => undefined) };
    const instance = open(testScaler(source), { password: 'hunter22' }, 50);
    const error = await instance.getMetricsAndActivity(0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect((error as ScalerError).message).toBe('trigger 0 (test-source): read timed out after 50 ms');
    expect((error as ScalerError).kind).toBe('unreachable');
    source.read = () => Promise.resolve(7);
    expect((await instance.getMetricsAndActivity(0)).valueMilli).toBe(7000);
    expect(source.connects).toBe(2);
    expect(source.closes).toBe(1);
  });

  it('never lets a secret through in an error message', async () => {
    const source = { connects: 0, closes: 0, read: () => Promise.reject(new Error('auth failed for password hunter22')) };
    const instance = open(testScaler(source), { password: 'hunter22' });
    await expect(instance.getMetricsAndActivity(0)).rejects.toThrow('trigger 0 (test-source): auth failed for password ***');
  });

  it('cron reads from the clock: 5 inside 08:00–09:00 UTC, 0 outside', async () => {
    const cron = scalerFor('cron');
    if (!cron) throw new Error('cron not registered');
    const instance = open(cron, { timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: '5' });
    expect(await instance.getMetricsAndActivity(Date.parse('2026-01-01T08:30:00Z'))).toMatchObject({ valueMilli: 5000, active: true });
    expect(await instance.getMetricsAndActivity(Date.parse('2026-01-01T10:00:00Z'))).toMatchObject({ valueMilli: 0, active: false });
  });
});

describe('isNetworkError', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true],
    [new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }) }), true],
    [Object.assign(new Error('NOT_FOUND - no queue'), { code: 404 }), false],
    [new Error('plain'), false],
    ['text', false],
  ])('%s → %s', (error, expected) => {
    expect(isNetworkError(error)).toBe(expected);
  });
});

describe('ScalerInstance timeout', () => {
  it("honours a scaler's own longer timeout parameter (ms) over the 3 s default", async () => {
    const slow = defineScaler({
      type: 'slow-source',
      params: { timeout: param.int().default(3500) },
      metricName: () => 'slow',
      target: () => ({ value: 1000 }),
      read: () => new Promise<{ value: number }>((resolve) => setTimeout(() => { resolve({ value: 1 }); }, 3200)),
    });
    const parsed = slow.parse({ metadata: {}, triggerIndex: 0 });
    if (!parsed.ok) throw new Error('parse');
    const instance = new ScalerInstance(slow, parsed, { trigger: { index: 0, type: 'slow-source' }, metadata: {} });
    expect(await instance.getMetricsAndActivity(0)).toMatchObject({ valueMilli: 1000 });
  });
});
