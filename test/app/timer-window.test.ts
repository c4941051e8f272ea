import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/app/function-model.js';
import { scaledObjectForApp } from '../../src/app/scaled-object-mapping.js';
import { timerWindow } from '../../src/app/timer-window.js';
import { validateObject } from '../../src/api/validate.js';

const fiveMinutes = { functionTimeoutMs: 5 * 60_000, timezone: 'UTC' };

describe('timerWindow: a cron window from 1 minute before each run to functionTimeout after it', () => {
  it.each([
    { schedule: '0 0 * * * *', start: '59 * * * *', end: '5 * * * *' },
    { schedule: '0 30 9 * * *', start: '29 9 * * *', end: '35 9 * * *' },
    { schedule: '0 0 9,17 * * *', start: '59 8,16 * * *', end: '5 9,17 * * *' },
    { schedule: '0 0 0 * * *', start: '59 23 * * *', end: '5 0 * * *' },
    { schedule: '0 0 */6 * * *', start: '59 5,11,17,23 * * *', end: '5 0,6,12,18 * * *' },
    { schedule: '0 58 10 * * 1-5', start: '57 10 * * 1-5', end: '3 11 * * 1-5' },
  ])('$schedule → start "$start", end "$end"', ({ schedule, start, end }) => {
    expect(timerWindow('Tick', schedule, fiveMinutes)).toEqual({ kind: 'cron', triggers: [{ type: 'cron', name: 'Tick', metadata: { timezone: 'UTC', start, end, desiredReplicas: '1' } }] });
  });

  it('one trigger per distinct minute, each named after its minute', () => {
    const window = timerWindow('Tick', '0 0,30 * * * *', fiveMinutes);
    expect(window).toMatchObject({ kind: 'cron', triggers: [{ name: 'Tick-m0', metadata: { start: '59 * * * *', end: '5 * * * *' } }, { name: 'Tick-m30', metadata: { start: '29 * * * *', end: '35 * * * *' } }] });
  });

  it.each([
    { schedule: '0 */5 * * * *', reason: 'more than once per 10 minutes' },
    { schedule: '0 0,55 * * * *', reason: 'more than once per 10 minutes' },
    { schedule: '00:05:00', reason: 'TimeSpan' },
    { schedule: '30 0 * * * *', reason: 'non-zero seconds' },
    { schedule: '0 0,20,40 * * * *', reason: 'not shorter than the 20 minutes between runs', timeout: 30 },
    { schedule: '0 0 0 * * 1', reason: 'crosses midnight' },
  ])('$schedule keeps one replica ($reason)', ({ schedule, reason, timeout }) => {
    const window = timerWindow('Tick', schedule, { ...fiveMinutes, functionTimeoutMs: (timeout ?? 5) * 60_000 });
    expect(window).toEqual({ kind: 'keep-one-replica', reason: expect.stringContaining(reason) as string });
  });

  it('an unbounded functionTimeout keeps one replica; a bad schedule is invalid', () => {
    expect(timerWindow('Tick', '0 0 * * * *', { ...fiveMinutes, functionTimeoutMs: null })).toMatchObject({ kind: 'keep-one-replica', reason: expect.stringContaining('unbounded') as string });
    expect(timerWindow('Tick', '0 0 * * *', fiveMinutes)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('6 fields') as string });
    expect(timerWindow('Tick', '0 99 * * * *', fiveMinutes)).toMatchObject({ kind: 'invalid' });
  });
});

describe('scaledObjectForApp with timers: cron-window', () => {
  const timer = (schedule: string): FunctionDefinition => ({
    name: 'Tick',
    trigger: { name: 't', type: 'timerTrigger', direction: 'in', options: { schedule } },
    bindings: [],
    disabled: false,
    source: { model: 'v3', scriptFile: 'index.js', directory: 'Tick' },
  });

  it('an hourly timer becomes a valid cron ScaledObject with no minimum replica; %NAME% schedules resolve; WEBSITE_TIME_ZONE is the zone', () => {
    const result = scaledObjectForApp({ functions: [timer('%Every%')], settings: { Every: '0 0 * * * *', WEBSITE_TIME_ZONE: 'Europe/Berlin' } }, { name: 'x', timers: 'cron-window' });
    expect(result.problems).toEqual([]);
    expect(result.minReplicaCount).toBe(0);
    expect(result.scaledObject?.spec.triggers).toEqual([{ type: 'cron', name: 'Tick', metadata: { timezone: 'Europe/Berlin', start: '59 * * * *', end: '30 * * * *', desiredReplicas: '1' } }]);
    expect(validateObject(result.scaledObject)).toEqual([]);
  });

  it('a frequent timer keeps one replica with the reason; the default mode keeps the old note', () => {
    const cron = scaledObjectForApp({ functions: [timer('0 */5 * * * *')], settings: {} }, { name: 'x', timers: 'cron-window' });
    expect(cron).toMatchObject({ minReplicaCount: 1, notes: ['Tick: keeps one replica: "0 */5 * * * *" fires more than once per 10 minutes'] });
    const local = scaledObjectForApp({ functions: [timer('0 0 * * * *')], settings: {} }, { name: 'x' });
    expect(local).toMatchObject({ minReplicaCount: 1, notes: ['Tick: timer apps keep one replica'] });
  });

  it('a missing or invalid schedule is a problem at functions.<name>.schedule', () => {
    const result = scaledObjectForApp({ functions: [timer('nonsense')], settings: {} }, { name: 'x', timers: 'cron-window' });
    expect(result.problems).toEqual([expect.objectContaining({ path: 'functions.Tick.schedule', severity: 'error' })]);
  });
});
