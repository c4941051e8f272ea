// The output binding types the host writes, by binding type (case-insensitive).
import type { OutputBindingDefinition } from '../contract.js';
import { blobOutput } from './blob-output.js';
import { eventHubOutput } from './eventhub-output.js';
import { kafkaOutput } from './kafka-output.js';
import { queueOutput } from './queue-output.js';
import { rabbitMQOutput } from './rabbitmq-output.js';
import { redisOutput } from './redis-output.js';
import { serviceBusOutput } from './servicebus-output.js';

const OUTPUTS: readonly OutputBindingDefinition[] = [queueOutput, blobOutput, rabbitMQOutput, kafkaOutput, redisOutput, serviceBusOutput, eventHubOutput];
const BY_TYPE = new Map(OUTPUTS.map((o) => [o.type.toLowerCase(), o]));

/** The writer of an output binding type; `http` outputs are answered by the HTTP server. */
export function outputFor(type: string): OutputBindingDefinition | undefined {
  return BY_TYPE.get(type.toLowerCase());
}
