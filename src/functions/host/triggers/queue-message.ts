// One received Storage-queue message → the TriggerEvent the worker sees (functions.md §6.4), and the
// message encodings of the Storage extension (base64 by default, `none` = the text as stored).
import type { RpcTypedData } from '../../../app/rpc.js';
import type { TriggerEvent } from '../contract.js';

/** The fields of a received message the trigger uses (the SDK's DequeuedMessageItem has them all). */
export interface ReceivedQueueMessage {
  readonly messageId: string;
  readonly popReceipt: string;
  readonly messageText: string;
  readonly dequeueCount: number;
  readonly insertedOn: Date;
  readonly expiresOn: Date;
  readonly nextVisibleOn: Date;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes a stored message body; undefined when `base64` is expected and the text is not valid base64 (→ poison). */
export function decodeMessageText(text: string, encoding: 'base64' | 'none'): string | undefined {
  if (encoding === 'none') return text;
  // .NET's Convert.FromBase64String ignores whitespace; everything else must be strict base64.
  const compact = text.replace(/[ \t\r\n]/g, '');
  if (!BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** Encodes a message body for the queue the way the extension's clients do. */
export function encodeMessageText(body: string | Uint8Array, encoding: 'base64' | 'none'): string {
  if (encoding === 'none') return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body)).toString('base64');
}

function jsonDate(date: Date): RpcTypedData {
  return { json: JSON.stringify(date.toISOString()) };
}

/** The trigger event of a decoded message: `{string: text}` and the PascalCase queue metadata. */
export function queueTriggerEvent(message: ReceivedQueueMessage, text: string): TriggerEvent {
  return {
    value: { string: text },
    metadata: {
      QueueTrigger: { string: text },
      DequeueCount: { json: String(message.dequeueCount) },
      Id: { string: message.messageId },
      PopReceipt: { string: message.popReceipt },
      InsertionTime: jsonDate(message.insertedOn),
      ExpirationTime: jsonDate(message.expiresOn),
      NextVisibleTime: jsonDate(message.nextVisibleOn),
    },
  };
}
