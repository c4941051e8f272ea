// The trigger types the host runs, by binding type (case-insensitive, as function.json is read).
import type { TriggerDefinition } from '../contract.js';
import { eventHubTrigger } from './eventhub-trigger.js';
import { kafkaTrigger } from './kafka-trigger.js';
import { queueTrigger } from './queue-trigger.js';
import { rabbitMQTrigger } from './rabbitmq-trigger.js';
import { redisListTrigger } from './redis-list-trigger.js';
import { redisStreamTrigger } from './redis-stream-trigger.js';
import { serviceBusTrigger } from './servicebus-trigger.js';
import { timerTrigger } from './timer-trigger.js';

const TRIGGERS: readonly TriggerDefinition[] = [queueTrigger, timerTrigger, rabbitMQTrigger, kafkaTrigger, redisListTrigger, redisStreamTrigger, eventHubTrigger, serviceBusTrigger];
const BY_TYPE = new Map(TRIGGERS.map((t) => [t.type.toLowerCase(), t]));

/** The listener definition of a trigger type; httpTrigger is served by the HTTP server, not here. */
export function triggerFor(type: string): TriggerDefinition | undefined {
  return BY_TYPE.get(type.toLowerCase());
}

/** Every listener trigger type, for messages. */
export function triggerTypes(): string[] {
  return TRIGGERS.map((t) => t.type);
}
