// rabbitMQ output binding: each value becomes one message on `queueName` (default exchange), sent on a
// confirm channel so write() resolves only once the broker has it (the trigger settles after outputs).
// string/json/numbers are sent as UTF-8 text, bytes as is; a collection sends one message per element
// (the extension's IAsyncCollector takes several messages the same way).

import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { RpcTypedData } from '../../../app/rpc.js';
import type { OutputBinding, OutputBindingDefinition } from '../contract.js';
import { rabbitConnection, rabbitQueueName } from '../triggers/rabbitmq-connection.js';

/** The message bodies an output value stands for (collections: one per element; null: none). */
export function messageBodies(value: RpcTypedData): Buffer[] {
  if (typeof value.string === 'string') return [Buffer.from(value.string)];
  if (typeof value.json === 'string') return [Buffer.from(value.json)];
  if (value.bytes) return [Buffer.from(value.bytes)];
  if (value.stream) return [Buffer.from(value.stream)];
  if (typeof value.int === 'number') return [Buffer.from(String(value.int))];
  if (typeof value.double === 'number') return [Buffer.from(String(value.double))];
  if (value.collectionString?.string) return value.collectionString.string.map((s) => Buffer.from(s));
  if (value.collectionBytes?.bytes) return value.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (value.collectionDouble?.double) return value.collectionDouble.double.map((d) => Buffer.from(String(d)));
  if (value.collectionSint64?.sint64) return value.collectionSint64.sint64.map((n) => Buffer.from(String(n)));
  return [];
}

/** The rabbitMQ output binding type. */
export const rabbitMQOutput: OutputBindingDefinition = {
  type: 'rabbitMQ',
  create(binding, ctx): OutputBinding {
    const where = `binding ${binding.name} (rabbitMQ)`;
    const connection = rabbitConnection(binding, ctx, where);
    const queueName = rabbitQueueName(binding, ctx, where);
    let open: Promise<{ model: ChannelModel; channel: ConfirmChannel }> | undefined;
    const connect = async (): Promise<{ model: ChannelModel; channel: ConfirmChannel }> => {
      const model = await amqp.connect(connection.url, connection.insecure ? { rejectUnauthorized: false } : {});
      model.on('error', () => undefined);
      // A broken connection is reopened on the next write instead of failing every later invocation.
      model.on('close', () => {
        open = undefined;
      });
      return { model, channel: await model.createConfirmChannel() };
    };
    return {
      async write(value) {
        open ??= connect();
        const { channel } = await open.catch((error: unknown) => {
          open = undefined;
          throw error;
        });
        for (const body of messageBodies(value)) channel.sendToQueue(queueName, body, { persistent: true });
        await channel.waitForConfirms();
      },
      async close() {
        const current = open;
        open = undefined;
        const opened = await current?.catch(() => undefined);
        await opened?.channel.close().catch(() => undefined);
        await opened?.model.close().catch(() => undefined);
      },
    };
  },
};
