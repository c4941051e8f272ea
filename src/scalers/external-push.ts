// external-push: the external scaler plus StreamIsActive, so a `true` from the server wakes the
// ScaledObject at once instead of at the next poll. Values still come from polling (as in KEDA, a
// pushed `false` is ignored: deactivation is the poll's job).

import type { ClientReadableStream, StatusObject } from '@grpc/grpc-js';
import { defineScaler } from './define.js';
import { externalDeclaration, externalParse, type ExternalConnection } from './external.js';
import type { ExternalScalerClient, IsActiveResponse, ScaledObjectRef } from './external-proto.js';

/** Reconnect delays of the StreamIsActive loop. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** KEDA's: 2 s, doubling, at most 1 min. */
export const STREAM_BACKOFF: Backoff = { initialMs: 2000, maxMs: 60_000 };

/** The delay after `current`: doubled, capped at the maximum. */
export function nextRetryDelay(current: number, backoff: Backoff): number {
  return Math.min(current * 2, backoff.maxMs);
}

/**
 * Keeps a StreamIsActive stream open, calling onActive for every `result: true`; a stream that ends or
 * fails is reopened after the backoff delay (reset to the initial delay after a clean end, as KEDA
 * does). Returns the function that stops it.
 */
export function subscribeIsActive(client: ExternalScalerClient, ref: ScaledObjectRef, onActive: () => void, backoff: Backoff = STREAM_BACKOFF): () => void {
  let stopped = false;
  let delay = backoff.initialMs;
  let timer: NodeJS.Timeout | undefined;
  let call: ClientReadableStream<IsActiveResponse> | undefined;

  const retry = (clean: boolean): void => {
    call = undefined;
    if (stopped) return;
    if (clean) delay = backoff.initialMs;
    timer = setTimeout(open, delay);
    delay = nextRetryDelay(delay, backoff);
  };

  function open(): void {
    timer = undefined;
    if (stopped) return;
    const stream = client.streamIsActive(ref);
    call = stream;
    let done = false;
    const finish = (clean: boolean): void => {
      if (done) return;
      done = true;
      retry(clean);
    };
    stream.on('data', (response: IsActiveResponse) => {
      if (response.result && !stopped) onActive();
    });
    // A failed stream emits 'error' and then 'status'; both end this attempt.
    stream.on('error', () => {
      finish(false);
    });
    stream.on('status', (status: StatusObject) => {
      finish(client.endedCleanly(status));
    });
  }

  open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    call?.cancel();
  };
}

const declared = defineScaler(
  externalDeclaration('external-push', {
    subscribe: (connection: ExternalConnection, _params, onActive) => subscribeIsActive(connection.client, connection.ref, onActive),
  }),
);

/** The external-push scaler declaration. */
export const externalPush = { ...declared, parse: externalParse(declared.parse) };
