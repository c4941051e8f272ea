// kafka: scale on a consumer group's lag over one topic (or every topic it has committed offsets for).

import { defineScaler, issue, type IssueResult } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { checkKafkaAuth, kafkaAuthParams } from './kafka-auth.js';
import { closeKafka, connectKafka, readKafkaLag } from './kafka-client.js';

/** The kafka scaler declaration. */
export const kafka = defineScaler({
  type: 'kafka',
  params: {
    bootstrapServers: param.list().required().from('metadata', 'fromEnv'),
    consumerGroup: param.string().required().from('metadata', 'fromEnv'),
    topic: param.string().from('metadata', 'fromEnv'),
    partitionLimitation: param.string(),
    lagThreshold: param.int().default(10),
    activationLagThreshold: param.int().default(0),
    offsetResetPolicy: param.enum(['latest', 'earliest']).default('latest'),
    allowIdleConsumers: param.bool().default(false),
    excludePersistentLag: param.bool().default(false),
    scaleToZeroOnInvalidOffset: param.bool().default(false),
    limitToPartitionsWithLag: param.bool().default(false),
    ensureEvenDistributionOfPartitions: param.bool().default(false),
    fullMetadata: param.bool().default(true),
    version: param.string(),
    ...kafkaAuthParams,
  },
  rules: (rule) => [
    rule(['lagThreshold'], (p) => p.lagThreshold <= 0 && issue('lagThreshold', 'must be a positive number')),
    rule(['activationLagThreshold'], (p) => p.activationLagThreshold < 0 && issue('activationLagThreshold', 'must not be negative')),
    rule(['partitionLimitation', 'topic'], checkPartitionLimitation),
    rule(['allowIdleConsumers', 'limitToPartitionsWithLag'], (p) => p.allowIdleConsumers && p.limitToPartitionsWithLag && issue('limitToPartitionsWithLag', 'cannot be combined with allowIdleConsumers')),
    rule(['limitToPartitionsWithLag', 'ensureEvenDistributionOfPartitions'], (p) => p.limitToPartitionsWithLag && p.ensureEvenDistributionOfPartitions && issue('ensureEvenDistributionOfPartitions', 'cannot be combined with limitToPartitionsWithLag')),
    rule(['topic', 'limitToPartitionsWithLag'], (p) => p.limitToPartitionsWithLag && p.topic === undefined && issue('limitToPartitionsWithLag', 'needs topic')),
    rule(['topic', 'ensureEvenDistributionOfPartitions'], (p) => p.ensureEvenDistributionOfPartitions && p.topic === undefined && issue('ensureEvenDistributionOfPartitions', 'needs topic')),
    rule(['topic', 'fullMetadata'], (p) => !p.fullMetadata && p.topic === undefined && issue('fullMetadata', 'false needs topic')),
    rule(['version'], (p) => p.version !== undefined && !KAFKA_VERSION.test(p.version) && issue('version', `"${p.version}" is not a Kafka version (e.g. 2.8.0, or 0.10.2.0 before 1.0)`)),
    ...checkKafkaAuth(rule),
  ],
  derive: (p) => ({
    ...p,
    // KEDA drops a partition limitation that has no topic to apply to.
    partitionLimitation: p.topic === undefined || p.partitionLimitation === undefined ? undefined : partitionIds(p.partitionLimitation),
    version: p.version ?? '1.0.0',
  }),
  metricNameDoc: 's<index>-kafka-<topic>; without topic s<index>-kafka-<consumerGroup>-topics',
  metricName: (p) => (p.topic !== undefined ? `kafka-${p.topic}` : `kafka-${p.consumerGroup}-topics`),
  target: (p) => ({ value: milliFromInt(p.lagThreshold), activation: milliFromInt(p.activationLagThreshold) }),
  connect: (p, ctx) => connectKafka(p, ctx.signal, ctx.timeoutMs),
  read: (connection, p) => readKafkaLag(connection, p),
  close: (connection) => closeKafka(connection),
});

// sarama's accepted versions: 0.a.b.c before 1.0, a.b.c since.
const KAFKA_VERSION = /^(0\.\d+\.\d+\.\d+|[1-9]\d*\.\d+\.\d+)$/;

/** Largest span one range may cover; guards against `0-1000000000` allocating a huge list. */
const MAX_RANGE = 100_000;

/** Partition ids of `1,2,5-7` (→ 1,2,5,6,7), or undefined when the text is not such a list. */
export function partitionIds(text: string): number[] | undefined {
  const ids: number[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [start, end] = [Number(range[1]), Number(range[2])];
      if (end - start > MAX_RANGE) return undefined;
      for (let id = start; id <= end; id++) ids.push(id);
    } else if (/^\d+$/.test(part)) ids.push(Number(part));
    else return undefined;
  }
  return ids;
}

function checkPartitionLimitation(p: { partitionLimitation: string | undefined; topic: string | undefined }): IssueResult {
  if (p.partitionLimitation === undefined) return undefined;
  if (!partitionIds(p.partitionLimitation)) {
    return issue('partitionLimitation', `"${p.partitionLimitation}" is not a list of partition ids and ranges (e.g. 1,2,5-7)`);
  }
  return p.topic === undefined && { param: 'partitionLimitation', message: 'ignored without topic (it applies to the partitions of one topic)', severity: 'warning' };
}
