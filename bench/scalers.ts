// bench/scalers: what a poll costs through tide's scaler (parse once, ScalerInstance with timeout,
// reused connection, activity) against the single raw client call it makes, side by side in one run
// against the local servers. Goal: ≤ 1.2× the raw call.

import { QueueClient } from '@azure/storage-queue';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { scalerFor } from '../src/scalers/index.js';
import { ScalerInstance } from '../src/scalers/instance.js';
import { LENGTH_SCRIPT } from '../src/scalers/redis-read.js';
import { startAzurite } from '../test/servers/azurite.js';
import { skipWithoutKafkaMock, startKafkaMock } from '../test/servers/kafka-mock.js';

const POLLS = 300;
const ROUNDS = 5;

interface Case {
  readonly name: string;
  readonly tide: () => Promise<unknown>;
  readonly raw: () => Promise<unknown>;
  readonly close: () => Promise<void>;
}

function instance(type: string, metadata: Record<string, string>, authParams: Record<string, string> = {}): ScalerInstance {
  const scaler = scalerFor(type);
  if (!scaler) throw new Error(`no scaler ${type}`);
  const parsed = scaler.parse({ metadata, authParams, triggerIndex: 0 });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return new ScalerInstance(scaler, parsed, { trigger: { index: 0, type }, metadata });
}

/** Median microseconds of `POLLS` sequential calls. */
async function timeCalls(call: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < POLLS; i++) {
    const start = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

async function azureQueueCase(): Promise<Case> {
  const azurite = await startAzurite({});
  const queue = new QueueClient(azurite.connection, 'benchqueue');
  await queue.create();
  for (let i = 0; i < 20; i++) await queue.sendMessage(`m${i}`);
  const tide = instance('azure-queue', { queueName: 'benchqueue' }, { connection: azurite.connection });
  return {
    name: 'azure-queue (Azurite)',
    tide: () => tide.getMetricsAndActivity(Date.now()),
    raw: () => queue.getProperties(),
    close: async () => {
      await tide.close();
      await azurite.stop();
    },
  };
}

async function rabbitmqCase(): Promise<Case> {
  const url = 'amqp://guest:guest@127.0.0.1:5672/';
  const name = `tide-bench-${process.pid}`;
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.assertQueue(name, { autoDelete: false });
  for (let i = 0; i < 20; i++) channel.sendToQueue(name, Buffer.from(`m${i}`));
  const tide = instance('rabbitmq', { queueName: name, mode: 'QueueLength', value: '5' }, { host: url });
  return {
    name: 'rabbitmq (amqp)',
    tide: () => tide.getMetricsAndActivity(Date.now()),
    raw: () => channel.checkQueue(name),
    close: async () => {
      await tide.close();
      await channel.deleteQueue(name);
      await connection.close();
    },
  };
}

async function redisCase(): Promise<Case> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  const key = `tide-bench-${process.pid}`;
  await redis.rpush(key, ...Array.from({ length: 20 }, (_, i) => `m${i}`));
  const tide = instance('redis', { address: '127.0.0.1:6379', listName: key });
  return {
    name: 'redis (list)',
    tide: () => tide.getMetricsAndActivity(Date.now()),
    // The same one round trip the scaler makes: KEDA's type-dispatching length script.
    raw: () => redis.call('EVAL', LENGTH_SCRIPT, 1, key),
    close: async () => {
      await tide.close();
      await redis.del(key);
      redis.disconnect();
    },
  };
}

async function kafkaCase(): Promise<Case | undefined> {
  if (skipWithoutKafkaMock()) return undefined;
  const mock = await startKafkaMock({ bench: 3 });
  const kafka = new Kafka({ brokers: mock.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const tide = instance('kafka', { bootstrapServers: mock.bootstrap, consumerGroup: 'bench-group', topic: 'bench' });
  return {
    name: 'kafka (mock cluster)',
    tide: () => tide.getMetricsAndActivity(Date.now()),
    // The raw work of one kafka poll: committed offsets of the group and the newest offsets of the topic.
    raw: () => Promise.all([admin.fetchOffsets({ groupId: 'bench-group', topics: ['bench'] }), admin.fetchTopicOffsets('bench')]),
    close: async () => {
      await tide.close();
      await admin.disconnect();
      await mock.stop();
    },
  };
}

/** Runs every case, alternating tide and raw per round, and returns printable lines. */
export async function benchScalers(): Promise<string[]> {
  const lines = [`scalers: median µs per poll over ${POLLS} polls × ${ROUNDS} rounds (tide's ScalerInstance vs the raw client call)`];
  for (const make of [azureQueueCase, rabbitmqCase, redisCase, kafkaCase]) {
    const c = await make().catch((error: unknown) => {
      lines.push(`  ${make.name}: skipped (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    });
    if (!c) continue;
    try {
      await c.tide(); // connect outside the measurement
      const tide: number[] = [];
      const raw: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        raw.push(await timeCalls(c.raw));
        tide.push(await timeCalls(c.tide));
      }
      const t = Math.min(...tide);
      const r = Math.min(...raw);
      lines.push(`  ${c.name.padEnd(22)} tide ${t.toFixed(0).padStart(6)} µs   raw ${r.toFixed(0).padStart(6)} µs   ratio ${(t / r).toFixed(2)} (goal ≤ 1.20)`);
    } finally {
      await c.close();
    }
  }
  return lines;
}
