// timerTrigger: runs a function on an NCRONTAB or TimeSpan schedule, as the host's TimerListener does.
// - One run at a time: the next occurrence is computed after a run finishes; a run that overran the
//   next occurrence is followed by one immediate run (missed occurrences are not replayed).
// - useMonitor: a status {Last, Next, LastUpdated} is kept (a blob in AzureWebJobsStorage); at start a
//   recorded Next already in the past means an occurrence was missed (host down, lock changing hands):
//   one run happens at once with IsPastDue = true. Without it ScheduleStatus is null and runs are never past due.
// - runOnStartup: one run whenever the listener begins firing (with a lock: whenever this replica takes it).
// - Singleton: with AzureWebJobsStorage, only the replica holding the listener lock fires; without
//   storage every replica fires, with a warning.
// - drain/stop: no new occurrences; a running one finishes first (and its status is written).
// A failed run is logged by the dispatcher and does not change the schedule: timers have no retry.
import type { BindingDefinition, FunctionDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type Dispatch, type HostContext, type HostLogger, type TriggerDefinition, type TriggerListener } from '../contract.js';
import { stringOption } from '../settings.js';
import { containerClientFor, storageConnection } from '../storage-connection.js';
import { blobLeaseBackend, HOSTS_CONTAINER, ListenerSingleton, lockBlobName, singletonOptions, type LeaseBackend, type SingletonOptions } from './singleton-lease.js';
import { effectiveUseMonitor, formatLocalIso, nextOccurrences, parseTimerSchedule, type TimerSchedule } from './timer-schedule.js';
import { checkPastDue, MemoryStatusStore, statusAfterRun, timerInfoValue, timerTriggerText, type ScheduleStatus, type ScheduleStatusStore } from './timer-status.js';
import { BlobStatusStore, timerHostId, timerName } from './timer-storage.js';
import { timerTimeZone } from './timer-zone.js';

/** Time as the listener sees it; tests pass a fake one. */
export interface TimerClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Overrides for tests; bindings, host.json and app settings decide everything else. */
export interface TimerTriggerOverrides {
  readonly clock?: TimerClock;
  /** Lease timings (host.json `singleton` otherwise); tests use short retries. */
  readonly singleton?: Partial<SingletonOptions>;
  /** Replaces the status store (memory, or a blob in AzureWebJobsStorage). */
  readonly statusStore?: ScheduleStatusStore;
  /** Replaces the lock: a backend, or null for none. */
  readonly lease?: LeaseBackend | null;
  /** The process time zone when neither WEBSITE_TIME_ZONE nor TZ is set. */
  readonly localZone?: string;
}

/** Everything one timer listener runs with. */
export interface TimerListenerConfig {
  readonly functionName: string;
  readonly timerName: string;
  readonly schedule: TimerSchedule;
  readonly runOnStartup: boolean;
  /** Undefined when useMonitor is off: ScheduleStatus is null and nothing is past due. */
  readonly store: ScheduleStatusStore | undefined;
  /** Undefined without AzureWebJobsStorage: every replica fires. */
  readonly singleton: ListenerSingleton | undefined;
  readonly log: HostLogger;
  readonly clock: TimerClock;
}

// A function, not the property: TypeScript would keep its narrowing across the awaits of the loop.
function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

const MAX_SLEEP_MS = 2_147_483_647;
const NEVER = Number.MAX_SAFE_INTEGER;

/** Real time: `now` from the host context, sleeps with setTimeout. */
export function systemClock(now: () => number): TimerClock {
  return {
    now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal.aborted) {
          resolve();
          return;
        }
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done);
      }),
  };
}

function flag(options: Readonly<Record<string, unknown>>, key: string, where: string): boolean | undefined {
  const raw = options[key];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
  throw new BindingConfigError(`${where}: "${key}" must be true or false (got ${JSON.stringify(raw)})`);
}

/** Reads a timerTrigger binding: schedule (`%NAME%` resolved), zone, runOnStartup, useMonitor, storage for status and lock. */
export function timerListenerConfig(fn: FunctionDefinition, binding: BindingDefinition, ctx: HostContext, overrides: TimerTriggerOverrides = {}): TimerListenerConfig {
  const where = `function "${fn.name}" binding "${binding.name}" (timerTrigger)`;
  const text = stringOption(binding.options, 'schedule', ctx.settings, where);
  if (text === undefined || text.trim() === '') throw new BindingConfigError(`${where}: "schedule" is required (e.g. "0 */5 * * * *")`);
  const zone = timerTimeZone(ctx.settings, overrides.localZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, where);
  const schedule = parseTimerSchedule(text, zone);
  if ('error' in schedule) throw new BindingConfigError(`${where}: ${schedule.error}`);
  const clock = overrides.clock ?? systemClock(ctx.now);
  const useMonitor = effectiveUseMonitor(schedule, flag(binding.options, 'useMonitor', where), clock.now());
  const name = timerName(fn.name);
  const hasStorage = (ctx.settings['AzureWebJobsStorage'] ?? '') !== '';
  const container = hasStorage ? containerClientFor(storageConnection({}, ctx.settings, 'blob', where), HOSTS_CONTAINER) : undefined;
  const hostId = timerHostId(ctx.settings);
  const fields = { function: fn.name, lock: lockBlobName(hostId, `${name}.Listener`) };
  const options = { ...singletonOptions(ctx.hostJson), ...overrides.singleton };
  const lease = overrides.lease !== undefined ? overrides.lease : container && blobLeaseBackend(container, fields.lock, options.leaseMs, ctx.instanceId);
  const store = !useMonitor ? undefined : (overrides.statusStore ?? (container ? new BlobStatusStore(container, hostId, schedule) : new MemoryStatusStore()));
  return {
    functionName: fn.name,
    timerName: name,
    schedule,
    runOnStartup: flag(binding.options, 'runOnStartup', where) ?? false,
    store,
    singleton: lease ? new ListenerSingleton(lease, options, ctx.log, fields) : undefined,
    log: ctx.log,
    clock,
  };
}

/** A timerTrigger definition with overrides (tests). */
export function createTimerTrigger(overrides: TimerTriggerOverrides = {}): TriggerDefinition {
  return { type: 'timerTrigger', create: (fn, binding, ctx) => new TimerListener(timerListenerConfig(fn, binding, ctx, overrides)) };
}

/** The timerTrigger the host registers. */
export const timerTrigger: TriggerDefinition = createTimerTrigger();

/** The timer listener of one function. */
export class TimerListener implements TriggerListener {
  private dispatch: Dispatch | undefined;
  private firing: { readonly abort: AbortController; readonly done: Promise<void> } | undefined;
  private running = false;
  private draining = false;
  private abandoned = false;

  constructor(private readonly config: TimerListenerConfig) {}

  /** 1 while a run is in progress. */
  get inFlight(): number {
    return this.running ? 1 : 0;
  }

  /** Starts firing (or competing for the listener lock); resolves at once. */
  start(dispatch: Dispatch): Promise<void> {
    if (this.dispatch) throw new Error(`timer listener of function "${this.config.functionName}" was already started`);
    this.dispatch = dispatch;
    const { singleton, log, functionName } = this.config;
    if (singleton) {
      singleton.start({
        acquired: () => {
          this.beginFiring();
        },
        lost: () => this.stopFiring(),
      });
    } else {
      log.warn('AzureWebJobsStorage is not set: this timer fires on every replica (no listener lock) and missed runs are not detected across restarts', { function: functionName });
      this.beginFiring();
    }
    return Promise.resolve();
  }

  /** No new occurrences; waits for a running one, then gives the listener lock up. */
  async drain(): Promise<void> {
    this.draining = true;
    await this.stopFiring();
    await this.config.singleton?.stop();
  }

  /** Drains (a timer holds no other connection). */
  async stop(): Promise<void> {
    await this.drain();
  }

  /** Stops at once as a kill would: the running invocation's outcome is ignored and the lock is not released. */
  abandon(): void {
    this.draining = true;
    this.abandoned = true;
    this.config.singleton?.abandon();
    this.firing?.abort.abort();
  }

  private beginFiring(): void {
    if (this.draining || this.firing || !this.dispatch) return;
    const abort = new AbortController();
    const dispatch = this.dispatch;
    this.firing = { abort, done: this.fire(dispatch, abort.signal) };
  }

  private async stopFiring(): Promise<void> {
    const firing = this.firing;
    if (!firing) return;
    firing.abort.abort();
    await firing.done;
    if (this.firing === firing) this.firing = undefined;
  }

  private async fire(dispatch: Dispatch, signal: AbortSignal): Promise<void> {
    const { clock, schedule, log, functionName } = this.config;
    try {
      let status = await this.initialStatus();
      if (signal.aborted) return;
      if (status.pastDue) status = { ...status, current: await this.run(dispatch, clock.now(), status.current, 'pastDue') };
      else if (this.config.runOnStartup) status = { ...status, current: await this.run(dispatch, clock.now(), status.current, 'startup') };
      const upcoming = nextOccurrences(schedule, clock.now(), 5).map((at) => formatLocalIso(schedule.zone, at));
      log.info(`timer schedule "${schedule.text}" (${schedule.zone.name}); next occurrences: ${upcoming.join(', ')}`, { function: functionName });
      let current = status.current;
      while (!aborted(signal)) {
        const wait = current.next - clock.now();
        if (current.next >= NEVER) log.warn('timer schedule has no further occurrences', { function: functionName });
        if (wait > 0) await clock.sleep(Math.min(wait, MAX_SLEEP_MS), signal);
        if (aborted(signal)) break;
        // Long waits are slept in pieces (setTimeout's limit), and a timer may wake a millisecond early:
        // fire only once the occurrence is due, so a run never carries the previous second's time.
        if (clock.now() < current.next) continue;
        current = await this.run(dispatch, clock.now(), current, 'scheduled');
      }
    } catch (error) {
      log.error('timer listener failed; the function will not fire until the host restarts', { function: functionName, error: String(error) });
    }
  }

  /** The status to start from: recorded (and checked for a missed run) with useMonitor, fresh without. */
  private async initialStatus(): Promise<{ current: ScheduleStatus; pastDue: boolean }> {
    const { clock, schedule, store, timerName: timer, log, functionName } = this.config;
    const now = clock.now();
    if (!store) return { current: { last: undefined, next: schedule.next(now) ?? NEVER, lastUpdated: now }, pastDue: false };
    let recorded: ScheduleStatus | undefined;
    try {
      recorded = await store.read(timer);
    } catch (error) {
      log.warn('timer status could not be read; missed runs cannot be detected this time', { function: functionName, error: String(error) });
    }
    const check = checkPastDue(schedule, now, recorded);
    if (check.changed) await this.writeStatus(check.status);
    if (check.pastDueMs > 0) log.info(`timer is past due by ${check.pastDueMs} ms; running now`, { function: functionName });
    return { current: check.status, pastDue: check.pastDueMs > 0 };
  }

  /** One invocation; resolves with the status after it (written when monitored). */
  private async run(dispatch: Dispatch, at: number, status: ScheduleStatus, reason: 'scheduled' | 'pastDue' | 'startup'): Promise<ScheduleStatus> {
    const { schedule, store } = this.config;
    this.running = true;
    try {
      await dispatch({
        value: timerInfoValue(schedule, store ? status : undefined, reason === 'pastDue'),
        metadata: { TimerTrigger: { string: timerTriggerText(at) } },
      });
    } finally {
      this.running = false;
    }
    const next = statusAfterRun(schedule, at, status, reason === 'scheduled');
    if (store) await this.writeStatus(next);
    return next;
  }

  private async writeStatus(status: ScheduleStatus): Promise<void> {
    const { store, timerName: timer, log, functionName } = this.config;
    if (this.abandoned) return;
    try {
      await store?.write(timer, status);
    } catch (error) {
      // Best effort, as in the host: a lost status only weakens the missed-run check.
      log.warn('timer status could not be written', { function: functionName, error: String(error) });
    }
  }
}
