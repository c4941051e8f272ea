// --cert-dir as KEDA's servers take it: tls.crt and tls.key in a folder (a mounted Secret, or files
// cert-manager writes). Kubernetes updates a mounted Secret by swapping a symlinked directory, so the
// folder is watched, not the files, and every change re-reads both; a half-written pair (key and
// certificate not matching yet) is ignored until the next change completes it.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';

export interface ServingPair {
  readonly cert: string;
  readonly key: string;
}

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

/** Reads tls.crt and tls.key of `dir`; throws an Error naming the file when one is missing or they do not match. */
export async function readCertDir(dir: string): Promise<ServingPair> {
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(join(dir, file), 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${join(dir, file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  // One after the other: with both missing, the error always names tls.crt (parallel reads raced).
  const cert = await read(CERT_FILE);
  const key = await read(KEY_FILE);
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new Error(`${dir}: ${CERT_FILE}/${KEY_FILE} are not a PEM certificate and key: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!matches) throw new Error(`${dir}: ${KEY_FILE} is not the key of ${CERT_FILE}`);
  return { cert, key };
}

/** Calls `onChange` with the new pair whenever the folder's files change from `initial`; returns the stop function. */
export function watchCertDir(dir: string, initial: ServingPair, onChange: (pair: ServingPair) => void, onError: (error: Error) => void = () => undefined): () => void {
  let last = initial.cert + initial.key;
  let pending: Promise<void> = Promise.resolve();
  const reload = (): void => {
    pending = pending.then(async () => {
      try {
        const pair = await readCertDir(dir);
        if (pair.cert + pair.key === last) return;
        last = pair.cert + pair.key;
        onChange(pair);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };
  const watcher: FSWatcher = watch(dir, { persistent: false }, reload);
  watcher.on('error', (error) => { onError(error); });
  return () => { watcher.close(); };
}
