// rabbitMQ output binding against the machine's RabbitMQ: text, bytes, JSON and collections become
// messages on the queue once write() resolves (publisher confirms).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageBodies, rabbitMQOutput } from '../../../../src/functions/host/bindings/rabbitmq-output.js';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { AMQP_URL, RabbitFixture } from '../../../servers/rabbitmq.js';
import { fakeContext } from '../triggers/broker-fakes.js';

let fixture: RabbitFixture;
beforeAll(async () => {
  fixture = await RabbitFixture.open();
});
afterAll(async () => {
  await fixture.close();
});

describe('rabbitMQ output binding', () => {
  it('each write is on the queue when it resolves: "a", bytes, JSON, then a 2-element collection → 5 messages', async () => {
    const queue = await fixture.queue(0);
    const out = rabbitMQOutput.create({ name: 'out', type: 'rabbitMQ', direction: 'out', options: { connectionStringSetting: 'Rabbit', queueName: '%Q%' } }, fakeContext({ Rabbit: AMQP_URL, Q: queue }));
    await out.write({ string: 'a' });
    await out.write({ bytes: Buffer.from([0x62]) });
    await out.write({ json: '{"c":1}' });
    await out.write({ collectionString: { string: ['d', 'e'] } });
    expect((await fixture.channel.checkQueue(queue)).messageCount).toBe(5);
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await fixture.channel.get(queue, { noAck: true });
      if (m !== false) bodies.push(m.content.toString());
    }
    expect(bodies).toEqual(['a', 'b', '{"c":1}', 'd', 'e']);
    await out.close?.();
  });

  it('a missing queueName or connection is a config error at create time', () => {
    const ctx = fakeContext({ Rabbit: AMQP_URL });
    expect(() => rabbitMQOutput.create({ name: 'o', type: 'rabbitMQ', direction: 'out', options: { connectionStringSetting: 'Rabbit' } }, ctx)).toThrow(BindingConfigError);
    expect(() => rabbitMQOutput.create({ name: 'o', type: 'rabbitMQ', direction: 'out', options: { queueName: 'q' } }, ctx)).toThrow(/no connection/);
  });

  it('bodies: int 3 → "3", double 1.5 → "1.5", empty value → none', () => {
    expect(messageBodies({ int: 3 }).map(String)).toEqual(['3']);
    expect(messageBodies({ double: 1.5 }).map(String)).toEqual(['1.5']);
    expect(messageBodies({})).toEqual([]);
  });
});
