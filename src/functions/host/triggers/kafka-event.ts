// Kafka records as the Kafka extension hands them to a Node function (functions.md §6.4). cardinality
// one: the value as UTF-8 text (bytes with dataType binary) and metadata Key, Partition, Topic,
// Timestamp, Offset, Headers; many: collectionString / collectionBytes and the same names + "Array".
// Headers are `[{Key, Value}]` with the value base64, as .NET serialises byte[].

import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { RpcRetryContext, RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** A record of one partition. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

function headerList(headers: IHeaders | undefined): { Key: string; Value: string }[] {
  const out: { Key: string; Value: string }[] = [];
  for (const [key, raw] of Object.entries(headers ?? {})) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (value === undefined) continue;
      out.push({ Key: key, Value: (Buffer.isBuffer(value) ? value : Buffer.from(value)).toString('base64') });
    }
  }
  return out;
}

function isoTime(timestamp: string): string {
  return new Date(Number(timestamp)).toISOString();
}

function valueBytes(message: KafkaMessage): Buffer {
  return message.value ?? Buffer.alloc(0);
}

/** The event of one record (cardinality one). */
export function kafkaOneEvent(record: KafkaRecord, binary: boolean, retryContext?: RpcRetryContext): TriggerEvent {
  const { message } = record;
  const value: RpcTypedData = binary ? { bytes: valueBytes(message) } : { string: valueBytes(message).toString('utf8') };
  const metadata: Record<string, RpcTypedData> = {
    Partition: { json: String(record.partition) },
    Topic: { string: record.topic },
    Timestamp: { json: JSON.stringify(isoTime(message.timestamp)) },
    Offset: { json: message.offset },
    Headers: { json: JSON.stringify(headerList(message.headers)) },
  };
  if (message.key !== null) metadata['Key'] = { string: message.key.toString('utf8') };
  return retryContext ? { value, metadata, retryContext } : { value, metadata };
}

/** The event of a batch of records (cardinality many). */
export function kafkaManyEvent(records: readonly KafkaRecord[], binary: boolean, retryContext?: RpcRetryContext): TriggerEvent {
  const value: RpcTypedData = binary
    ? { collectionBytes: { bytes: records.map((r) => valueBytes(r.message)) } }
    : { collectionString: { string: records.map((r) => valueBytes(r.message).toString('utf8')) } };
  const metadata: Record<string, RpcTypedData> = {
    KeyArray: { json: JSON.stringify(records.map((r) => (r.message.key === null ? null : r.message.key.toString('utf8')))) },
    PartitionArray: { collectionSint64: { sint64: records.map((r) => r.partition) } },
    TopicArray: { collectionString: { string: records.map((r) => r.topic) } },
    TimestampArray: { json: JSON.stringify(records.map((r) => isoTime(r.message.timestamp))) },
    OffsetArray: { collectionSint64: { sint64: records.map((r) => Number(r.message.offset)) } },
    HeadersArray: { json: JSON.stringify(records.map((r) => headerList(r.message.headers))) },
  };
  return retryContext ? { value, metadata, retryContext } : { value, metadata };
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
