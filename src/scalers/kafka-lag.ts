// Kafka consumer-group lag as KEDA's kafka scaler computes it, from committed and newest offsets per
// partition. Pure and allocation-light: it runs on every poll for every Kafka trigger.

/** Offsets of one partition present in the newest-offsets response. */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** Newest (log-end) offset. */
  readonly latest: number;
  /** Committed offset of the group; -1 when nothing is committed; undefined when the fetch response has no block for it. */
  readonly committed: number | undefined;
}

/** The lag settings of a kafka trigger. */
export interface LagSettings {
  readonly lagThreshold: number;
  readonly activationLagThreshold: number;
  readonly offsetResetPolicy: 'latest' | 'earliest';
  readonly scaleToZeroOnInvalidOffset: boolean;
  readonly excludePersistentLag: boolean;
  readonly allowIdleConsumers: boolean;
  readonly limitToPartitionsWithLag: boolean;
  readonly ensureEvenDistributionOfPartitions: boolean;
}

/** Committed offsets seen at the previous poll, keyed `topic/partition` (for excludePersistentLag). */
export type PreviousOffsets = ReadonlyMap<string, number>;

/** Scaling lag (the metric value), activation lag, and what the next poll needs. */
export interface LagResult {
  readonly lag: number;
  /** Lag including partitions excluded as persistent; activity is judged on this. */
  readonly lagWithPersistent: number;
  readonly active: boolean;
  readonly partitions: number;
  readonly partitionsWithLag: number;
  readonly previous: PreviousOffsets;
}

const INVALID_OFFSET = -1;

/** [lag, lagWithPersistent] of one partition, updating `previous` in place (the caller owns a fresh map). */
export function partitionLag(p: PartitionOffsets, committed: number, settings: LagSettings, previous: Map<string, number>): [number, number] {
  if (committed === INVALID_OFFSET) {
    if (settings.scaleToZeroOnInvalidOffset) return [0, 0];
    // Nothing committed yet: with `latest` the consumer would start at the end, so one replica is enough
    // to begin; with `earliest` it would read the whole partition.
    return settings.offsetResetPolicy === 'latest' ? [1, 1] : [p.latest, p.latest];
  }
  const lag = p.latest - committed;
  if (settings.excludePersistentLag) {
    const key = `${p.topic}/${p.partition}`;
    if (previous.get(key) === committed) return [0, lag];
    previous.set(key, committed);
  }
  return [lag, lag];
}

/** Factors of n in ascending order (none for n < 1). */
export function factors(n: number): number[] {
  if (n < 1) return [];
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    small.push(i);
    if (i !== n / i) large.unshift(n / i);
  }
  return [...small, ...large];
}

/** Smallest factor f of the partition count with f × threshold ≥ lag, so every consumer gets as many partitions. */
export function evenDistributionFactor(lag: number, partitions: number, threshold: number): number {
  return factors(partitions).find((f) => f * threshold >= lag) ?? partitions;
}

/** Caps the lag so the HPA never asks for more consumers than partitions (or partitions with lag). */
function boundedLag(lag: number, partitions: number, partitionsWithLag: number, settings: LagSettings): number {
  if (settings.allowIdleConsumers && !settings.limitToPartitionsWithLag && !settings.ensureEvenDistributionOfPartitions) return lag;
  const threshold = settings.lagThreshold;
  let bounded = settings.ensureEvenDistributionOfPartitions ? evenDistributionFactor(lag, partitions, threshold) * threshold : lag;
  const upper = settings.limitToPartitionsWithLag ? partitionsWithLag : partitions;
  if (Math.trunc(bounded / threshold) > upper) bounded = upper * threshold;
  return bounded;
}

/** Total lag over the partitions of the newest-offsets response, or the error KEDA reports for a missing committed block. */
export function kafkaLag(offsets: readonly PartitionOffsets[], settings: LagSettings, previous: PreviousOffsets): LagResult | { readonly error: string } {
  // Only excludePersistentLag remembers offsets; otherwise skip copying the map on every poll.
  const next = settings.excludePersistentLag ? new Map(previous) : new Map<string, number>();
  let lag = 0;
  let lagWithPersistent = 0;
  let partitionsWithLag = 0;
  for (const p of offsets) {
    if (p.committed === undefined) return { error: `no committed offset block for topic ${p.topic} partition ${p.partition}` };
    const [partLag, partLagWithPersistent] = partitionLag(p, p.committed, settings, next);
    lag += partLag;
    lagWithPersistent += partLagWithPersistent;
    if (partLag > 0) partitionsWithLag++;
  }
  return {
    lag: boundedLag(lag, offsets.length, partitionsWithLag, settings),
    lagWithPersistent,
    active: lagWithPersistent > settings.activationLagThreshold,
    partitions: offsets.length,
    partitionsWithLag,
    previous: settings.excludePersistentLag ? next : previous,
  };
}
