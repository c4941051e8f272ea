// The kafka scaler's I/O: a kafkajs admin client per trigger (TLS and SASL mapped from KEDA's
// parameters), and one poll: the group's committed offsets and the topics' newest offsets, fed to the
// pure lag computation in kafka-lag.ts.

import type { Admin, KafkaConfig, SASLOptions } from 'kafkajs';
import { kafkaLag, type LagSettings, type PartitionOffsets, type PreviousOffsets } from './kafka-lag.js';
import { loadFor, loadKafkajs } from './client-libraries.js';

/** The parameters a kafka connection and read need (the declaration's derive() output). */
export interface KafkaParams extends LagSettings {
  readonly bootstrapServers: readonly string[];
  readonly consumerGroup: string;
  readonly topic: string | undefined;
  readonly partitionLimitation: readonly number[] | undefined;
  readonly tls: 'enable' | 'disable';
  readonly unsafeSsl: boolean;
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly keyPassword: string | undefined;
  readonly sasl: 'none' | 'plaintext' | 'scram_sha256' | 'scram_sha512' | 'oauthbearer' | 'gssapi' | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/** A trigger's connection: the admin client and the committed offsets seen at the last poll. */
export interface KafkaConnection {
  readonly admin: Admin;
  previous: PreviousOffsets;
}

function saslOptions(p: KafkaParams): SASLOptions | undefined {
  const username = p.username ?? '';
  const password = p.password ?? '';
  switch (p.sasl) {
    case undefined:
    case 'none':
      return undefined;
    case 'plaintext':
      return { mechanism: 'plain', username, password };
    case 'scram_sha256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram_sha512':
      return { mechanism: 'scram-sha-512', username, password };
    case 'oauthbearer':
    case 'gssapi':
      throw new Error(`sasl ${p.sasl} is not supported by tide yet (supported: plaintext, scram_sha256, scram_sha512)`);
  }
}

/** The kafkajs client configuration of a trigger: KEDA's TLS and SASL settings, tide's deadline, no retries (the scale loop retries). */
export function kafkaClientConfig(p: KafkaParams, timeoutMs: number): KafkaConfig {
  const sasl = saslOptions(p);
  const ssl =
    p.tls === 'enable'
      ? {
          rejectUnauthorized: !p.unsafeSsl,
          ...(p.ca !== undefined ? { ca: [p.ca] } : {}),
          ...(p.cert !== undefined ? { cert: p.cert } : {}),
          ...(p.key !== undefined ? { key: p.key } : {}),
          ...(p.keyPassword !== undefined ? { passphrase: p.keyPassword } : {}),
        }
      : undefined;
  return {
    clientId: 'tide',
    brokers: [...p.bootstrapServers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
  };
}

/** Connects an admin client; an abort (timeout, close) disconnects it so no socket outlives the attempt. */
export async function connectKafka(p: KafkaParams, signal: AbortSignal, timeoutMs: number): Promise<KafkaConnection> {
  const config = kafkaClientConfig(p, timeoutMs);
  const { Kafka, logLevel } = await loadFor(loadKafkajs, signal);
  // Silent: failures reach the user as read errors.
  const admin = new Kafka({ ...config, logLevel: logLevel.NOTHING }).admin({ retry: { retries: 0 } });
  const onAbort = (): void => {
    void admin.disconnect().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await admin.connect();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new Error(`cannot connect to ${p.bootstrapServers.join(',')}: ${messageOf(error)}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return { admin, previous: new Map() };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isUnknownTopic(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/** Topics the group has committed offsets for (KEDA's choice when the trigger names no topic). */
async function committedTopics(admin: Admin, groupId: string): Promise<string[]> {
  // kafkajs finds the group coordinator through cluster metadata, loaded only once a topic is named.
  await admin.describeCluster();
  const offsets = await admin.fetchOffsets({ groupId });
  return offsets.map((t) => t.topic);
}

/** Partition ids per topic, limited by partitionLimitation; a missing topic is an error naming it. */
async function topicPartitions(admin: Admin, topics: readonly string[], limitation: readonly number[] | undefined): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  let metadata;
  try {
    metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  } catch (error) {
    if (isUnknownTopic(error)) throw new Error(`topic ${topics.length === 1 ? `"${topics[0] ?? ''}"` : topics.join(', ')} does not exist: ${messageOf(error)}`);
    throw new Error(`error describing topics ${topics.join(', ')}: ${messageOf(error)}`);
  }
  for (const topic of metadata.topics) {
    const ids = topic.partitions.map((p) => p.partitionId).filter((id) => limitation === undefined || limitation.includes(id));
    if (ids.length === 0) throw new Error(`no active partitions in topic ${topic.name}`);
    result.set(topic.name, ids.sort((a, b) => a - b));
  }
  for (const topic of topics) if (!result.has(topic)) throw new Error(`topic "${topic}" does not exist`);
  return result;
}

/** Committed and newest offsets of every partition, in the shape kafkaLag takes. */
async function partitionOffsets(admin: Admin, groupId: string, partitions: ReadonlyMap<string, readonly number[]>): Promise<PartitionOffsets[]> {
  const topics = [...partitions.keys()];
  const [committed, latest] = await Promise.all([
    admin.fetchOffsets({ groupId, topics }),
    Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) }))),
  ]);
  const committedOf = new Map(committed.flatMap((t) => t.partitions.map((p) => [`${t.topic}/${p.partition}`, Number(p.offset)] as const)));
  const result: PartitionOffsets[] = [];
  for (const { topic, offsets } of latest) {
    const wanted = partitions.get(topic) ?? [];
    for (const { partition, offset } of offsets) {
      if (!wanted.includes(partition)) continue;
      result.push({ topic, partition, latest: Number(offset), committed: committedOf.get(`${topic}/${partition}`) });
    }
  }
  return result;
}

/** One poll: the lag KEDA's kafka scaler reports and its activity; remembers offsets for excludePersistentLag. */
export async function readKafkaLag(connection: KafkaConnection, p: KafkaParams): Promise<{ value: number; active: boolean }> {
  const { admin } = connection;
  const topics = p.topic !== undefined ? [p.topic] : await committedTopics(admin, p.consumerGroup);
  // A group that committed nothing yet, with no topic named: nothing to consume, nothing to scale.
  if (topics.length === 0) return { value: 0, active: false };
  const partitions = await topicPartitions(admin, topics, p.partitionLimitation);
  const offsets = await partitionOffsets(admin, p.consumerGroup, partitions);
  const result = kafkaLag(offsets, p, connection.previous);
  if ('error' in result) throw new Error(result.error);
  connection.previous = result.previous;
  return { value: result.lag, active: result.active };
}

/** Disconnects the admin client. */
export async function closeKafka(connection: KafkaConnection): Promise<void> {
  await connection.admin.disconnect();
}
