import { describe, expect, test } from 'vitest';
import { evenDistributionFactor, factors, kafkaLag, type LagSettings, type PartitionOffsets } from '../../src/scalers/kafka-lag.js';

const defaults: LagSettings = {
  lagThreshold: 10,
  activationLagThreshold: 0,
  offsetResetPolicy: 'latest',
  scaleToZeroOnInvalidOffset: false,
  excludePersistentLag: false,
  allowIdleConsumers: false,
  limitToPartitionsWithLag: false,
  ensureEvenDistributionOfPartitions: false,
};

function parts(...pairs: [latest: number, committed: number | undefined][]): PartitionOffsets[] {
  return pairs.map(([latest, committed], partition) => ({ topic: 't', partition, latest, committed }));
}

function lag(offsets: PartitionOffsets[], settings: Partial<LagSettings> = {}) {
  const result = kafkaLag(offsets, { ...defaults, ...settings }, new Map());
  if ('error' in result) throw new Error(result.error);
  return result;
}

describe('per-partition lag', () => {
  test.each([
    // [latest, committed] per partition, settings → [scaling lag, activation lag]
    ['plain l − c: (100−90) + (50−50) = 10', parts([100, 90], [50, 50]), {}, 10, 10],
    ['nothing committed, policy latest → 1 per partition', parts([100, -1], [5, -1]), {}, 2, 2],
    ['nothing committed, latest + scaleToZeroOnInvalidOffset → 0', parts([100, -1]), { scaleToZeroOnInvalidOffset: true }, 0, 0],
    ['nothing committed, policy earliest → the whole log, 30 (allowIdleConsumers: uncapped)', parts([30, -1]), { offsetResetPolicy: 'earliest', allowIdleConsumers: true }, 30, 30],
    ['nothing committed, earliest + scaleToZeroOnInvalidOffset → 0', parts([30, -1]), { offsetResetPolicy: 'earliest', scaleToZeroOnInvalidOffset: true }, 0, 0],
  ] as const)('%s', (_name, offsets, settings, expectedLag, expectedActivation) => {
    const result = lag([...offsets], settings);
    expect([result.lag, result.lagWithPersistent]).toEqual([expectedLag, expectedActivation]);
  });

  test('a partition with no committed block is an error, as in KEDA', () => {
    expect(kafkaLag(parts([10, undefined]), defaults, new Map())).toEqual({ error: 'no committed offset block for topic t partition 0' });
  });
});

describe('upper bound: never more consumers than partitions', () => {
  test.each([
    // 3 partitions, lag 100+100+100 = 300, threshold 10 → 300/10 = 30 consumers > 3 partitions → 3 × 10 = 30
    ['capped to partitions × threshold: 300 → 30', parts([100, 0], [100, 0], [100, 0]), {}, 30],
    ['allowIdleConsumers keeps the full 300', parts([100, 0], [100, 0], [100, 0]), { allowIdleConsumers: true }, 300],
    // 25 / 10 = 2 (integer division) ≤ 3 → unchanged
    ['under the bound: 25 stays 25', parts([20, 0], [5, 0], [0, 0]), {}, 25],
    // only 1 of 3 partitions has lag: 60/10 = 6 > 1 → 1 × 10
    ['limitToPartitionsWithLag: one lagging partition → 10', parts([60, 0], [7, 7], [9, 9]), { limitToPartitionsWithLag: true }, 10],
  ] as const)('%s', (_name, offsets, settings, expected) => {
    expect(lag([...offsets], settings).lag).toBe(expected);
  });
});

describe('ensureEvenDistributionOfPartitions', () => {
  test('factors of 12 are 1 2 3 4 6 12; of 1 just 1; of 0 none', () => {
    expect([factors(12), factors(1), factors(0)]).toEqual([[1, 2, 3, 4, 6, 12], [1], []]);
  });

  test.each([
    // 12 partitions, threshold 10: lag 45 → smallest factor f with 10f ≥ 45 is 6 → 60
    [45, 12, 10, 6],
    // lag 30 → 3 (10 × 3 = 30 ≥ 30)
    [30, 12, 10, 3],
    // lag 0 → 1: even distribution still asks for one consumer's worth
    [0, 12, 10, 1],
    // lag 500 > 12 × 10 → no factor fits → 12
    [500, 12, 10, 12],
    // 7 partitions (prime): lag 15 → 7
    [15, 7, 10, 7],
  ])('lag %i over %i partitions, threshold %i → factor %i', (totalLag, partitions, threshold, factor) => {
    expect(evenDistributionFactor(totalLag, partitions, threshold)).toBe(factor);
  });

  test('6 partitions with lag 25 → factor 3 → 30', () => {
    const offsets = parts([25, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]);
    expect(lag(offsets, { ensureEvenDistributionOfPartitions: true }).lag).toBe(30);
  });

  test('even distribution applies even with allowIdleConsumers, then the upper bound caps it', () => {
    // 4 partitions, lag 1000: factor search fails → 4 → 40; 40/10 = 4 ≤ 4
    const offsets = parts([1000, 0], [0, 0], [0, 0], [0, 0]);
    expect(lag(offsets, { ensureEvenDistributionOfPartitions: true, allowIdleConsumers: true }).lag).toBe(40);
  });
});

describe('excludePersistentLag and activation', () => {
  test('a partition whose committed offset did not move contributes 0 to scaling but still to activation', () => {
    const settings = { ...defaults, excludePersistentLag: true, allowIdleConsumers: true };
    const first = kafkaLag(parts([100, 40], [10, 5]), settings, new Map());
    if ('error' in first) throw new Error(first.error);
    expect([first.lag, first.lagWithPersistent]).toEqual([65, 65]);
    // partition 0 stuck at 40, partition 1 moved 5 → 8
    const second = kafkaLag(parts([120, 40], [10, 8]), settings, first.previous);
    if ('error' in second) throw new Error(second.error);
    // scaling: 0 + (10 − 8) = 2; activation: (120 − 40) + 2 = 82
    expect([second.lag, second.lagWithPersistent, second.partitionsWithLag]).toEqual([2, 82, 1]);
  });

  test('without excludePersistentLag the previous offsets are not copied or changed', () => {
    const previous = new Map([['t/0', 1]]);
    const result = kafkaLag(parts([5, 1]), defaults, previous);
    if ('error' in result) throw new Error(result.error);
    expect(result.previous).toBe(previous);
  });

  test.each([
    // activation lag 5 vs threshold 5: not greater → inactive
    [5, 5, false],
    [6, 5, true],
    [1, 0, true],
    [0, 0, false],
  ])('activation lag %i with activationLagThreshold %i → active %s', (pending, activationLagThreshold, active) => {
    expect(lag(parts([pending, 0]), { activationLagThreshold }).active).toBe(active);
  });
});
