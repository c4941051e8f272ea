// Tests that need a program from a Debian package (prometheus, gcc + librdkafka, …) run wherever it is
// installed. `.ci/run` installs every such package, so under CI a missing program fails the suite
// instead of silently skipping it.
import { execFileSync } from 'node:child_process';

/** True when `program` is on PATH. */
export function hasProgram(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether to skip a suite that needs `programs`: only outside CI, and only when one is missing.
 * Use as `describe.skipIf(skipWithout('prometheus'))(…)`.
 */
export function skipWithout(...programs: string[]): boolean {
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length === 0) return false;
  if (process.env.CI === 'true') throw new Error(`CI must install ${missing.join(', ')} (see .ci/run)`);
  console.warn(`skipping: ${missing.join(', ')} not installed (bash .ci/run installs it)`);
  return true;
}
