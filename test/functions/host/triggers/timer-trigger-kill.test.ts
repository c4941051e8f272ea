// timerTrigger: a killed lock holder (no release, renewals stop) on an in-process Azurite. The other
// replica must not fire while the killed one's lease is still valid (15 s, the Storage minimum), and
// takes over once it expires. Slow by nature (~16 s), hence its own file.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FunctionDefinition } from '../../../../src/app/function-model.js';
import type { Dispatch, HostContext } from '../../../../src/functions/host/contract.js';
import { TimerListener, timerListenerConfig } from '../../../../src/functions/host/triggers/timer-trigger.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

function listener(instanceId: string): TimerListener {
  const quiet = (): void => undefined;
  const ctx: HostContext = {
    settings: { AzureWebJobsStorage: azurite.connection, AzureFunctionsWebHost__hostid: `tide-kill-${process.pid}` },
    hostJson: { version: '2.0', singleton: { listenerLockPeriod: '00:00:15', listenerLockRecoveryPollingInterval: '00:00:00.2' } },
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    now: () => Date.now(),
    instanceId,
  };
  const trigger = { name: 'myTimer', type: 'timerTrigger', direction: 'in' as const, options: { schedule: '*/1 * * * * *' } };
  const fn: FunctionDefinition = { name: 'TimerFn', trigger, bindings: [trigger], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory: '.' } };
  return new TimerListener(timerListenerConfig(fn, trigger, ctx, { localZone: 'UTC' }));
}

function counter(): { dispatch: Dispatch; times: number[] } {
  const times: number[] = [];
  return {
    times,
    dispatch: () => {
      times.push(Date.now());
      return Promise.resolve({ status: 'success', response: {} });
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('after the holder is killed, the other replica waits out the 15 s lease, then fires', { timeout: 30_000 }, async () => {
  const holder = listener('replica-a');
  const a = counter();
  await holder.start(a.dispatch);
  await waitFor(() => a.times.length >= 1, 3_000, 'the first replica to fire');
  const other = listener('replica-b');
  const b = counter();
  await other.start(b.dispatch);
  holder.abandon(); // a kill: the lease stays taken until it expires
  const killedAt = Date.now();
  await waitFor(() => b.times.length >= 1, 20_000, 'the takeover');
  // The lease was taken at most ~1 s before the kill and runs 15 s: nothing fired in between.
  expect((b.times[0] ?? 0) - killedAt).toBeGreaterThan(12_000);
  await other.stop();
});
