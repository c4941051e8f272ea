// Messages for failed Azure Storage calls. They are built from the HTTP status and the service's error
// code only: the SDK's own message can quote the request URL, which carries the SAS of a SAS
// connection string.

/** The queue or container a call was about. */
export interface StorageTarget {
  readonly kind: 'queue' | 'container';
  readonly name: string;
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined;
}

/** The HTTP status the service answered with, or undefined when no answer came (refused, DNS, reset, aborted). */
export function answeredStatus(error: unknown): number | undefined {
  const status = field(error, 'statusCode');
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/** A message naming the queue or container and the endpoint host, never a credential. */
export function storageErrorMessage(error: unknown, target: StorageTarget, host: string): string {
  const what = `${target.kind} "${target.name}"`;
  const status = answeredStatus(error);
  const rawCode = field(error, 'code');
  const code = typeof rawCode === 'string' && /^[A-Za-z0-9_]+$/.test(rawCode) ? rawCode : undefined;
  if (status === undefined) {
    if (field(error, 'name') === 'AbortError') return `reading ${what} at ${host} was aborted`;
    return `cannot reach ${host} for ${what}${code !== undefined ? ` (${code})` : ''}`;
  }
  const detail = code !== undefined ? `${status} ${code}` : String(status);
  if (status === 404) return `${what} does not exist at ${host} (${detail})`;
  if (status === 401 || status === 403) return `${host} rejected the credentials for ${what} (${detail}): check the account key or SAS`;
  return `reading ${what} at ${host} failed (${detail})`;
}
