// kafkaTrigger against librdkafka's mock cluster: cardinality one and many with the extension's
// metadata, commit only after success, maxRetries then commit (commitOnFailure), kill before commit →
// the next group member gets the record again, drain. Every group join costs the mock ~3 s, so each
// test joins once (the kill test twice).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { KafkaListener, kafkaTrigger, kafkaTriggerSettings, retryDelayMs } from '../../../../src/functions/host/triggers/kafka-trigger.js';
import { skipWithoutKafkaMock, startKafkaMock, type KafkaMock } from '../../../servers/kafka-mock.js';
import { fakeContext, FakeDispatch, Gate, sleep, triggerFunction, until } from './broker-fakes.js';

const TOPICS = { one: 1, many: 1, fails: 1, kill: 1, drain: 1 };
const skip = skipWithoutKafkaMock();

describe.skipIf(skip)('kafkaTrigger on the mock cluster', () => {
  let mock: KafkaMock;
  let producer: Producer;
  let admin: Admin;
  const listeners: KafkaListener[] = [];

  beforeAll(async () => {
    mock = await startKafkaMock(TOPICS);
    const kafka = new Kafka({ brokers: [mock.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
  }, 30_000);
  afterEach(async () => {
    for (const l of listeners.splice(0)) await l.stop().catch(() => undefined);
  }, 30_000);
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
    await mock.stop();
  }, 30_000);

  function listener(topic: string, options: Record<string, unknown> = {}, hostJson: Record<string, unknown> = {}) {
    const ctx = fakeContext({ KafkaBrokers: mock.bootstrap }, { hostJson });
    const { fn, binding } = triggerFunction('KafkaFn', 'kafkaTrigger', { brokerList: 'KafkaBrokers', topic, consumerGroup: `g-${topic}`, ...options });
    const l = new KafkaListener(kafkaTriggerSettings(fn, binding, ctx), ctx);
    listeners.push(l);
    return { l, ctx };
  }
  const committed = async (topic: string): Promise<string | undefined> => {
    const [entry] = await admin.fetchOffsets({ groupId: `g-${topic}`, topics: [topic] });
    return entry?.partitions[0]?.offset;
  };

  it('cardinality one: records in order as text with Key, Partition, Topic, Offset, Timestamp, Headers; offset 3 committed', async () => {
    await producer.send({ topic: 'one', messages: [{ key: 'k1', value: 'a', headers: { h: 'v' }, timestamp: '1700000000000' }, { value: 'b' }, { value: 'c' }] });
    const d = new FakeDispatch();
    await listener('one').l.start(d.dispatch);
    await d.waitFor(3, 20_000);
    expect(d.texts()).toEqual(['a', 'b', 'c']);
    const m = d.events[0]?.metadata ?? {};
    expect(m).toMatchObject({ Key: { string: 'k1' }, Partition: { json: '0' }, Topic: { string: 'one' }, Offset: { json: '0' }, Timestamp: { json: '"2023-11-14T22:13:20.000Z"' } });
    expect(JSON.parse(m['Headers']?.json ?? '[]')).toEqual([{ Key: 'h', Value: Buffer.from('v').toString('base64') }]);
    expect(d.events[1]?.metadata['Key']).toBeUndefined();
    await until(() => committed('one'), (o) => o === '3');
  }, 30_000);

  it('cardinality many with maxBatchSize 2: [a, b] then [c] as collectionString with *Array metadata', async () => {
    await producer.send({ topic: 'many', messages: [{ key: 'x', value: 'a' }, { value: 'b' }, { value: 'c' }] });
    const d = new FakeDispatch();
    await listener('many', { cardinality: 'many' }, { extensions: { kafka: { maxBatchSize: 2 } } }).l.start(d.dispatch);
    await d.waitFor(2, 20_000);
    expect(d.events.map((e) => e.value.collectionString?.string)).toEqual([['a', 'b'], ['c']]);
    expect(d.events[0]?.metadata).toMatchObject({ OffsetArray: { collectionSint64: { sint64: [0, 1] } }, KeyArray: { json: '["x",null]' }, TopicArray: { collectionString: { string: ['many', 'many'] } } });
    await until(() => committed('many'), (o) => o === '3');
  }, 30_000);

  it('a record that always fails: 1 + maxRetries 2 = 3 attempts, then committed and logged; the next record runs', async () => {
    await producer.send({ topic: 'fails', messages: [{ value: 'bad' }, { value: 'good' }] });
    const d = new FakeDispatch((e) => (e.value.string === 'bad' ? 'failure' : 'success'));
    const { l, ctx } = listener('fails', {}, { extensions: { kafka: { maxRetries: 2 } } });
    await l.start(d.dispatch);
    await d.waitFor(4, 20_000);
    expect(d.texts()).toEqual(['bad', 'bad', 'bad', 'good']);
    expect(d.events.map((e) => e.retryContext?.retryCount ?? 0)).toEqual([0, 1, 2, 0]);
    await until(() => committed('fails'), (o) => o === '2');
    expect(ctx.logs.some((x) => x.level === 'error' && x.message.includes('after 3 attempts; committing'))).toBe(true);
  }, 30_000);

  it('kill before commit: the record is delivered again to the next member of the group', async () => {
    await producer.send({ topic: 'kill', messages: [{ value: 'k' }] });
    const gate = new Gate();
    const d1 = new FakeDispatch(() => gate.promise);
    const first = listener('kill').l;
    await first.start(d1.dispatch);
    await d1.waitFor(1, 20_000);
    const leaving = first.abort();
    gate.release('success'); // finishes after the kill: must not commit
    await leaving;
    expect(await committed('kill')).toBe('-1');
    const d2 = new FakeDispatch();
    await listener('kill').l.start(d2.dispatch);
    await d2.waitFor(1, 20_000);
    expect(d2.texts()).toEqual(['k']);
    await until(() => committed('kill'), (o) => o === '1');
  }, 40_000);

  it('drain lets the running record finish and commit, then stops', async () => {
    await producer.send({ topic: 'drain', messages: [{ value: 'd1' }, { value: 'd2' }] });
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l } = listener('drain');
    await l.start(d.dispatch);
    await d.waitFor(1, 20_000);
    expect(l.inFlight).toBe(1);
    let drained = false;
    const draining = l.drain().then(() => (drained = true));
    await sleep(200);
    expect(drained).toBe(false);
    gate.release();
    await draining;
    expect(d.texts()).toEqual(['d1']);
    expect(await committed('drain')).toBe('1');
  }, 30_000);
});

describe('kafkaTrigger settings', () => {
  const settings = (options: Record<string, unknown>, env: Record<string, string> = {}, hostJson: Record<string, unknown> = {}) => {
    const { fn, binding } = triggerFunction('F', 'kafkaTrigger', options);
    return kafkaTriggerSettings(fn, binding, fakeContext(env, { hostJson }));
  };
  const base = { brokerList: 'b:9092', topic: 't', consumerGroup: 'g' };

  it.each([
    [{ topic: 't', consumerGroup: 'g' }, /"brokerList" is required/],
    [{ ...base, topic: undefined }, /"topic" is required/],
    [{ ...base, consumerGroup: undefined }, /"consumerGroup" is required/],
    [{ ...base, cardinality: 'some' }, /cardinality/],
    [{ ...base, authenticationMode: 'Gssapi', username: 'u', password: 'p' }, /not supported/],
    [{ ...base, authenticationMode: 'Plain' }, /needs "username" and "password"/],
    [{ ...base, protocol: 'Quic' }, /unknown protocol/],
  ])('%j is rejected', (options, message) => {
    expect(() => settings(options)).toThrow(BindingConfigError);
    expect(() => settings(options)).toThrow(message);
  });

  it('brokerList / username / password may name settings or use %…%; SaslSsl + ScramSha512 map to kafkajs', () => {
    const s = settings({ ...base, brokerList: 'BrokerList', topic: '%T%', authenticationMode: 'ScramSha512', protocol: 'SaslSsl', username: '$ConnectionString', password: '%Secret%' }, { BrokerList: 'a:1, b:2', T: 'orders', Secret: 'pw' });
    expect(s.client).toMatchObject({ brokers: ['a:1', 'b:2'], ssl: true, sasl: { mechanism: 'scram-sha-512', username: '$ConnectionString', password: 'pw' } });
    expect(s).toMatchObject({ topic: 'orders', many: false, maxRetries: 5, ext: { maxBatchSize: 64, commitOnFailure: true, fromBeginning: true } });
    expect(settings(base, {}, { extensions: { kafka: { autoOffsetReset: 'Latest', commitOnFailure: false } } }).ext).toMatchObject({ fromBeginning: false, commitOnFailure: false });
    expect(kafkaTrigger.type).toBe('kafkaTrigger');
  });

  it('retry delays: fixedDelay 2000 → 2000; exponentialBackoff 1000..5000 → 1000, 2000, 4000, 5000; none → 0', () => {
    expect(retryDelayMs({ strategy: 'fixedDelay', maxRetryCount: 3, delayInterval: 2000 }, 2)).toBe(2000);
    const exp = { strategy: 'exponentialBackoff', maxRetryCount: 4, minimumInterval: 1000, maximumInterval: 5000 } as const;
    expect([1, 2, 3, 4].map((n) => retryDelayMs(exp, n))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(undefined, 1)).toBe(0);
  });
});
