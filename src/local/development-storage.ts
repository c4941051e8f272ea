// `UseDevelopmentStorage=true` means Azurite on its well-known ports. Local mode makes that true on a
// fresh machine: when nothing listens there it starts Azurite in this process (in memory) and stops it
// at exit; when an Azurite already answers it is used; anything else on those ports is an error,
// since the app's messages would go to a stranger.
import { connect } from 'node:net';
import { DEV_ACCOUNT, DEV_PORTS } from '../scalers/azure-connection.js';
import { startAzurite, type Azurite } from './embedded-azurite.js';

/** What local mode did about development storage. */
export type DevelopmentStorage =
  | { readonly kind: 'not-used' }
  | { readonly kind: 'existing'; readonly ports: readonly number[] }
  | { readonly kind: 'embedded'; readonly azurite: Azurite };

/** A port taken by something that is not Azurite, or Azurite that would not start. */
export class DevelopmentStorageError extends Error {
  override readonly name = 'DevelopmentStorageError';
}

/** The settings whose value is `UseDevelopmentStorage=true` (any case, optional spaces). */
export function developmentStorageSettings(settings: Readonly<Record<string, string>>): string[] {
  return Object.entries(settings)
    .filter(([, value]) => /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value))
    .map(([name]) => name);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    // `on`, not `once`: a reset after the connect must not become an unhandled error.
    socket.on('error', () => {
      resolve(false);
    });
  });
}

/** Azurite answers every request with a `Server: Azurite-…` header, even an unauthenticated one. */
async function answersAsAzurite(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/${DEV_ACCOUNT.name}?comp=list`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return /^Azurite-/i.test(response.headers.get('server') ?? '');
  } catch {
    return false;
  }
}

/**
 * Makes `UseDevelopmentStorage=true` work when one of `settingNames` uses it: reuses a running Azurite,
 * or starts one on the default ports. Throws DevelopmentStorageError naming the port otherwise.
 */
export async function ensureDevelopmentStorage(settingNames: readonly string[]): Promise<DevelopmentStorage> {
  if (settingNames.length === 0) return { kind: 'not-used' };
  const services = [
    { service: 'blob', port: DEV_PORTS.blob },
    { service: 'queue', port: DEV_PORTS.queue },
  ] as const;
  const taken = await Promise.all(services.map(async (s) => ({ ...s, taken: await listening(s.port) })));
  if (taken.every((s) => !s.taken)) {
    try {
      return { kind: 'embedded', azurite: await startAzurite({ blob: DEV_PORTS.blob, queue: DEV_PORTS.queue }) };
    } catch (error) {
      throw new DevelopmentStorageError(`${settingNames.join(', ')} is UseDevelopmentStorage=true, but Azurite could not start on ports ${DEV_PORTS.blob} and ${DEV_PORTS.queue}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const s of taken) {
    if (s.taken && !(await answersAsAzurite(s.port))) {
      throw new DevelopmentStorageError(
        `${settingNames.join(', ')} is UseDevelopmentStorage=true, which means Azurite's ${s.service} service on port ${s.port}, but something else listens there: stop it, or set ${settingNames[0] ?? 'the setting'} to a storage connection string`,
      );
    }
  }
  const missing = taken.filter((s) => !s.taken);
  if (missing.length > 0) {
    throw new DevelopmentStorageError(
      `${settingNames.join(', ')} is UseDevelopmentStorage=true: an Azurite runs on port ${taken.find((s) => s.taken)?.port ?? ''} but nothing serves ${missing.map((s) => `the ${s.service} service on port ${s.port}`).join(' or ')}; start Azurite with both services, or stop it so tide starts its own`,
    );
  }
  return { kind: 'existing', ports: taken.map((s) => s.port) };
}
