// kafka against librdkafka's mock cluster (test/servers/kafka-mock.c), read through ScalerInstance.
// Topic "orders" has 3 partitions with newest offsets 10, 20, 30; group "g1" committed 5 on
// partition 0, 20 on partition 1 and nothing on partition 2 (committed -1).
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scalerFor } from '../../src/scalers/index.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { skipWithoutKafkaMock, startKafkaMock, type KafkaMock } from '../servers/kafka-mock.js';
import { parsed } from './helpers.js';

let mock: KafkaMock;

async function seed(bootstrap: string): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const batch = (partition: number, count: number) => Array.from({ length: count }, (_, i) => ({ partition, value: `m${i}` }));
  await producer.send({ topic: 'orders', messages: [...batch(0, 10), ...batch(1, 20), ...batch(2, 30)] });
  await producer.disconnect();
  // The mock has no OffsetCommit without a member, so a consumer joins (the mock delays a first join ~3 s).
  const consumer = kafka.consumer({ groupId: 'g1', maxWaitTimeInMs: 100 });
  await consumer.connect();
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.subscribe({ topic: 'orders' });
  await consumer.run({ autoCommit: false, eachBatch: async () => {} });
  await joined;
  await consumer.commitOffsets([
    { topic: 'orders', partition: 0, offset: '5' },
    { topic: 'orders', partition: 1, offset: '20' },
  ]);
  await consumer.disconnect();
}

function instance(metadata: Record<string, string>, authParams: Record<string, string> = {}): ScalerInstance {
  const scaler = scalerFor('kafka');
  if (!scaler) throw new Error('kafka is not registered');
  const full = { bootstrapServers: mock.bootstrap, consumerGroup: 'g1', ...metadata };
  return new ScalerInstance(scaler, parsed(scaler.parse({ metadata: full, authParams, triggerIndex: 0 })), { trigger: { index: 0, type: 'kafka' }, metadata: full });
}

async function readOnce(metadata: Record<string, string>, authParams: Record<string, string> = {}) {
  const scaler = instance(metadata, authParams);
  try {
    return await scaler.getMetricsAndActivity(Date.now());
  } finally {
    await scaler.close();
  }
}

async function failure(metadata: Record<string, string>, authParams: Record<string, string> = {}): Promise<ScalerError> {
  const error = await readOnce(metadata, authParams).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScalerError)) throw new Error(`expected a ScalerError, got ${String(error)}`);
  return error;
}

describe.skipIf(skipWithoutKafkaMock())('kafka against librdkafka mock cluster', () => {
  beforeAll(async () => {
    mock = await startKafkaMock({ orders: 3 });
    await seed(mock.bootstrap);
  }, 30_000);
  afterAll(async () => {
    await mock.stop();
  });

  test.each([
    // lag per partition: p0 10-5=5, p1 20-20=0, p2 nothing committed → latest policy 1
    ['defaults: 5 + 0 + 1 = 6, active (6 > 0)', {}, 6, true],
    ['activationLagThreshold 6: 6 is not above it', { activationLagThreshold: '6' }, 6, false],
    ['earliest: p2 counts its whole 30 → 35 (35/10 = 3 ≤ 3 partitions)', { offsetResetPolicy: 'earliest' }, 35, true],
    ['earliest, lagThreshold 5: 35/5 = 7 > 3 partitions → 3 × 5 = 15', { offsetResetPolicy: 'earliest', lagThreshold: '5' }, 15, true],
    ['scaleToZeroOnInvalidOffset: p2 counts 0 → 5', { scaleToZeroOnInvalidOffset: 'true' }, 5, true],
    ['partitionLimitation 1,2: 0 + 1 = 1', { partitionLimitation: '1,2' }, 1, true],
    ['lagThreshold 1: 6 > 3 partitions → 3', { lagThreshold: '1' }, 3, true],
    ['allowIdleConsumers, lagThreshold 1: uncapped 6', { lagThreshold: '1', allowIdleConsumers: 'true' }, 6, true],
    ['limitToPartitionsWithLag, lagThreshold 1: 2 partitions have lag → 2', { lagThreshold: '1', limitToPartitionsWithLag: 'true' }, 2, true],
    ['ensureEvenDistributionOfPartitions, lagThreshold 4: factors 1,3 of 3; 3×4 ≥ 6 → 12 capped to 3×4 = 12', { lagThreshold: '4', ensureEvenDistributionOfPartitions: 'true' }, 12, true],
  ])('topic orders, group g1, %s', async (_name, metadata, lag, active) => {
    const reading = await readOnce({ topic: 'orders', ...metadata });
    expect(reading).toEqual({ metricName: 's0-kafka-orders', valueMilli: lag * 1000, active });
  });

  test('a group that committed nothing: latest → 1 per partition (3); earliest → 60 capped to 3 × 10', async () => {
    expect((await readOnce({ topic: 'orders', consumerGroup: 'fresh' })).valueMilli).toBe(3000);
    expect((await readOnce({ topic: 'orders', consumerGroup: 'fresh', offsetResetPolicy: 'earliest' })).valueMilli).toBe(30_000);
  });

  test('excludePersistentLag: offsets unchanged since the last poll count 0 for scaling, still count for activity', async () => {
    const scaler = instance({ topic: 'orders', excludePersistentLag: 'true', activationLagThreshold: '5' });
    const first = await scaler.getMetricsAndActivity(Date.now());
    // second poll: p0 still at 5 → 0, p1 0, p2 nothing committed → 1; activation lag stays 6 > 5
    const second = await scaler.getMetricsAndActivity(Date.now());
    await scaler.close();
    expect([first.valueMilli, first.active, second.valueMilli, second.active]).toEqual([6000, true, 1000, true]);
  });

  test('no topic and a group without committed offsets: nothing to consume → 0, inactive; metric kafka-<group>-topics', async () => {
    expect(await readOnce({ consumerGroup: 'fresh' })).toEqual({ metricName: 's0-kafka-fresh-topics', valueMilli: 0, active: false });
  });

  test('a topic that does not exist is a ScalerError naming it', async () => {
    // Its own cluster: the mock lists a "missing" topic in all-topics metadata, which a real broker does not.
    const other = await startKafkaMock({ nope: 'missing' });
    try {
      const error = await failure({ bootstrapServers: other.bootstrap, topic: 'nope' });
      expect([error.kind, error.message.startsWith('trigger 0 (kafka): topic "nope" does not exist')]).toEqual(['read', true]);
    } finally {
      await other.stop();
    }
  });

  test('an unreachable broker is an "unreachable" ScalerError without the password', async () => {
    const error = await failure({ bootstrapServers: '127.0.0.1:1', topic: 'orders', sasl: 'plaintext' }, { username: 'u', password: 'hunter2-secret' });
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/^trigger 0 \(kafka\): cannot connect to 127\.0\.0\.1:1: /);
    expect(error.message).not.toContain('hunter2-secret');
  });
});
