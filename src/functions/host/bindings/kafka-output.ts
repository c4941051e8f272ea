// kafka output binding: writes to `topic` on `brokerList` (same connection options as kafkaTrigger).
// A string/bytes value is one record; a JSON array is one record per element; a JSON object with a
// `Value`/`value` field is the extension's KafkaEventData shape (`Key`, `Value`, `Headers` [{Key, Value}],
// `Partition`); any other JSON is sent as its text. Collections send one record per element.

import { Kafka, logLevel, Partitioners, type Message, type Producer } from 'kafkajs';
import type { RpcTypedData } from '../../../app/rpc.js';
import { BindingConfigError, type OutputBinding, type OutputBindingDefinition } from '../contract.js';
import { kafkaClientConfig, settingOrLiteral } from '../triggers/kafka-config.js';
import { messageBodies } from './rabbitmq-output.js';

/** The Kafka records an output value stands for. */
export function kafkaMessages(value: RpcTypedData): Message[] {
  if (typeof value.json !== 'string') return messageBodies(value).map((body) => ({ value: body }));
  const parsed: unknown = JSON.parse(value.json);
  const items: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item) => eventMessage(item));
}

function field(record: Record<string, unknown>, name: string): unknown {
  return record[name] ?? record[name.toLowerCase()];
}

function eventMessage(item: unknown): Message {
  if (typeof item === 'string') return { value: item };
  if (item === null || typeof item !== 'object' || Array.isArray(item) || field(item as Record<string, unknown>, 'Value') === undefined) return { value: JSON.stringify(item) };
  const record = item as Record<string, unknown>;
  const raw = field(record, 'Value');
  const message: Message = { value: typeof raw === 'string' ? raw : JSON.stringify(raw) };
  const key = field(record, 'Key');
  if (key !== undefined && key !== null) message.key = typeof key === 'string' ? key : JSON.stringify(key);
  const partition = field(record, 'Partition');
  if (typeof partition === 'number') message.partition = partition;
  const headers = field(record, 'Headers');
  if (Array.isArray(headers)) {
    message.headers = {};
    for (const h of headers as Record<string, unknown>[]) {
      const name = field(h, 'Key');
      const v = field(h, 'Value');
      if (typeof name === 'string' && typeof v === 'string') message.headers[name] = v;
    }
  }
  return message;
}

/** The kafka output binding type. */
export const kafkaOutput: OutputBindingDefinition = {
  type: 'kafka',
  create(binding, ctx): OutputBinding {
    const where = `binding ${binding.name} (kafka)`;
    const config = kafkaClientConfig(binding, ctx, where);
    const topic = settingOrLiteral(binding.options['topic'], ctx, where);
    if (topic === undefined) throw new BindingConfigError(`${where}: "topic" is required`);
    let producer: Promise<Producer> | undefined;
    const connect = async (): Promise<Producer> => {
      const p = new Kafka({ ...config, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await p.connect();
      return p;
    };
    return {
      async write(value) {
        producer ??= connect();
        const p = await producer.catch((error: unknown) => {
          producer = undefined;
          throw error;
        });
        const messages = kafkaMessages(value);
        if (messages.length > 0) await p.send({ topic, messages });
      },
      async close() {
        const current = producer;
        producer = undefined;
        const p = await current?.catch(() => undefined);
        await p?.disconnect();
      },
    };
  },
};
