import { describe, expect, test } from 'vitest';
import { goQueryEscape, protocolOf, rabbitmq } from '../../src/scalers/rabbitmq.js';
import { combineQueues, queueMessageCount, rabbitReading, type QueueStats } from '../../src/scalers/rabbitmq-values.js';
import { errors, parsed } from './helpers.js';

const AMQP = 'amqp://guest:s3cretpass@rabbit.default:5672/vhost';
const HTTP = 'https://guest:s3cretpass@rabbit.default:15672/vhost';

function parse(metadata: Record<string, string>, host = AMQP, extra: Record<string, unknown> = {}) {
  return rabbitmq.parse({ metadata: { queueName: 'orders', ...metadata }, authParams: { host }, triggerIndex: 0, ...extra });
}

describe('rabbitmq parameters', () => {
  test('KEDA docs example: QueueLength 20 over AMQP, target as milli quantity', () => {
    const r = parsed(rabbitmq.parse({ metadata: { protocol: 'amqp', queueName: 'testqueue', mode: 'QueueLength', value: '20', activationValue: '5.5', hostFromEnv: 'RABBITMQ_HOST' }, env: { RABBITMQ_HOST: AMQP }, triggerIndex: 0 }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-rabbitmq-testqueue', targetType: 'AverageValue', targetMilli: 20_000, activationMilli: 5500 }]);
  });

  test.each([
    ['nothing set → QueueLength 20', {}, 'QueueLength', 20],
    ['deprecated queueLength 7 → QueueLength 7 (with a warning)', { queueLength: '7' }, 'QueueLength', 7],
    ['MessageRate 2.5 over http', { mode: 'MessageRate', value: '2.5' }, 'MessageRate', 2.5],
  ])('%s', (_name, metadata, mode, value) => {
    const r = parsed(parse(metadata, HTTP));
    expect([r.params.mode, r.params.value, r.metricSpecs[0]?.targetMilli]).toEqual([mode, value, value * 1000]);
  });

  test('deprecated queueLength warns', () => {
    expect(parsed(parse({ queueLength: '7' })).warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['metadata.queueLength: is deprecated: use mode: QueueLength and value']);
  });

  test.each([
    ['amqp://h', 'auto', 'amqp'],
    ['AMQPS://h', 'auto', 'amqp'],
    ['http://h', 'auto', 'http'],
    ['https://h', 'auto', 'http'],
    ['https://h', 'amqp', 'amqp'],
    ['rabbit://h', 'auto', undefined],
  ] as const)('protocol of %s with %s → %s', (host, protocol, expected) => {
    expect(protocolOf({ host, protocol })).toBe(expected);
  });

  test('derived protocol comes from the host scheme', () => {
    expect(parsed(parse({}, HTTP)).params.protocol).toBe('http');
    expect(parsed(parse({}, AMQP)).params.protocol).toBe('amqp');
  });

  test.each([
    ['queueLength with mode', { queueLength: '5', mode: 'QueueLength' }, AMQP, 'metadata.queueLength: is deprecated and cannot be combined with mode or value; use mode and value'],
    ['value without mode', { value: '5' }, AMQP, 'metadata.mode: required when value is set'],
    ['mode without value', { mode: 'QueueLength' }, AMQP, 'metadata.value: required with mode QueueLength (and must not be 0)'],
    ['rate mode over amqp', { mode: 'MessageRate', value: '1' }, AMQP, 'metadata.mode: MessageRate needs the HTTP protocol (protocol is amqp)'],
    ['useRegex over amqp', { useRegex: 'true' }, AMQP, 'metadata.useRegex: needs the HTTP protocol'],
    ['excludeUnacknowledged over amqp', { excludeUnacknowledged: 'true' }, AMQP, 'metadata.excludeUnacknowledged: needs the HTTP protocol'],
    ['timeout over amqp', { timeout: '1000' }, AMQP, 'metadata.timeout: the AMQP protocol does not support a custom timeout'],
    ['pageSize 0', { pageSize: '0' }, HTTP, 'metadata.pageSize: must be 1 or greater'],
    ['unknown mode', { mode: 'Length', value: '1' }, HTTP, 'metadata.mode: "Length" is not one of QueueLength, MessageRate, DeliverGetRate, PublishedToDeliveredRatio, ExpectedQueueConsumptionTime'],
    ['unknown scheme', {}, 'rabbit://guest:s3cretpass@h/', 'authParams.host: unknown URL scheme "rabbit": use amqp, amqps, http or https, or set protocol'],
  ])('%s', (_name, metadata, host, expected) => {
    const r = parse(metadata, host);
    expect(errors(r)).toEqual([expected]);
    expect(JSON.stringify(r).includes('s3cretpass')).toBe(false);
  });

  test('username and password come together; OAuth2 excludes them and needs all three parts', () => {
    const r = rabbitmq.parse({ metadata: { queueName: 'q' }, authParams: { host: HTTP, username: 'u' }, triggerIndex: 0 });
    expect(errors(r)).toEqual(['authParams.password: username and password must be given together']);
    const oauth = rabbitmq.parse({ metadata: { queueName: 'q' }, authParams: { host: HTTP, oauthTokenURI: 'https://idp/token', clientID: 'c' }, triggerIndex: 0 });
    expect(errors(oauth)).toEqual(['authParams.oauthTokenURI: OAuth2 needs oauthTokenURI, clientID and clientSecret in the TriggerAuthentication']);
  });

  test('host is required from metadata, a TriggerAuthentication or env; its value is secret', () => {
    const r = rabbitmq.parse({ metadata: { queueName: 'q' }, triggerIndex: 0 });
    expect(errors(r)).toEqual(['metadata.host: required (set metadata.host, metadata.hostFromEnv or a TriggerAuthentication parameter "host")']);
  });

  test('queue names are URL-escaped before normalising, as KEDA does', () => {
    expect(goQueryEscape("a b/c!'()*~")).toBe('a+b%2Fc%21%27%28%29%2A~');
    expect(parsed(parse({}, AMQP, {})).metricSpecs[0]?.metricName).toBe('s0-rabbitmq-orders');
    const r = parsed(rabbitmq.parse({ metadata: { queueName: 'my queue/x' }, authParams: { host: AMQP }, triggerIndex: 1 }));
    expect(r.metricSpecs[0]?.metricName).toBe('s1-rabbitmq-my+queue-2Fx');
  });
});

describe('rabbitmq values (management API numbers → metric, activity)', () => {
  test.each([
    // mode, messages, publish, deliver, activation → value, active
    ['QueueLength 12 > 10', 'QueueLength', 12, 0, 0, 10, 12, true],
    ['QueueLength 10 is not > 10', 'QueueLength', 10, 0, 0, 10, 10, false],
    ['MessageRate: rate 0.5 below 1 but 3 messages waiting → active', 'MessageRate', 3, 0.5, 0, 1, 0.5, true],
    ['DeliverGetRate 4', 'DeliverGetRate', 0, 9, 4, 1, 4, true],
    ['Ratio 6/3 = 2', 'PublishedToDeliveredRatio', 0, 6, 3, 1, 2, true],
    ['Ratio with nothing delivered → activation value, active', 'PublishedToDeliveredRatio', 0, 6, 0, 1.5, 1.5, true],
    ['Ratio with nothing published → 0', 'PublishedToDeliveredRatio', 5, 0, 3, 0, 0, false],
    ['ETA (10−5)/5 + 20/5 = 1 + 4 = 5 s', 'ExpectedQueueConsumptionTime', 20, 10, 5, 3, 5, true],
    ['ETA with nothing delivered → activation value, active', 'ExpectedQueueConsumptionTime', 20, 10, 0, 3, 3, true],
    ['ETA draining: (2−4)/4 + 2/4 = 0', 'ExpectedQueueConsumptionTime', 2, 2, 4, 0, 0, false],
  ] as const)('%s', (_name, mode, messages, publish, deliver, activation, value, active) => {
    expect(rabbitReading(mode, messages, publish, deliver, activation)).toEqual({ value, active });
  });

  const queues: QueueStats[] = [
    { messages: 3, messagesReady: 1, publishRate: 1.5, deliverGetRate: 1 },
    { messages: 4, messagesReady: 4, publishRate: 0.5, deliverGetRate: 2 },
  ];

  test.each([
    ['sum', { messages: 7, messagesReady: 5, publishRate: 2, deliverGetRate: 3 }],
    // counts are Go ints: 7/2 = 3, 5/2 = 2; rates are floats
    ['avg', { messages: 3, messagesReady: 2, publishRate: 1, deliverGetRate: 1.5 }],
    ['max', { messages: 4, messagesReady: 4, publishRate: 1.5, deliverGetRate: 2 }],
  ] as const)('regex queues combined by %s', (operation, expected) => {
    expect(combineQueues(queues, operation)).toEqual(expected);
  });

  test('no matching queue → zeros; excludeUnacknowledged counts ready messages only', () => {
    expect(combineQueues([], 'avg')).toEqual({ messages: 0, messagesReady: 0, publishRate: 0, deliverGetRate: 0 });
    expect([queueMessageCount(queues[0] as QueueStats, true), queueMessageCount(queues[0] as QueueStats, false)]).toEqual([1, 3]);
  });
});
