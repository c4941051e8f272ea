// kafka output binding on the mock cluster (no group join: offsets are read with the admin client),
// and the value → record mapping (text, arrays, the extension's KafkaEventData shape).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaMessages, kafkaOutput } from '../../../../src/functions/host/bindings/kafka-output.js';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { skipWithoutKafkaMock, startKafkaMock, type KafkaMock } from '../../../servers/kafka-mock.js';
import { fakeContext } from '../triggers/broker-fakes.js';

describe.skipIf(skipWithoutKafkaMock())('kafka output binding on the mock cluster', () => {
  let mock: KafkaMock;
  let admin: Admin;
  beforeAll(async () => {
    mock = await startKafkaMock({ out: 1 });
    admin = new Kafka({ brokers: [mock.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  }, 30_000);
  afterAll(async () => {
    await admin.disconnect();
    await mock.stop();
  }, 30_000);

  it('a string then a 2-element JSON array → 3 records on the topic', async () => {
    const out = kafkaOutput.create({ name: 'o', type: 'kafka', direction: 'out', options: { brokerList: 'Brokers', topic: 'out' } }, fakeContext({ Brokers: mock.bootstrap }));
    await out.write({ string: 'one' });
    await out.write({ json: '["two","three"]' });
    const [partition] = await admin.fetchTopicOffsets('out');
    expect(partition?.high).toBe('3');
    await out.close?.();
  }, 30_000);
});

describe('kafka output values', () => {
  it.each([
    [{ string: 'a' }, [{ value: Buffer.from('a') }]],
    [{ json: '{"x":1}' }, [{ value: '{"x":1}' }]],
    [{ json: '["a",{"y":2}]' }, [{ value: 'a' }, { value: '{"y":2}' }]],
    [{ json: '{"Key":"k","Value":"v","Headers":[{"Key":"h","Value":"hv"}],"Partition":0}' }, [{ key: 'k', value: 'v', headers: { h: 'hv' }, partition: 0 }]],
    [{ json: '{"value":{"n":1}}' }, [{ value: '{"n":1}' }]],
  ])('%j → %j', (value, expected) => {
    expect(kafkaMessages(value)).toEqual(expected);
  });

  it('"topic" is required', () => {
    expect(() => kafkaOutput.create({ name: 'o', type: 'kafka', direction: 'out', options: { brokerList: 'b:1' } }, fakeContext({}))).toThrow(BindingConfigError);
  });
});
