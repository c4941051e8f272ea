// serviceBus output binding (@azure/service-bus 7.x): each value becomes one message on `queueName` or
// `topicName`; an array (json array or collection) sends one message per element, as the extension's
// collector does. Bodies go out as raw bytes (a data section): text as UTF-8, objects as JSON with
// content type application/json. write() resolves once the broker accepted every message, because the
// trigger settles its own message only after the outputs were written.

import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import type { RpcTypedData } from '../../../app/rpc.js';
import type { OutputBinding, OutputBindingDefinition } from '../contract.js';
import { serviceBusConnection, serviceBusTarget } from '../triggers/servicebus-options.js';

function jsonMessage(element: unknown): ServiceBusMessage {
  if (typeof element === 'string') return { body: Buffer.from(element, 'utf8') };
  return { body: Buffer.from(JSON.stringify(element), 'utf8'), contentType: 'application/json' };
}

/** The messages an output value stands for (arrays and collections: one per element; null: none). */
export function serviceBusMessages(value: RpcTypedData): ServiceBusMessage[] {
  const text = (s: string): ServiceBusMessage => ({ body: Buffer.from(s, 'utf8') });
  if (typeof value.string === 'string') return [text(value.string)];
  if (typeof value.json === 'string') {
    const parsed: unknown = JSON.parse(value.json);
    if (parsed === null) return [];
    return Array.isArray(parsed) ? parsed.map(jsonMessage) : [jsonMessage(parsed)];
  }
  if (value.bytes) return [{ body: Buffer.from(value.bytes) }];
  if (value.stream) return [{ body: Buffer.from(value.stream) }];
  if (typeof value.int === 'number') return [text(String(value.int))];
  if (typeof value.double === 'number') return [text(String(value.double))];
  if (value.collectionString?.string) return value.collectionString.string.map(text);
  if (value.collectionBytes?.bytes) return value.collectionBytes.bytes.map((b) => ({ body: Buffer.from(b) }));
  if (value.collectionDouble?.double) return value.collectionDouble.double.map((d) => text(String(d)));
  if (value.collectionSint64?.sint64) return value.collectionSint64.sint64.map((n) => text(String(n)));
  return [];
}

/** Sends `messages` in one batch, or one by one when together they exceed the link's size limit. */
async function sendAll(sender: ServiceBusSender, messages: ServiceBusMessage[]): Promise<void> {
  try {
    await sender.sendMessages(messages);
  } catch (error) {
    if ((error as { code?: string }).code !== 'MessageSizeExceeded' || messages.length === 1) throw error;
    for (const message of messages) await sender.sendMessages(message);
  }
}

/** The serviceBus output binding type. */
export const serviceBusOutput: OutputBindingDefinition = {
  type: 'serviceBus',
  create(binding, ctx): OutputBinding {
    const where = `binding ${binding.name} (serviceBus)`;
    const connectionString = serviceBusConnection(binding, ctx, where);
    const target = serviceBusTarget(binding, ctx, where);
    let open: { client: ServiceBusClient; sender: ServiceBusSender } | undefined;
    return {
      async write(value) {
        const messages = serviceBusMessages(value);
        if (messages.length === 0) return;
        if (open === undefined) {
          const client = new ServiceBusClient(connectionString);
          open = { client, sender: client.createSender(target) };
        }
        await sendAll(open.sender, messages);
      },
      async close() {
        const current = open;
        open = undefined;
        await current?.sender.close().catch(() => undefined);
        await current?.client.close().catch(() => undefined);
      },
    };
  },
};
