// Where the runtime bundle (the functions host alone, built by `npm run build`) is: next to the compiled
// code in dist/, or dist/ of the checkout when tide runs from its TypeScript sources (tests, tsx).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['../runtime/tide-host.mjs', '../../dist/runtime/tide-host.mjs'];

/** The bundle path: TIDE_HOST_BUNDLE when set, else the built one; undefined when there is none. */
export function findHostBundle(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env.TIDE_HOST_BUNDLE;
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}
