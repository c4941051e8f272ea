// serviceBusTrigger and the serviceBus output binding through the official @azure/service-bus SDK,
// against a FAKE Service Bus (AMQP 1.0, rhea; test/servers/fake-servicebus-amqp.ts): value and
// metadata, complete after success only, abandon → redelivery with DeliveryCount 2, the broker's
// dead-lettering after MaxDeliveryCount, kill → lock expiry → redelivery, lock renewal, drain, outputs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { serviceBusMessages, serviceBusOutput } from '../../../../src/functions/host/bindings/servicebus-output.js';
import { ServiceBusListener, serviceBusTriggerSettings } from '../../../../src/functions/host/triggers/servicebus-trigger.js';
import { serviceBusProcessorOptions } from '../../../../src/functions/host/triggers/servicebus-options.js';
import { bodyText, startFakeServiceBusAmqp, type FakeServiceBusAmqp } from '../../../servers/fake-servicebus-amqp.js';
import { fakeContext, FakeDispatch, Gate, sleep, triggerFunction, until } from './broker-fakes.js';

let fake: FakeServiceBusAmqp;
const listeners: ServiceBusListener[] = [];

beforeAll(async () => {
  fake = await startFakeServiceBusAmqp();
});
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.stop().catch(() => undefined);
  fake.lockDurationMs = 2_000;
  fake.maxDeliveryCount = 10;
});
afterAll(async () => {
  await fake.close();
});

const queueName = (): string => `q-${randomUUID().slice(0, 8)}`;

function listenerFor(options: Record<string, unknown>, dataType?: string, hostJson: Record<string, unknown> = {}, settings: Record<string, string> = {}) {
  const ctx = fakeContext({ AzureWebJobsServiceBus: fake.connectionString(), ...settings }, { hostJson });
  const { fn, binding } = triggerFunction('SbFn', 'serviceBusTrigger', options, dataType);
  const l = new ServiceBusListener(serviceBusTriggerSettings(fn, binding, ctx), ctx);
  listeners.push(l);
  return { l, ctx };
}

describe('serviceBusTrigger delivery', () => {
  it('delivers the body as text with the extension metadata, and completes after success', async () => {
    const q = queueName();
    fake.enqueue(q, Buffer.from('hello'), { message_id: 'm-1', content_type: 'text/plain', correlation_id: 'c-1', subject: 'greeting', application_properties: { tenant: 'x' } });
    const d = new FakeDispatch();
    const { l } = listenerFor({ queueName: '%SB_QUEUE%' }, undefined, {}, { SB_QUEUE: q });
    await l.start(d.dispatch);
    const [event] = await d.waitFor(1);
    expect(event?.value).toEqual({ string: 'hello' });
    const m = event?.metadata ?? {};
    expect(m['MessageId']).toEqual({ string: 'm-1' });
    expect(m['DeliveryCount']).toEqual({ json: '1' });
    expect(m['SequenceNumber']?.json).toMatch(/^\d+$/);
    expect(m['ContentType']).toEqual({ string: 'text/plain' });
    expect(m['CorrelationId']).toEqual({ string: 'c-1' });
    expect(m['Subject']).toEqual({ string: 'greeting' });
    expect(m['Label']).toEqual({ string: 'greeting' });
    expect(m['LockToken']?.string).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(m['ApplicationProperties']?.json ?? '{}')).toEqual({ tenant: 'x' });
    expect(JSON.parse(m['UserProperties']?.json ?? '{}')).toEqual({ tenant: 'x' });
    expect(Date.parse(JSON.parse(m['EnqueuedTimeUtc']?.json ?? '""') as string)).toBeGreaterThan(0);
    expect(m['ReplyTo']).toBeUndefined(); // absent values are left out, as the host does
    await until(() => fake.entity(q).completed.length, (n) => n === 1);
    expect(fake.entity(q).locked.size).toBe(0);
  });

  it('JSON bodies arrive as json; dataType binary delivers bytes', async () => {
    const q = queueName();
    fake.enqueue(q, Buffer.from('{"n":1}'));
    const d = new FakeDispatch();
    await listenerFor({ queueName: q }).l.start(d.dispatch);
    expect((await d.waitFor(1))[0]?.value).toEqual({ json: '{"n":1}' });

    const qb = queueName();
    fake.enqueue(qb, Buffer.from([0xff, 0x01]));
    const db = new FakeDispatch();
    await listenerFor({ queueName: qb }, 'binary').l.start(db.dispatch);
    expect(Buffer.from((await db.waitFor(1))[0]?.value.bytes ?? [])).toEqual(Buffer.from([0xff, 0x01]));
  });

  it('topicName + subscriptionName receives from the subscription', async () => {
    const topic = `t-${randomUUID().slice(0, 8)}`;
    fake.entity(`${topic}/Subscriptions/s1`);
    fake.enqueue(topic, Buffer.from('fan-out'));
    const d = new FakeDispatch();
    await listenerFor({ topicName: topic, subscriptionName: 's1' }).l.start(d.dispatch);
    await d.waitFor(1);
    expect(d.texts()).toEqual(['fan-out']);
  });

  it('host.json maxConcurrentCalls 2 bounds concurrency: 5 held messages → 2 in flight', async () => {
    const q = queueName();
    for (let i = 0; i < 5; i++) fake.enqueue(q, Buffer.from(`m${i}`));
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l } = listenerFor({ queueName: q }, undefined, { extensions: { serviceBus: { maxConcurrentCalls: 2 } } });
    await l.start(d.dispatch);
    await d.waitFor(2);
    await sleep(300);
    expect(l.inFlight).toBe(2);
    expect(d.events.length).toBe(2);
    gate.release();
    await d.waitFor(5);
    await until(() => fake.entity(q).completed.length, (n) => n === 5);
  });
});

describe('serviceBusTrigger failure policy', () => {
  it('failure → abandon → redelivered with DeliveryCount 2, then completed', async () => {
    const q = queueName();
    fake.enqueue(q, Buffer.from('flaky'));
    const d = new FakeDispatch((_e, index) => (index === 0 ? 'failure' : 'success'));
    const { l, ctx } = listenerFor({ queueName: q });
    await l.start(d.dispatch);
    const events = await d.waitFor(2);
    expect(events.map((e) => e.metadata['DeliveryCount']?.json)).toEqual(['1', '2']);
    await until(() => fake.entity(q).completed.length, (n) => n === 1);
    expect(fake.log.filter((line) => line.startsWith(`abandon ${q}`))).toHaveLength(1);
    expect(ctx.logs.some((line) => line.level === 'warn' && line.message.includes('abandoned'))).toBe(true);
  });

  it('a message that always fails is dead-lettered by the broker after MaxDeliveryCount (3), never by the host', async () => {
    fake.maxDeliveryCount = 3;
    const q = queueName();
    fake.enqueue(q, Buffer.from('poison'));
    const d = new FakeDispatch(() => 'failure');
    await listenerFor({ queueName: q }).l.start(d.dispatch);
    await until(() => fake.entity(q).deadLetter.length, (n) => n === 1);
    expect(d.events.map((e) => e.metadata['DeliveryCount']?.json)).toEqual(['1', '2', '3']);
    expect(fake.log.filter((line) => line.startsWith(`dead-letter ${q}`))).toHaveLength(0); // the host only abandoned
  });
});

describe('serviceBusTrigger kill, lock renewal and drain', () => {
  it('kill before settling: the lock expires and a new listener gets the message with DeliveryCount 2', async () => {
    fake.lockDurationMs = 1_200;
    const q = queueName();
    fake.enqueue(q, Buffer.from('survivor'));
    const first = new FakeDispatch(() => new Gate().promise); // never finishes
    const { l: doomed } = listenerFor({ queueName: q });
    await doomed.start(first.dispatch);
    await first.waitFor(1);
    doomed.abort();
    const second = new FakeDispatch();
    await listenerFor({ queueName: q }).l.start(second.dispatch);
    const [event] = await second.waitFor(1);
    expect(event?.value).toEqual({ string: 'survivor' });
    expect(event?.metadata['DeliveryCount']).toEqual({ json: '2' });
    expect(fake.log).toContain(`lock-expired ${q} ${JSON.parse(event?.metadata['SequenceNumber']?.json ?? '0') as number}`);
    await until(() => fake.entity(q).completed.length, (n) => n === 1);
  });

  it('a function running past the lock duration keeps its lock (renew-lock) and completes once', async () => {
    fake.lockDurationMs = 1_200;
    const q = queueName();
    fake.enqueue(q, Buffer.from('slow'));
    const d = new FakeDispatch(async () => {
      await sleep(2_500); // > 2 lock durations
      return 'success' as const;
    });
    await listenerFor({ queueName: q }).l.start(d.dispatch);
    await until(() => fake.entity(q).completed.length, (n) => n === 1, 8_000);
    expect(fake.log.filter((line) => line === `com.microsoft:renew-lock ${q}`).length).toBeGreaterThanOrEqual(2);
    expect(fake.log.some((line) => line.startsWith(`lock-expired ${q}`))).toBe(false);
    expect(d.events).toHaveLength(1);
  });

  it('drain waits for the in-flight message, completes it, and takes no new ones', async () => {
    const q = queueName();
    fake.enqueue(q, Buffer.from('in-flight'));
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l, ctx } = listenerFor({ queueName: q });
    await l.start(d.dispatch);
    await d.waitFor(1);
    let drained = false;
    const draining = l.drain().then(() => {
      drained = true;
    });
    await sleep(300);
    expect(drained).toBe(false);
    expect(l.inFlight).toBe(1);
    fake.enqueue(q, Buffer.from('after-drain'));
    gate.release();
    await draining;
    expect(fake.entity(q).completed.map(bodyText)).toEqual(['in-flight']);
    await sleep(300);
    expect(d.events).toHaveLength(1);
    expect(fake.entity(q).available.map(bodyText)).toEqual(['after-drain']);
    expect(ctx.logs.filter((line) => line.level === 'error')).toEqual([]); // settled over the open link
  });
});

describe('serviceBus output binding', () => {
  it('sends a string as one message and a JSON array as one message per element', async () => {
    const q = queueName();
    const ctx = fakeContext({ SbConn: fake.connectionString() });
    const out = serviceBusOutput.create({ name: 'out', type: 'serviceBus', direction: 'out', options: { queueName: q, connection: 'SbConn' } }, ctx);
    await out.write({ string: 'plain' });
    await out.write({ json: JSON.stringify([{ id: 1 }, 'two']) });
    await out.close?.();
    const sent = fake.entity(q).available;
    expect(sent.map(bodyText)).toEqual(['plain', '{"id":1}', 'two']);
    expect(sent.map((m) => m.properties['content_type'])).toEqual([undefined, 'application/json', undefined]);
  });

  it.each([
    ['bytes', { bytes: Buffer.from('b') }, ['b']],
    ['collectionString', { collectionString: { string: ['x', 'y'] } }, ['x', 'y']],
    ['int', { int: 7 }, ['7']],
    ['json null', { json: 'null' }, []],
  ])('%s → %j', (_name, value, bodies) => {
    expect(serviceBusMessages(value).map((m) => Buffer.from(m.body as Buffer).toString())).toEqual(bodies);
  });
});

describe('host.json extensions.serviceBus', () => {
  it.each([
    ['defaults on 2 CPUs: maxConcurrentCalls 16 × 2 = 32, prefetch 0, renewal 5 min', {}, { prefetchCount: 0, maxConcurrentCalls: 32, maxAutoLockRenewalDurationMs: 300_000, autoCompleteMessages: true }],
    ['overrides (keys case-insensitive): renewal 00:00:30 = 30 000 ms', { extensions: { ServiceBus: { MaxConcurrentCalls: 4, prefetchCount: 10, maxAutoLockRenewalDuration: '00:00:30', autoCompleteMessages: false } } }, { prefetchCount: 10, maxConcurrentCalls: 4, maxAutoLockRenewalDurationMs: 30_000, autoCompleteMessages: false }],
  ])('%s', (_name, hostJson, expected) => {
    expect(serviceBusProcessorOptions(hostJson, 2)).toEqual(expected);
  });

  it.each([
    [{ maxConcurrentCalls: 0 }, /maxConcurrentCalls/],
    [{ prefetchCount: -1 }, /prefetchCount/],
    [{ maxAutoLockRenewalDuration: 'soon' }, /maxAutoLockRenewalDuration/],
  ])('%j → BindingConfigError', (section, message) => {
    expect(() => serviceBusProcessorOptions({ extensions: { serviceBus: section } }, 2)).toThrow(message);
  });
});

describe('serviceBus configuration errors', () => {
  it.each([
    ['no connection setting (AzureWebJobsServiceBus unset)', {}, { queueName: 'q' }, /connection setting "AzureWebJobsServiceBus" is not set/],
    ['named connection unset', { AzureWebJobsServiceBus: 'x' }, { queueName: 'q', connection: 'Other' }, /connection setting "Other" is not set/],
    ['no entity', { AzureWebJobsServiceBus: 'x' }, {}, /queueName, or topicName with subscriptionName, is required/],
    ['topic without subscription', { AzureWebJobsServiceBus: 'x' }, { topicName: 't' }, /needs a subscriptionName/],
    ['%MISSING% queue', { AzureWebJobsServiceBus: 'x' }, { queueName: '%MISSING%' }, /"MISSING"/],
    ['sessions', { AzureWebJobsServiceBus: 'x' }, { queueName: 'q', isSessionsEnabled: true }, /isSessionsEnabled/],
  ])('%s → BindingConfigError', (_name, settings, options, message) => {
    const ctx = fakeContext(settings);
    const { fn, binding } = triggerFunction('SbFn', 'serviceBusTrigger', options);
    expect(() => serviceBusTriggerSettings(fn, binding, ctx)).toThrow(BindingConfigError);
    expect(() => serviceBusTriggerSettings(fn, binding, ctx)).toThrow(message);
  });

  it('the output binding without its connection setting → BindingConfigError', () => {
    const create = () => serviceBusOutput.create({ name: 'out', type: 'serviceBus', direction: 'out', options: { queueName: 'q' } }, fakeContext({}));
    expect(create).toThrow(BindingConfigError);
  });
});
