// A received Service Bus message as the Functions host hands it to a Node function: the body as text
// (JSON bodies as `json`, bytes with dataType binary/stream) and the binding data the ServiceBus
// extension exposes (MessageId, DeliveryCount, SequenceNumber, EnqueuedTimeUtc, ExpiresAtUtc,
// LockToken, ContentType, CorrelationId, Subject and its old name Label, To, ReplyTo, SessionId,
// ApplicationProperties and its old name UserProperties), converted as the host converts metadata:
// strings as `string`, numbers, dates and objects as `json`, absent values left out.

import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** The bytes of a body, when it is bytes (a data section); undefined for an AMQP value or sequence. */
function bodyBytes(body: unknown): Uint8Array | undefined {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return body;
  return undefined;
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The trigger value of a body: bytes for binary bindings, else text (`json` when the text is a JSON object or array). */
export function serviceBusValue(body: unknown, binary: boolean): RpcTypedData {
  const bytes = bodyBytes(body);
  if (binary) return { bytes: bytes ?? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null)) };
  if (bytes !== undefined) {
    const text = Buffer.from(bytes).toString('utf8');
    return looksLikeJson(text) ? { json: text } : { string: text };
  }
  if (typeof body === 'string') return { string: body };
  return { json: JSON.stringify(body ?? null) };
}

/** The exact decimal text of a Long (sequence numbers), whose JSON number would lose precision past 2^53. */
function longText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('high' in value) || !('low' in value) || !('unsigned' in value)) return undefined;
  const text: unknown = (value as { toString(): unknown }).toString();
  return typeof text === 'string' ? text : undefined;
}

/** One metadata value converted the way the Functions host converts binding data (null/undefined → absent). */
export function metadataValue(value: unknown): RpcTypedData | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { string: value };
  if (value instanceof Date) return { json: JSON.stringify(value.toISOString()) };
  if (Buffer.isBuffer(value)) return { bytes: value };
  const long = longText(value);
  if (long !== undefined) return { json: long };
  if (typeof value === 'bigint') return { json: value.toString() };
  return { json: JSON.stringify(value) };
}

/** The binding data of a received message, PascalCase as the extension names it. */
export function serviceBusMetadata(m: ServiceBusReceivedMessage): Record<string, RpcTypedData> {
  const raw: Record<string, unknown> = {
    MessageId: m.messageId === undefined ? undefined : String(m.messageId),
    DeliveryCount: m.deliveryCount,
    SequenceNumber: m.sequenceNumber,
    EnqueuedTimeUtc: m.enqueuedTimeUtc,
    ExpiresAtUtc: m.expiresAtUtc,
    LockToken: m.lockToken,
    ContentType: m.contentType,
    CorrelationId: m.correlationId === undefined ? undefined : String(m.correlationId),
    Subject: m.subject,
    Label: m.subject,
    To: m.to,
    ReplyTo: m.replyTo,
    SessionId: m.sessionId,
    ReplyToSessionId: m.replyToSessionId,
    PartitionKey: m.partitionKey,
    DeadLetterSource: m.deadLetterSource,
    ApplicationProperties: m.applicationProperties ?? {},
    UserProperties: m.applicationProperties ?? {},
  };
  const metadata: Record<string, RpcTypedData> = {};
  for (const [key, value] of Object.entries(raw)) {
    const typed = metadataValue(value);
    if (typed !== undefined) metadata[key] = typed;
  }
  return metadata;
}

/** The trigger event of one received message. */
export function serviceBusEvent(m: ServiceBusReceivedMessage, binary: boolean): TriggerEvent {
  return { value: serviceBusValue(m.body, binary), metadata: serviceBusMetadata(m) };
}
