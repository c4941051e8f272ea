// The timer listener on a fake clock (no storage: memory status store, no lock): scheduled runs and
// their §6.4 values, past due at start, runOnStartup, useMonitor off, one run at a time, drain, and the
// configuration errors a user can make.
import { describe, expect, test } from 'vitest';
import type { FunctionDefinition } from '../../../../src/app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type InvocationOutcome, type TriggerEvent } from '../../../../src/functions/host/contract.js';
import { createTimerTrigger, TimerListener, timerListenerConfig, type TimerClock } from '../../../../src/functions/host/triggers/timer-trigger.js';
import { MemoryStatusStore, type ScheduleStatusStore } from '../../../../src/functions/host/triggers/timer-status.js';

const ok: InvocationOutcome = { status: 'success', response: {} };
const T0 = Date.parse('2024-01-01T00:00:30Z');

/** A clock that moves only when told; sleeps resolve as time passes them. */
class FakeClock implements TimerClock {
  private readonly waiters: { at: number; resolve: () => void }[] = [];
  constructor(public time: number) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const waiter = { at: this.time + ms, resolve };
      this.waiters.push(waiter);
      signal.addEventListener('abort', () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve();
      });
    });
  }

  /** Moves time forward, waking sleepers in order and letting each react before going on. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const due = this.waiters.filter((w) => w.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      this.waiters.splice(this.waiters.indexOf(due), 1);
      due.resolve();
    }
    this.time = target;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface Lines {
  lines: { level: string; message: string }[];
}

function context(settings: Record<string, string> = {}): HostContext & Lines {
  const lines: Lines['lines'] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { settings, hostJson: { version: '2.0' }, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, now: () => T0, instanceId: 'test', lines };
}

function timerFunction(options: Record<string, unknown>): FunctionDefinition {
  const trigger = { name: 'myTimer', type: 'timerTrigger', direction: 'in' as const, options };
  return { name: 'TimerFn', trigger, bindings: [trigger], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory: '.' } };
}

interface Seen {
  readonly at: number;
  readonly info: { Schedule: { AdjustForDST: boolean }; ScheduleStatus: Record<string, string> | null; IsPastDue: boolean };
  readonly event: TriggerEvent;
}

function recorder(clock: FakeClock, handle: () => Promise<InvocationOutcome> | InvocationOutcome = () => ok): { dispatch: Dispatch; seen: Seen[] } {
  const seen: Seen[] = [];
  const dispatch: Dispatch = async (event) => {
    seen.push({ at: clock.now(), info: JSON.parse(event.value.json ?? 'null') as Seen['info'], event });
    return handle();
  };
  return { dispatch, seen };
}

function listener(options: Record<string, unknown>, clock: FakeClock, store: ScheduleStatusStore = new MemoryStatusStore(), settings: Record<string, string> = {}): { timer: TimerListener; ctx: HostContext & Lines } {
  const ctx = context(settings);
  return { timer: new TimerListener(timerListenerConfig(timerFunction(options), timerFunction(options).trigger, ctx, { clock, statusStore: store, localZone: 'UTC' })), ctx };
}

describe('scheduled runs', () => {
  test('every minute from 00:00:30: runs at 00:01:00 and 00:02:00 with the status before each run', async () => {
    const clock = new FakeClock(T0);
    const { timer, ctx } = listener({ schedule: '0 * * * * *' }, clock);
    const { dispatch, seen } = recorder(clock);
    await timer.start(dispatch);
    await clock.advance(29_000);
    expect(seen).toHaveLength(0);
    await clock.advance(1_000);
    await clock.advance(60_000);
    expect(seen.map((s) => new Date(s.at).toISOString())).toEqual(['2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z']);
    expect(seen[0]?.info).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: '0001-01-01T00:00:00', Next: '2024-01-01T00:01:00+00:00', LastUpdated: '2024-01-01T00:00:30+00:00' },
      IsPastDue: false,
    });
    expect(seen[1]?.info.ScheduleStatus).toEqual({ Last: '2024-01-01T00:01:00+00:00', Next: '2024-01-01T00:02:00+00:00', LastUpdated: '2024-01-01T00:01:00+00:00' });
    expect(seen[0]?.event.metadata['TimerTrigger']).toEqual({ string: '01/01/2024 00:01:00' });
    expect(ctx.lines.some((l) => l.level === 'warn' && /AzureWebJobsStorage is not set/.test(l.message))).toBe(true);
    expect(ctx.lines.some((l) => /next occurrences: 2024-01-01T00:01:00\+00:00, 2024-01-01T00:02:00\+00:00/.test(l.message))).toBe(true);
    await timer.stop();
  });

  test('a recorded Next in the past runs once at start with IsPastDue, then keeps the schedule', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryStatusStore();
    // Missed 23:58 and 23:59 and 00:00 while down: one past-due run, not three.
    await store.write('Host.Functions.TimerFn', { last: Date.parse('2023-12-31T23:57:00Z'), next: Date.parse('2023-12-31T23:58:00Z'), lastUpdated: Date.parse('2023-12-31T23:57:00Z') });
    const { timer } = listener({ schedule: '0 * * * * *' }, clock, store);
    const { dispatch, seen } = recorder(clock);
    await timer.start(dispatch);
    await clock.advance(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.info.IsPastDue).toBe(true);
    expect(seen[0]?.info.ScheduleStatus?.['Next']).toBe('2023-12-31T23:58:00+00:00');
    expect(await store.read('Host.Functions.TimerFn')).toEqual({ last: T0, next: Date.parse('2024-01-01T00:01:00Z'), lastUpdated: T0 });
    await clock.advance(30_000);
    expect(seen.map((s) => s.info.IsPastDue)).toEqual([true, false]);
    await timer.stop();
  });

  test('runOnStartup runs at once (not past due); "true" as a string counts', async () => {
    const clock = new FakeClock(T0);
    const { timer } = listener({ schedule: '0 0 * * * *', runOnStartup: 'true' }, clock);
    const { dispatch, seen } = recorder(clock);
    await timer.start(dispatch);
    await clock.advance(0);
    expect(seen.map((s) => [s.at, s.info.IsPastDue])).toEqual([[T0, false]]);
    await timer.stop();
  });

  test('useMonitor false (and any sub-minute schedule): ScheduleStatus is null and nothing is stored', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryStatusStore();
    const { timer } = listener({ schedule: '*/10 * * * * *' }, clock, store);
    const { dispatch, seen } = recorder(clock);
    await timer.start(dispatch);
    await clock.advance(20_000); // 00:00:40 and 00:00:50
    expect(seen.map((s) => [new Date(s.at).toISOString(), s.info.ScheduleStatus])).toEqual([
      ['2024-01-01T00:00:40.000Z', null],
      ['2024-01-01T00:00:50.000Z', null],
    ]);
    expect(await store.read('Host.Functions.TimerFn')).toBeUndefined();
    await timer.stop();
  });

  test('a TimeSpan schedule fires every interval after start; AdjustForDST false', async () => {
    const clock = new FakeClock(T0);
    const { timer } = listener({ schedule: '00:05:00' }, clock);
    const { dispatch, seen } = recorder(clock);
    await timer.start(dispatch);
    await clock.advance(10 * 60_000);
    expect(seen.map((s) => (s.at - T0) / 60_000)).toEqual([5, 10]);
    expect(seen[0]?.info.Schedule).toEqual({ AdjustForDST: false });
    await timer.stop();
  });

  test('a failed run is not retried and does not stop the schedule', async () => {
    const clock = new FakeClock(T0);
    const { timer } = listener({ schedule: '0 * * * * *' }, clock);
    const { dispatch, seen } = recorder(clock, () => ({ status: 'failure', error: new Error('boom') }));
    await timer.start(dispatch);
    await clock.advance(150_000); // 00:01, 00:02, 00:03
    expect(seen).toHaveLength(3);
    await timer.stop();
  });
});

describe('one run at a time, drain', () => {
  test('a run that overruns three occurrences is followed by one immediate run, never two at once', async () => {
    const clock = new FakeClock(T0);
    const { timer } = listener({ schedule: '0 * * * * *' }, clock);
    let release: () => void = () => undefined;
    let running = 0;
    let maxRunning = 0;
    const { dispatch, seen } = recorder(clock, async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      if (seen.length === 1) await new Promise<void>((resolve) => (release = resolve));
      running -= 1;
      return ok;
    });
    await timer.start(dispatch);
    await clock.advance(30_000); // first run starts at 00:01:00 and blocks
    await clock.advance(200_000); // 00:04:20: 00:02, 00:03, 00:04 pass while it runs
    expect(seen).toHaveLength(1);
    expect(timer.inFlight).toBe(1);
    release();
    await clock.advance(0);
    expect(seen.map((s) => new Date(s.at).toISOString())).toEqual(['2024-01-01T00:01:00.000Z', '2024-01-01T00:04:20.000Z']);
    await clock.advance(40_000); // then back on schedule at 00:05:00
    expect(seen.map((s) => new Date(s.at).toISOString()).slice(2)).toEqual(['2024-01-01T00:05:00.000Z']);
    expect(maxRunning).toBe(1);
    await timer.stop();
  });

  test('drain waits for the running invocation, then no more occurrences fire', async () => {
    const clock = new FakeClock(T0);
    const { timer } = listener({ schedule: '0 * * * * *' }, clock);
    let release: () => void = () => undefined;
    const { dispatch, seen } = recorder(
      clock,
      () =>
        new Promise((resolve) => {
          release = () => {
            resolve(ok);
          };
        }),
    );
    await timer.start(dispatch);
    await clock.advance(30_000);
    let drained = false;
    const drain = timer.drain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    release();
    await drain;
    expect(timer.inFlight).toBe(0);
    await clock.advance(300_000);
    expect(seen).toHaveLength(1);
  });
});

describe('configuration', () => {
  const make = (options: Record<string, unknown>, settings: Record<string, string> = {}) => () =>
    createTimerTrigger({ localZone: 'UTC' }).create(timerFunction(options), timerFunction(options).trigger, context(settings));

  test.each([
    [{}, /"schedule" is required/],
    [{ schedule: '0 0 25 * * *' }, /hour field "25"/],
    [{ schedule: '%MISSING%' }, /app setting "MISSING"/],
    [{ schedule: '0 0 * * * *', runOnStartup: 'yes' }, /"runOnStartup" must be true or false/],
    [{ schedule: '0 0 * * * *', useMonitor: 3 }, /"useMonitor" must be true or false/],
  ])('%j is a BindingConfigError naming the problem', (options, message) => {
    expect(make(options)).toThrow(BindingConfigError);
    expect(make(options)).toThrow(message);
  });

  test('%NAME% schedules and WEBSITE_TIME_ZONE are read from the settings', () => {
    const fn = timerFunction({ schedule: '%CLEANUP_SCHEDULE%' });
    const config = timerListenerConfig(fn, fn.trigger, context({ CLEANUP_SCHEDULE: '0 0 9 * * *', WEBSITE_TIME_ZONE: 'Europe/Berlin' }), { localZone: 'UTC' });
    expect(config.schedule.text).toBe('0 0 9 * * *');
    expect(config.schedule.next(Date.parse('2024-07-01T00:00:00Z'))).toBe(Date.parse('2024-07-01T07:00:00Z')); // 09:00 CEST
    expect(config.singleton).toBeUndefined();
    expect(() => make({ schedule: '0 0 * * * *' }, { TZ: 'Mars/Olympus' })()).toThrow(/app setting TZ "Mars\/Olympus" is not an IANA time zone/);
  });
});
