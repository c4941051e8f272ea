// A delivered AMQP message as the RabbitMQ extension hands it to a Node function: the body as text
// (bytes with dataType binary) and the metadata ConsumerTag, DeliveryTag, Redelivered, Exchange,
// RoutingKey, BasicProperties (PascalCase, as the .NET IBasicProperties serialises) and Body.

import type { ConsumeMessage, MessageProperties, Options } from 'amqplib';
import type { RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** The header the extension (2.x) counts republished attempts in. */
export const REQUEUE_HEADER = 'x-ms-rabbitmq-requeuecount';
/** Attempts after which a failing message is rejected without requeue (to the DLX when configured). */
export const MAX_ATTEMPTS = 5;

/** How many times the message was already republished after a failure (0 for a fresh message). */
export function requeueCount(properties: Pick<MessageProperties, 'headers'>): number {
  const raw: unknown = properties.headers?.[REQUEUE_HEADER];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Buffer.isBuffer(raw) ? Number(raw.toString()) : 0;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** The trigger event of a delivery; from the first republish on it carries a retry context. */
export function rabbitEvent(message: ConsumeMessage, binary: boolean): TriggerEvent {
  const { fields, properties, content } = message;
  const value: RpcTypedData = binary ? { bytes: content } : { string: content.toString('utf8') };
  const metadata: Record<string, RpcTypedData> = {
    ConsumerTag: { string: fields.consumerTag },
    DeliveryTag: { json: String(fields.deliveryTag) },
    Redelivered: { json: String(fields.redelivered) },
    Exchange: { string: fields.exchange },
    RoutingKey: { string: fields.routingKey },
    BasicProperties: { json: JSON.stringify(basicProperties(properties)) },
    Body: { bytes: content },
  };
  const count = requeueCount(properties);
  if (count === 0) return { value, metadata };
  return { value, metadata, retryContext: { retryCount: count, maxRetryCount: MAX_ATTEMPTS - 1 } };
}

/** The properties under .NET's names; unset ones are left out. */
export function basicProperties(p: MessageProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ContentType: p.contentType,
    ContentEncoding: p.contentEncoding,
    Headers: p.headers,
    DeliveryMode: p.deliveryMode,
    Priority: p.priority,
    CorrelationId: p.correlationId,
    ReplyTo: p.replyTo,
    Expiration: p.expiration,
    MessageId: p.messageId,
    Timestamp: typeof p.timestamp === 'number' ? { UnixTime: p.timestamp } : undefined,
    Type: p.type,
    UserId: p.userId,
    AppId: p.appId,
    ClusterId: p.clusterId,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** Publish options that carry the original properties over, with the requeue count set to `count`. */
export function republishOptions(p: MessageProperties, count: number): Options.Publish {
  const options: Options.Publish = { headers: { ...(p.headers ?? {}), [REQUEUE_HEADER]: count } };
  const copy: (keyof MessageProperties & keyof Options.Publish)[] = ['contentType', 'contentEncoding', 'deliveryMode', 'priority', 'correlationId', 'replyTo', 'expiration', 'messageId', 'timestamp', 'type', 'userId', 'appId'];
  const target = options as Record<string, unknown>;
  for (const key of copy) if (p[key] !== undefined && p[key] !== null) target[key] = p[key];
  return options;
}
