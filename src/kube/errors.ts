// What can go wrong talking to a cluster, as values the CLI turns into messages and exit codes:
// a kubeconfig that cannot be used (the user's input), a cluster that cannot be reached, and an
// answer from the API server that refuses the request (its Status message kept).
import type { IncomingMessage } from 'node:http';

/** The kubeconfig is missing, malformed or uses something this client does not support. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** No answer from the API server (connection refused, DNS, TLS, timeout). */
export class KubeUnreachableError extends Error {
  override readonly name = 'KubeUnreachableError';
}

/** The API server answered with an error Status. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** An answer's body as text. */
export function readResponseText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
    res.on('error', reject);
  });
}

/** An error answer as a KubeApiError: its Status message and reason, or `fallback` when the body is no Status. */
export function statusError(status: number, text: string, fallback: string): KubeApiError {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; reason?: unknown };
    if (typeof parsed.message === 'string') return new KubeApiError(status, typeof parsed.reason === 'string' ? parsed.reason : '', parsed.message);
  } catch {
    // not a Status: the fallback
  }
  return new KubeApiError(status, '', fallback);
}
