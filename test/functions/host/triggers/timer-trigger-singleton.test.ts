// timerTrigger with AzureWebJobsStorage on an in-process Azurite, real time: two replicas' listeners
// of one function share a listener lock (only the holder fires each occurrence, the other takes over
// when the holder stops), and status blobs in the host's layout drive the past-due check.
import { ContainerClient } from '@azure/storage-blob';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { FunctionDefinition } from '../../../../src/app/function-model.js';
import type { Dispatch, HostContext, TriggerEvent } from '../../../../src/functions/host/contract.js';
import { HOSTS_CONTAINER } from '../../../../src/functions/host/triggers/singleton-lease.js';
import { TimerListener, timerListenerConfig } from '../../../../src/functions/host/triggers/timer-trigger.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';

let azurite: Azurite;
let counter = 0;
const running: TimerListener[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
});

afterEach(() => {
  for (const listener of running.splice(0)) listener.abandon();
});

afterAll(async () => {
  await azurite.stop();
});

function newHostId(): string {
  return `tide-test-${process.pid}-${++counter}`;
}

function context(hostId: string, instanceId: string): HostContext {
  const quiet = (): void => undefined;
  return {
    settings: { AzureWebJobsStorage: azurite.connection, AzureFunctionsWebHost__hostid: hostId },
    hostJson: { version: '2.0', singleton: { listenerLockPeriod: '00:00:15', listenerLockRecoveryPollingInterval: '00:00:00.2' } },
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    now: () => Date.now(),
    instanceId,
  };
}

function timerFunction(schedule: string): FunctionDefinition {
  const trigger = { name: 'myTimer', type: 'timerTrigger', direction: 'in' as const, options: { schedule } };
  return { name: 'TimerFn', trigger, bindings: [trigger], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory: '.' } };
}

function start(hostId: string, instanceId: string, schedule: string, dispatch: Dispatch): TimerListener {
  const fn = timerFunction(schedule);
  const listener = new TimerListener(timerListenerConfig(fn, fn.trigger, context(hostId, instanceId), { localZone: 'UTC' }));
  running.push(listener);
  void listener.start(dispatch);
  return listener;
}

function recorder(): { dispatch: Dispatch; events: TriggerEvent[] } {
  const events: TriggerEvent[] = [];
  return {
    events,
    dispatch: (event) => {
      events.push(event);
      return Promise.resolve({ status: 'success', response: {} });
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An account-key client of the hosts container, for reading blobs and their lease state. */
function hostsContainer(): ContainerClient {
  return new ContainerClient(azurite.connection, HOSTS_CONTAINER);
}

test('two replicas: only the lock holder fires each occurrence; when it stops the other takes over', async () => {
  const hostId = newHostId();
  const a = recorder();
  const b = recorder();
  const first = start(hostId, 'replica-a', '*/1 * * * * *', a.dispatch);
  const second = start(hostId, 'replica-b', '*/1 * * * * *', b.dispatch);
  await waitFor(() => a.events.length + b.events.length >= 3, 6_000, 'three runs');
  const [holder, holderEvents, other, otherEvents, otherName] =
    a.events.length > 0 ? [first, a.events, second, b.events, 'replica-b'] : [second, b.events, first, a.events, 'replica-a'];
  expect(otherEvents).toHaveLength(0);
  // Each occurrence (one per second) ran once: the TimerTrigger times are all different.
  const times = holderEvents.map((e) => e.metadata['TimerTrigger']?.string);
  expect(new Set(times).size).toBe(times.length);

  const lock = hostsContainer().getBlobClient(`locks/${hostId}/Host.Functions.TimerFn.Listener`);
  const properties = await lock.getProperties();
  expect(properties.leaseState).toBe('leased');
  expect(properties.metadata?.['functioninstance']).toBe(otherName === 'replica-b' ? 'replica-a' : 'replica-b');

  await holder.stop(); // releases the lock
  const stoppedAt = holderEvents.length;
  // The other replica retries every 200 ms, then fires on the next whole second.
  await waitFor(() => otherEvents.length >= 2, 3_000, 'the other replica to take over');
  expect(holderEvents).toHaveLength(stoppedAt);
  expect((await lock.getProperties()).metadata?.['functioninstance']).toBe(otherName);
  await other.stop();
});

test('a status blob in the host layout whose Next has passed makes the first run past due, and the run updates it', async () => {
  const hostId = newHostId();
  const container = hostsContainer();
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient(`timers/${hostId}/Host.Functions.TimerFn/status`);
  // As the Functions host writes it: a daily run last happened two days ago, the next one was missed.
  const day = 86_400_000;
  const midnight = Math.floor(Date.now() / day) * day;
  const iso = (at: number): string => new Date(at).toISOString().replace('.000Z', '+00:00');
  const old = JSON.stringify({ Last: iso(midnight - day), Next: iso(midnight), LastUpdated: iso(midnight - day) });
  await blob.upload(old, old.length);

  const seen = recorder();
  const listener = start(hostId, 'replica-a', '0 0 0 * * *', seen.dispatch);
  await waitFor(() => seen.events.length === 1 && listener.inFlight === 0, 5_000, 'the past-due run');
  const info = JSON.parse(seen.events[0]?.value.json ?? '{}') as { IsPastDue: boolean; ScheduleStatus: { Next: string } };
  expect(info.IsPastDue).toBe(true);
  expect(info.ScheduleStatus.Next).toBe(iso(midnight));
  await listener.stop();
  const written = JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as { Last: string; Next: string };
  expect(written.Next).toBe(iso(midnight + day));
  expect(Date.parse(written.Last)).toBeGreaterThan(midnight);
});
