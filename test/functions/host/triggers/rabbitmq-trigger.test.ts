// rabbitMQTrigger against the machine's RabbitMQ: value and metadata, ack after success only, the
// extension's failure policy (republish with x-ms-rabbitmq-requeuecount, reject → DLX at 5), kill before
// ack → redelivery to a new listener, drain.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { RabbitMQListener, rabbitMQTrigger, rabbitTriggerSettings } from '../../../../src/functions/host/triggers/rabbitmq-trigger.js';
import { basicProperties, requeueCount } from '../../../../src/functions/host/triggers/rabbitmq-message.js';
import { AMQP_URL, RabbitFixture, randomQueueName } from '../../../servers/rabbitmq.js';
import { fakeContext, FakeDispatch, Gate, sleep, triggerFunction, until } from './broker-fakes.js';

let fixture: RabbitFixture;
const listeners: RabbitMQListener[] = [];
const ownQueues: string[] = [];

beforeAll(async () => {
  fixture = await RabbitFixture.open();
});
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.stop().catch(() => undefined);
  for (const q of ownQueues.splice(0)) await fixture.channel.deleteQueue(q).catch(() => undefined);
});
afterAll(async () => {
  await fixture.close();
});

function listenerFor(queueName: string, options: Record<string, unknown> = {}, dataType?: string, hostJson: Record<string, unknown> = {}) {
  const ctx = fakeContext({ Rabbit: AMQP_URL, QUEUE: queueName }, { hostJson });
  const { fn, binding } = triggerFunction('RabbitFn', 'rabbitMQTrigger', { connectionStringSetting: 'Rabbit', queueName: '%QUEUE%', ...options }, dataType);
  const l = new RabbitMQListener(rabbitTriggerSettings(fn, binding, ctx), ctx);
  listeners.push(l);
  return { l, ctx };
}

/** Takes every ready message off `queue` and returns their bodies. */
async function remaining(queue: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const message = await fixture.channel.get(queue, { noAck: true });
    if (message === false) return bodies;
    bodies.push(message.content.toString());
  }
}

const messageCount = async (queue: string): Promise<number> => (await fixture.channel.checkQueue(queue)).messageCount;

describe('rabbitMQTrigger delivery', () => {
  it('delivers the body as text with the extension metadata, and acks after success', async () => {
    const queue = await fixture.queue(0);
    fixture.channel.sendToQueue(queue, Buffer.from('hello'), { messageId: 'm-1', contentType: 'text/plain', headers: { tenant: 'x' } });
    const d = new FakeDispatch();
    const { l } = listenerFor(queue);
    await l.start(d.dispatch);
    const [event] = await d.waitFor(1);
    expect(event?.value).toEqual({ string: 'hello' });
    const m = event?.metadata ?? {};
    expect(m['Exchange']).toEqual({ string: '' });
    expect(m['RoutingKey']).toEqual({ string: queue });
    expect(m['Redelivered']).toEqual({ json: 'false' });
    expect(m['DeliveryTag']).toEqual({ json: '1' });
    expect(m['ConsumerTag']?.string).toMatch(/^amq\.ctag-/);
    expect(Buffer.from(m['Body']?.bytes ?? []).toString()).toBe('hello');
    expect(JSON.parse(m['BasicProperties']?.json ?? '{}')).toMatchObject({ MessageId: 'm-1', ContentType: 'text/plain', Headers: { tenant: 'x' } });
    expect(event?.retryContext).toBeUndefined();
    await l.stop(); // unacked messages would return to the queue when the connection closes
    expect(await messageCount(queue)).toBe(0);
  });

  it('dataType binary delivers bytes', async () => {
    const queue = await fixture.queue(0);
    fixture.channel.sendToQueue(queue, Buffer.from([0xff, 0x01]));
    const d = new FakeDispatch();
    await listenerFor(queue, {}, 'binary').l.start(d.dispatch);
    const [event] = await d.waitFor(1);
    expect(Buffer.from(event?.value.bytes ?? [])).toEqual(Buffer.from([0xff, 0x01]));
  });

  it('host.json prefetchCount 2 bounds concurrency: 5 held messages → 2 in flight', async () => {
    const queue = await fixture.queue(5);
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l } = listenerFor(queue, {}, undefined, { extensions: { rabbitMQ: { prefetchCount: 2 } } });
    await l.start(d.dispatch);
    await d.waitFor(2);
    await sleep(200);
    expect(l.inFlight).toBe(2);
    expect(d.events).toHaveLength(2);
    gate.release();
    await d.waitFor(5);
  });
});

describe('rabbitMQTrigger failures', () => {
  it('always failing: 5 attempts (requeue count 0..4), then rejected without requeue → dead-letter queue', async () => {
    const queue = randomQueueName();
    const dlq = randomQueueName('tide-test-dlq');
    ownQueues.push(queue, dlq);
    await fixture.channel.assertQueue(dlq, { durable: false });
    await fixture.channel.assertQueue(queue, { durable: false, deadLetterExchange: '', deadLetterRoutingKey: dlq });
    fixture.channel.sendToQueue(queue, Buffer.from('poison'), { messageId: 'p' });
    const d = new FakeDispatch(() => 'failure');
    const { l, ctx } = listenerFor(queue);
    await l.start(d.dispatch);
    await until(() => messageCount(dlq), (n) => n === 1);
    expect(d.events.map((e) => e.retryContext?.retryCount ?? 0)).toEqual([0, 1, 2, 3, 4]);
    await l.stop();
    expect(await messageCount(queue)).toBe(0);
    const dead = await fixture.channel.get(dlq, { noAck: true });
    expect(dead && dead.content.toString()).toBe('poison');
    expect(dead && dead.properties.messageId).toBe('p'); // properties survive the republishes
    expect(ctx.logs.some((x) => x.level === 'error' && x.message.includes('failed 5 times'))).toBe(true);
  });

  it('fails once: republished with x-ms-rabbitmq-requeuecount 1 and acked; the second attempt succeeds', async () => {
    const queue = await fixture.queue(1);
    const d = new FakeDispatch((_e, i) => (i === 0 ? 'failure' : 'success'));
    const { l } = listenerFor(queue);
    await l.start(d.dispatch);
    const events = await d.waitFor(2);
    const props = JSON.parse(events[1]?.metadata['BasicProperties']?.json ?? '{}') as { Headers?: Record<string, unknown> };
    expect(props.Headers?.['x-ms-rabbitmq-requeuecount']).toBe(1);
    expect(events[1]?.retryContext).toEqual({ retryCount: 1, maxRetryCount: 4 });
    await l.stop();
    expect(await messageCount(queue)).toBe(0);
  });
});

describe('rabbitMQTrigger kill and drain', () => {
  it('kill before ack: the broker redelivers the message to a new listener (Redelivered true)', async () => {
    const queue = await fixture.queue(1);
    const first = listenerFor(queue).l;
    const d1 = new FakeDispatch(() => new Gate().promise);
    await first.start(d1.dispatch);
    await d1.waitFor(1);
    first.abort();
    const d2 = new FakeDispatch();
    const second = listenerFor(queue).l;
    await second.start(d2.dispatch);
    const [event] = await d2.waitFor(1);
    expect(event?.value).toEqual({ string: 'm0' });
    expect(event?.metadata['Redelivered']).toEqual({ json: 'true' });
    await second.stop();
    expect(await messageCount(queue)).toBe(0);
  });

  it('drain cancels the consumer, waits for the running message and acks it; later messages stay queued', async () => {
    const queue = await fixture.queue(1);
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l } = listenerFor(queue);
    await l.start(d.dispatch);
    await d.waitFor(1);
    let drained = false;
    const draining = l.drain().then(() => (drained = true));
    await sleep(100);
    fixture.channel.sendToQueue(queue, Buffer.from('after-drain'));
    await sleep(150);
    expect(drained).toBe(false);
    gate.release();
    await draining;
    expect(d.events).toHaveLength(1);
    await l.stop();
    expect(await remaining(queue)).toEqual(['after-drain']);
  });
});

describe('rabbitMQTrigger settings', () => {
  const run = (options: Record<string, unknown>, settings: Record<string, string> = {}, hostJson: Record<string, unknown> = {}) => {
    const { fn, binding } = triggerFunction('F', 'rabbitMQTrigger', options);
    return rabbitTriggerSettings(fn, binding, fakeContext(settings, { hostJson }));
  };
  it.each([
    [{ queueName: 'q' }, {}, /no connection/],
    [{ queueName: 'q', connectionStringSetting: 'Missing' }, {}, /connection setting "Missing" is not set/],
    [{ queueName: 'q', connectionStringSetting: 'C' }, { C: 'http://x' }, /amqp:\/\/ or amqps:\/\//],
    [{ connectionStringSetting: 'C' }, { C: 'amqp://h' }, /"queueName" is required/],
    [{ queueName: '%NOPE%', connectionStringSetting: 'C' }, { C: 'amqp://h' }, /"NOPE"/],
  ])('%j with %j is rejected', (options, settings, message) => {
    expect(() => run(options, settings)).toThrow(BindingConfigError);
    expect(() => run(options, settings)).toThrow(message);
  });

  it('defaults prefetch 30; host.json supplies connectionString and queueName; 1.x hostName fields build a URL', () => {
    expect(run({ queueName: 'q', connectionStringSetting: 'C' }, { C: 'amqp://h' })).toMatchObject({ prefetchCount: 30, queueName: 'q', binary: false });
    const fromHost = run({}, { S: 'amqps://u:p@h/v' }, { extensions: { RabbitMQ: { connectionString: '%S%', queueName: 'hq', prefetchCount: 4, disableCertificateValidation: true } } });
    expect(fromHost).toMatchObject({ queueName: 'hq', prefetchCount: 4, connection: { url: 'amqps://u:p@h/v', insecure: true } });
    const legacy = run({ queueName: 'q', hostName: 'broker', userNameSetting: 'U', passwordSetting: 'P', port: 5673 }, { U: 'me', P: 'p@ss' });
    expect(legacy.connection.url).toBe('amqp://me:p%40ss@broker:5673');
    expect(rabbitMQTrigger.type).toBe('rabbitMQTrigger');
  });

  it('requeue count reads numbers, strings and byte headers; properties drop unset fields', () => {
    expect([{}, { 'x-ms-rabbitmq-requeuecount': 3 }, { 'x-ms-rabbitmq-requeuecount': '2' }, { 'x-ms-rabbitmq-requeuecount': Buffer.from('4') }].map((headers) => requeueCount({ headers }))).toEqual([0, 3, 2, 4]);
    expect(basicProperties({ contentType: 'a/b', timestamp: 10 } as never)).toEqual({ ContentType: 'a/b', Timestamp: { UnixTime: 10 } });
  });
});
