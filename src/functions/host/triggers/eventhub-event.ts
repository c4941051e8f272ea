// Event Hubs events as the extension hands them to a Node function (functions.md §6.4). cardinality
// one: the body as UTF-8 text (bytes with dataType binary) and metadata PartitionContext, PartitionKey,
// Offset, SequenceNumber, EnqueuedTimeUtc, Properties, SystemProperties; many: collectionString /
// collectionBytes and the same names + "Array". Numbers travel as json, arrays of numbers as
// collectionSint64, dates as quoted ISO text, as the host converts .NET values.

import type { ReceivedEventData } from '@azure/event-hubs';
import type { RpcRetryContext, RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** Which partition the events came from (the extension's PartitionContext). */
export interface EventHubPartition {
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  readonly partitionId: string;
}

/** The body's bytes: data sections arrive as Buffers (skipParsingBodyAsJson); other AMQP bodies as their JSON. */
export function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body === undefined || body === null) return Buffer.alloc(0);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** The partition key; the SDK's type says string | null but an event without one has it undefined. */
function keyOf(e: ReceivedEventData): string | undefined {
  const key: unknown = e.partitionKey;
  return typeof key === 'string' ? key : undefined;
}

function offsetValue(offset: string): RpcTypedData {
  return /^-?\d+$/.test(offset) ? { json: offset } : { string: offset };
}

function systemProperties(e: ReceivedEventData): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'x-opt-sequence-number': e.sequenceNumber,
    'x-opt-offset': e.offset,
    'x-opt-enqueued-time': e.enqueuedTimeUtc.toISOString(),
    SequenceNumber: e.sequenceNumber,
    Offset: e.offset,
    EnqueuedTimeUtc: e.enqueuedTimeUtc.toISOString(),
  };
  const key = keyOf(e);
  if (key !== undefined) {
    out['x-opt-partition-key'] = key;
    out['PartitionKey'] = key;
  }
  return { ...out, ...(e.systemProperties ?? {}) };
}

function partitionContext(p: EventHubPartition): RpcTypedData {
  return { json: JSON.stringify({ ConsumerGroup: p.consumerGroup, EventHubName: p.eventHubName, FullyQualifiedNamespace: p.fullyQualifiedNamespace, PartitionId: p.partitionId }) };
}

/** The event of one Event Hubs event (cardinality one). */
export function eventHubOneEvent(e: ReceivedEventData, partition: EventHubPartition, binary: boolean, retryContext?: RpcRetryContext): TriggerEvent {
  const bytes = bodyBytes(e.body);
  const value: RpcTypedData = binary ? { bytes } : { string: bytes.toString('utf8') };
  const metadata: Record<string, RpcTypedData> = {
    PartitionContext: partitionContext(partition),
    Offset: offsetValue(e.offset),
    SequenceNumber: { json: String(e.sequenceNumber) },
    EnqueuedTimeUtc: { json: JSON.stringify(e.enqueuedTimeUtc.toISOString()) },
    Properties: { json: JSON.stringify(e.properties ?? {}) },
    SystemProperties: { json: JSON.stringify(systemProperties(e)) },
  };
  const key = keyOf(e);
  if (key !== undefined) metadata['PartitionKey'] = { string: key };
  return retryContext ? { value, metadata, retryContext } : { value, metadata };
}

/** The event of a batch of Event Hubs events from one partition (cardinality many). */
export function eventHubManyEvent(events: readonly ReceivedEventData[], partition: EventHubPartition, binary: boolean, retryContext?: RpcRetryContext): TriggerEvent {
  const bodies = events.map((e) => bodyBytes(e.body));
  const value: RpcTypedData = binary ? { collectionBytes: { bytes: bodies } } : { collectionString: { string: bodies.map((b) => b.toString('utf8')) } };
  const numericOffsets = events.every((e) => /^-?\d+$/.test(e.offset));
  const metadata: Record<string, RpcTypedData> = {
    PartitionContext: partitionContext(partition),
    OffsetArray: numericOffsets ? { collectionSint64: { sint64: events.map((e) => Number(e.offset)) } } : { collectionString: { string: events.map((e) => e.offset) } },
    SequenceNumberArray: { collectionSint64: { sint64: events.map((e) => e.sequenceNumber) } },
    EnqueuedTimeUtcArray: { json: JSON.stringify(events.map((e) => e.enqueuedTimeUtc.toISOString())) },
    PartitionKeyArray: { json: JSON.stringify(events.map((e) => keyOf(e) ?? null)) },
    PropertiesArray: { json: JSON.stringify(events.map((e) => e.properties ?? {})) },
    SystemPropertiesArray: { json: JSON.stringify(events.map((e) => systemProperties(e))) },
  };
  return retryContext ? { value, metadata, retryContext } : { value, metadata };
}
