// Time for the scale loop, injected so tests drive polls and HPA syncs with a manual clock.

/** A timer handle as the scheduler hands it out (opaque to the loop). */
export type TimerHandle = object | number;

/** The clock and timers the loop uses. */
export interface Scheduler {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Real time: Date.now and Node timers (unref'd, so a loop alone does not keep a process alive). */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
