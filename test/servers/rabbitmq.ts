// The machine's RabbitMQ (127.0.0.1:5672, guest/guest) and its management API (15672, plugin
// rabbitmq_management): random queue names per test, deleted afterwards.
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';

export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672/';
export const MANAGEMENT_URL = 'http://guest:guest@127.0.0.1:15672/';
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** A queue name no other run uses. */
export function randomQueueName(prefix = 'tide-test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Whether the management API answers; under CI its absence fails the suite (CI must enable the plugin). */
export async function managementAvailable(): Promise<boolean> {
  const ok = await fetch('http://127.0.0.1:15672/api/overview', { headers: { authorization: AUTH }, signal: AbortSignal.timeout(2000) })
    .then((r) => r.ok)
    .catch(() => false);
  if (ok) return true;
  if (process.env.CI === 'true') throw new Error('the RabbitMQ management API is not reachable: CI must run `rabbitmq-plugins enable rabbitmq_management`');
  console.warn('skipping: RabbitMQ management API not reachable (rabbitmq-plugins enable rabbitmq_management)');
  return false;
}

/** A publisher on the machine's broker that remembers the queues it declared and deletes them on close. */
export class RabbitFixture {
  private readonly queues = new Set<string>();

  private constructor(
    private readonly model: ChannelModel,
    readonly channel: Channel,
  ) {}

  /** Connects to the machine's broker. */
  static async open(): Promise<RabbitFixture> {
    const model = await amqp.connect(AMQP_URL);
    return new RabbitFixture(model, await model.createChannel());
  }

  /** Declares a fresh queue holding `messages` messages. */
  async queue(messages: number, name = randomQueueName()): Promise<string> {
    await this.channel.assertQueue(name, { durable: false });
    this.queues.add(name);
    for (let i = 0; i < messages; i++) this.channel.sendToQueue(name, Buffer.from(`m${i}`));
    // A confirm round trip: the broker has every message once a synchronous method returns.
    await this.channel.checkQueue(name);
    return name;
  }

  /** Takes `count` messages without acknowledging them (they become unacked while this fixture lives). */
  async takeUnacked(queue: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const message = await this.channel.get(queue, { noAck: false });
      if (message === false) throw new Error(`queue ${queue} ran dry after ${i} messages`);
    }
  }

  /** Deletes every queue it declared and closes the connection. */
  async close(): Promise<void> {
    for (const name of this.queues) await this.channel.deleteQueue(name).catch(() => undefined);
    await this.model.close().catch(() => undefined);
  }
}

/** Reads the management API's view of a queue (for waiting until its statistics caught up). */
export async function managementQueue(name: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:15672/api/queues/%2F/${encodeURIComponent(name)}`, { headers: { authorization: AUTH } });
  return (await res.json()) as Record<string, unknown>;
}

/** Polls `probe` until it returns a value `done` accepts, or fails after `timeoutMs` with the last value. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    last = await probe();
  }
  return last;
}
