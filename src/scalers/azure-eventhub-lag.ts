// KEDA's Event Hubs lag arithmetic, in int64 as Go does it (sequence numbers reach 2^63 − 1, beyond
// what a JS number holds exactly, so everything here is bigint).

/** Go's math.MaxInt64. */
export const MAX_INT64 = (1n << 63n) - 1n;

/** What the service reports about one partition. */
export interface PartitionInfo {
  readonly id: string;
  readonly beginningSequenceNumber: bigint;
  /** −1 when the partition has never held an event. */
  readonly lastEnqueuedSequenceNumber: bigint;
}

/** Wraps a bigint the way Go's int64 addition overflows. */
function int64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/**
 * Unprocessed events of one partition. No checkpoint blob: every retained event counts
 * (`last − begin + 1`, except a partition whose begin = last ≠ 0, read as drained). A checkpoint past
 * the last sequence number wrapped around the circular buffer; a result within `stale` of
 * MaxInt64 means the partition information was stale, and counts 0.
 */
export function partitionLag(info: PartitionInfo, checkpoint: bigint | undefined, stale: bigint): bigint {
  const last = info.lastEnqueuedSequenceNumber;
  if (last === -1n) return 0n;
  if (checkpoint === undefined) {
    const begin = info.beginningSequenceNumber;
    return (begin === 0n && last === 0n) || begin !== last ? int64(last - begin + 1n) : 0n;
  }
  const lag = last >= checkpoint ? int64(last - checkpoint) : int64(int64(MAX_INT64 - checkpoint) + last);
  return lag > int64(MAX_INT64 - stale) ? 0n : lag;
}

/** The scaler's reading: the capped sum for the HPA, and activity from the uncapped sum. */
export interface EventHubLag {
  /** Σ lag, at most partitions × threshold (no more consumers than partitions). */
  readonly value: bigint;
  /** Σ lag uncapped (MaxInt64 when the int64 sum overflowed). */
  readonly total: bigint;
}

/** Sums partition lags with Go's overflow rule, then caps: `total / threshold > partitions` → `partitions × threshold`. */
export function eventHubLag(lags: readonly bigint[], threshold: bigint): EventHubLag {
  let total = 0n;
  for (const lag of lags) total = int64(total + lag);
  if (total < 0n) total = MAX_INT64;
  const partitions = BigInt(lags.length);
  // bigint division truncates toward zero, like Go's integer division
  const value = total / threshold > partitions ? partitions * threshold : total;
  return { value, total };
}
