// Azurite's well-known ports (10000/10001, what UseDevelopmentStorage=true means) are one resource
// shared by every test file that needs them, and vitest runs files in parallel: this lock (a
// directory created atomically, holding the owner's pid) makes those tests take turns.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAddressInUse, startAzurite, type Azurite } from '../../src/local/embedded-azurite.js';
import { DEV_PORTS } from '../../src/scalers/azure-connection.js';

const LOCK = join(tmpdir(), 'tide-test-azurite-default-ports.lock');

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` while holding the default-ports lock (waits up to `waitMs` for it). */
export async function withDefaultPorts<T>(work: () => Promise<T>, waitMs = 300_000): Promise<T> {
  const end = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed test run (its pid gone, or not written yet for long) is taken over.
      if (!ownerAlive() && Date.now() > end - waitMs + 1000) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > end) throw new Error(`Azurite's default ports stayed locked for ${waitMs} ms (${LOCK})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Runs `work` with an Azurite of the test's own on the default ports (what UseDevelopmentStorage=true
 * reaches), under the lock; skips the test when something outside the tests holds the ports.
 */
export function withDefaultPortAzurite(ctx: { skip: () => never }, work: (azurite: Azurite) => Promise<void>): Promise<void> {
  return withDefaultPorts(async () => {
    let azurite: Azurite;
    try {
      azurite = await startAzurite({ blob: DEV_PORTS.blob, queue: DEV_PORTS.queue });
    } catch (error) {
      if (isAddressInUse(error)) ctx.skip();
      throw error;
    }
    try {
      await work(azurite);
    } finally {
      await azurite.stop();
    }
  });
}
