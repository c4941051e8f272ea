// RabbitMQ metric values from what the broker reports (AMQP passive declare, or the management API's
// queue object), as KEDA computes them. Pure: the reader fetches, these functions decide.

/** The five RabbitMQ trigger modes. */
export type RabbitMode = 'QueueLength' | 'MessageRate' | 'DeliverGetRate' | 'PublishedToDeliveredRatio' | 'ExpectedQueueConsumptionTime';

/** The numbers of one queue the management API reports (`messages`, `messages_ready`, publish/deliver_get rates). */
export interface QueueStats {
  readonly messages: number;
  readonly messagesReady: number;
  readonly publishRate: number;
  readonly deliverGetRate: number;
}

/** How several queues matched by a regex are combined. */
export type QueueOperation = 'sum' | 'avg' | 'max';

/** Metric value and the scaler's own activity verdict. */
export interface RabbitReading {
  readonly value: number;
  readonly active: boolean;
}

/** Combines queues matched by useRegex: counts sum/average (integer division, as Go ints)/max; rates likewise as floats. */
export function combineQueues(queues: readonly QueueStats[], operation: QueueOperation): QueueStats {
  if (queues.length === 0) return { messages: 0, messagesReady: 0, publishRate: 0, deliverGetRate: 0 };
  const pick = (f: (q: QueueStats) => number): number[] => queues.map(f);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const combine = (xs: number[], integer: boolean): number => {
    if (operation === 'sum') return sum(xs);
    if (operation === 'max') return Math.max(0, ...xs);
    return integer ? Math.trunc(sum(xs) / xs.length) : sum(xs) / xs.length;
  };
  return {
    messages: combine(pick((q) => q.messages), true),
    messagesReady: combine(pick((q) => q.messagesReady), true),
    publishRate: combine(pick((q) => q.publishRate), false),
    deliverGetRate: combine(pick((q) => q.deliverGetRate), false),
  };
}

/** The message count a QueueLength trigger sees: ready only with excludeUnacknowledged, else ready + unacked. */
export function queueMessageCount(stats: QueueStats, excludeUnacknowledged: boolean): number {
  return excludeUnacknowledged ? stats.messagesReady : stats.messages;
}

/**
 * The metric value and activity of a trigger mode, given the message count and rates.
 * Ratio and expected-consumption-time fall back to the activation value when nothing is delivered,
 * so a queue being published to with no consumer still activates.
 */
export function rabbitReading(mode: RabbitMode, messages: number, publishRate: number, deliverGetRate: number, activation: number): RabbitReading {
  switch (mode) {
    case 'QueueLength':
      return { value: messages, active: messages > activation };
    case 'MessageRate':
      return { value: publishRate, active: publishRate > activation || messages > activation };
    case 'DeliverGetRate':
      return { value: deliverGetRate, active: deliverGetRate > activation };
    case 'PublishedToDeliveredRatio': {
      const stalled = publishRate > 0 && deliverGetRate === 0;
      const ratio = stalled ? activation : publishRate > 0 && deliverGetRate > 0 ? publishRate / deliverGetRate : 0;
      return { value: ratio, active: ratio > activation || stalled };
    }
    case 'ExpectedQueueConsumptionTime': {
      if (deliverGetRate === 0) return { value: activation, active: true };
      const eta = (publishRate - deliverGetRate) / deliverGetRate + messages / deliverGetRate;
      return { value: eta, active: eta > activation };
    }
  }
}
