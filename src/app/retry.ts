// `retry` of host.json and function.json: fixedDelay {maxRetryCount, delayInterval} or
// exponentialBackoff {maxRetryCount, minimumInterval, maximumInterval}, intervals as "hh:mm:ss".
import { problem } from '../api/problems.js';
import type { RetryPolicy } from './function-model.js';
import { caseless, isJsonObject } from './json-text.js';
import { keyPath, readDuration, readInt, readString, type Reader } from './host-json-values.js';

/** Parses a `retry` object; undefined when absent or invalid (invalid adds problems at `at`). */
export function parseRetry(value: unknown, r: Reader, at: string): RetryPolicy | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) {
    r.problems.push(problem(`${r.file}:${at}`, `"retry" must be an object {strategy, maxRetryCount, …} (got ${JSON.stringify(value)})`));
    return undefined;
  }
  const before = r.problems.length;
  const strategyText = readString(value, 'strategy', r, at);
  const strategy = strategyText?.toLowerCase() === 'fixeddelay' ? 'fixedDelay' : strategyText?.toLowerCase() === 'exponentialbackoff' ? 'exponentialBackoff' : undefined;
  if (strategy === undefined) r.problems.push(problem(keyPath(r, at, 'strategy'), `must be "fixedDelay" or "exponentialBackoff" (got ${JSON.stringify(strategyText)})`));
  if (caseless(value, 'maxRetryCount') === undefined) r.problems.push(problem(keyPath(r, at, 'maxRetryCount'), 'is required (-1 retries forever)'));
  const maxRetryCount = readInt(value, 'maxRetryCount', r, at, -1);
  const need = (key: string): number | undefined => {
    const ms = readDuration(value, key, r, at, 0);
    if (caseless(value, key) === undefined) r.problems.push(problem(keyPath(r, at, key), `is required for the ${strategy ?? ''} strategy ("hh:mm:ss")`));
    return ms;
  };
  if (strategy === 'fixedDelay') {
    const delayInterval = need('delayInterval');
    if (r.problems.length > before || maxRetryCount === undefined || delayInterval === undefined) return undefined;
    return { strategy, maxRetryCount, delayInterval };
  }
  if (strategy === 'exponentialBackoff') {
    const minimumInterval = need('minimumInterval');
    const maximumInterval = need('maximumInterval');
    if (minimumInterval !== undefined && maximumInterval !== undefined && minimumInterval > maximumInterval) {
      r.problems.push(problem(keyPath(r, at, 'maximumInterval'), 'must not be shorter than minimumInterval'));
    }
    if (r.problems.length > before || maxRetryCount === undefined || minimumInterval === undefined || maximumInterval === undefined) return undefined;
    return { strategy, maxRetryCount, minimumInterval, maximumInterval };
  }
  return undefined;
}
