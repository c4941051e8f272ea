// `.tide/up.json` in the app folder: where a running `tide up` answers, so `tide explain` (another
// process) can find it. Written at start, removed at exit; a file left by a killed run is detected
// by its pid and reported as stale.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface UpState {
  readonly pid: number;
  /** Base URL of the run's admin server (loopback). */
  readonly adminUrl: string;
  readonly startedAt: string;
  readonly scaledObject: string;
  readonly mode: 'keda' | 'direct';
}

/** The state file of the app in `appDir`. */
export function upStatePath(appDir: string): string {
  return join(appDir, '.tide', 'up.json');
}

export async function writeUpState(appDir: string, state: UpState): Promise<void> {
  await mkdir(join(appDir, '.tide'), { recursive: true });
  await writeFile(upStatePath(appDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the file if it is still this process's (a newer run may have replaced it). */
export async function removeUpState(appDir: string, pid: number): Promise<void> {
  const current = await readUpState(appDir);
  if ('state' in current && current.state.pid === pid) await rm(upStatePath(appDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a running `tide up`, or why there is none (no file, unreadable file, process gone). */
export async function readUpState(appDir: string): Promise<{ state: UpState } | { problem: string }> {
  const path = upStatePath(appDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { problem: `no tide up is running for ${appDir} (${path} does not exist): start one with "tide up"` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `${path} is not valid JSON: delete it and start tide up again` };
  }
  const state = value as Partial<UpState> | null;
  if (typeof state !== 'object' || state === null || typeof state.pid !== 'number' || typeof state.adminUrl !== 'string') {
    return { problem: `${path} does not say where tide up runs (needs "pid" and "adminUrl"): delete it and start tide up again` };
  }
  if (!alive(state.pid)) return { problem: `the tide up that wrote ${path} (pid ${state.pid}) is no longer running: start one with "tide up"` };
  return { state: state as UpState };
}
