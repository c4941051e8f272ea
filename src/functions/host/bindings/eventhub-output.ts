// eventHub output binding (@azure/event-hubs 6): sends to `eventHubName` (or the connection string's
// EntityPath) on the namespace the `connection` setting names. A string/bytes value is one event; a
// JSON array is one event per element (strings as their text, anything else as JSON), as the
// extension sends a JS array; other JSON is one event of its text; collections one event per element.
// Events go in as few batches as the link's size limit allows; the producer is opened on first use.

import { EventHubProducerClient, type EventDataBatch } from '@azure/event-hubs';
import type { RpcTypedData } from '../../../app/rpc.js';
import type { OutputBinding, OutputBindingDefinition } from '../contract.js';
import { eventHubConnection } from '../triggers/eventhub-config.js';
import { messageBodies } from './rabbitmq-output.js';

/** The event bodies an output value stands for. */
export function eventHubBodies(value: RpcTypedData): Buffer[] {
  if (typeof value.json !== 'string') return messageBodies(value);
  const parsed: unknown = JSON.parse(value.json);
  if (!Array.isArray(parsed)) return [Buffer.from(value.json)];
  return parsed.map((item: unknown) => Buffer.from(typeof item === 'string' ? item : JSON.stringify(item)));
}

async function sendAll(producer: EventHubProducerClient, bodies: readonly Buffer[], where: string): Promise<void> {
  let batch: EventDataBatch = await producer.createBatch();
  for (const body of bodies) {
    if (batch.tryAdd({ body })) continue;
    if (batch.count === 0) throw new Error(`${where}: an event of ${body.length} bytes is larger than the hub accepts (${batch.maxSizeInBytes} bytes)`);
    await producer.sendBatch(batch);
    batch = await producer.createBatch();
    if (!batch.tryAdd({ body })) throw new Error(`${where}: an event of ${body.length} bytes is larger than the hub accepts (${batch.maxSizeInBytes} bytes)`);
  }
  if (batch.count > 0) await producer.sendBatch(batch);
}

/** The eventHub output binding type. */
export const eventHubOutput: OutputBindingDefinition = {
  type: 'eventHub',
  create(binding, ctx): OutputBinding {
    const where = `binding ${binding.name} (eventHub)`;
    const { connectionString, eventHubName } = eventHubConnection(binding, ctx, where);
    let producer: EventHubProducerClient | undefined;
    return {
      async write(value) {
        const bodies = eventHubBodies(value);
        if (bodies.length === 0) return;
        producer ??= new EventHubProducerClient(connectionString, eventHubName);
        await sendAll(producer, bodies, where);
      },
      async close() {
        await producer?.close();
        producer = undefined;
      },
    };
  },
};
