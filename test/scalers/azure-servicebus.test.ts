import { describe, expect, test } from 'vitest';
import { azureServiceBus, combineCounts, wholeNameRegex } from '../../src/scalers/azure-servicebus.js';
import { parseSbConnectionString, queryEscape, signSas } from '../../src/scalers/azure-sas.js';
import { scalerFor } from '../../src/scalers/index.js';
import { errors, parsed } from './helpers.js';

const CONN = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=c2VjcmV0S2V5VmFsdWU=';
const ENV = { SB_CONN: CONN };

function parse(metadata: Record<string, string>, podIdentity?: string) {
  return azureServiceBus.parse({ metadata, env: ENV, triggerIndex: 0, ...(podIdentity !== undefined ? { podIdentity } : {}) });
}

describe('azure-servicebus parameters (the cases of KEDA azure_servicebus_scaler_test.go)', () => {
  test.each([
    ['queue with connectionFromEnv', { queueName: 'orders', connectionFromEnv: 'SB_CONN' }, 's0-azure-servicebus-orders'],
    ['topic + subscription', { topicName: 'events', subscriptionName: 'audit', connectionFromEnv: 'SB_CONN' }, 's0-azure-servicebus-events'],
    ['queue regex', { queueName: 'orders-.*', useRegex: 'true', connectionFromEnv: 'SB_CONN' }, 's0-azure-servicebus-queue-regex'],
    ['subscription regex', { topicName: 'events', subscriptionName: 'a.*', useRegex: 'true', operation: 'max', connectionFromEnv: 'SB_CONN' }, 's0-azure-servicebus-topic-regex'],
    ['dots normalised', { queueName: 'my.queue', connectionFromEnv: 'SB_CONN' }, 's0-azure-servicebus-my-queue'],
  ])('accepted: %s → %s', (_name, metadata, metricName) => {
    expect(parsed(parse(metadata)).metricSpecs[0]?.metricName).toBe(metricName);
  });

  test('defaults: messageCount 5 → target 5000 milli, activation 0, operation sum', () => {
    const r = parsed(parse({ queueName: 'q', connectionFromEnv: 'SB_CONN' }));
    expect(r.metricSpecs[0]).toMatchObject({ targetMilli: 5000, activationMilli: 0, targetType: 'AverageValue' });
    expect(r.params.operation).toBe('sum');
  });

  test('messageCount 12, activationMessageCount 3 → 12000 / 3000 milli', () => {
    const r = parsed(parse({ queueName: 'q', messageCount: '12', activationMessageCount: '3', connectionFromEnv: 'SB_CONN' }));
    expect(r.metricSpecs[0]).toMatchObject({ targetMilli: 12_000, activationMilli: 3000 });
  });

  test('connection from a TriggerAuthentication parameter', () => {
    expect(azureServiceBus.parse({ metadata: { queueName: 'q' }, authParams: { connection: CONN }, triggerIndex: 1 }).ok).toBe(true);
  });

  test.each([
    ['no entity', { connectionFromEnv: 'SB_CONN' }, ['metadata: no service bus entity type set (set queueName, or topicName and subscriptionName)']],
    ['subscription without topic or queue', { subscriptionName: 's', connectionFromEnv: 'SB_CONN' }, ['metadata: no service bus entity type set (set queueName, or topicName and subscriptionName)']],
    ['topic and queue', { queueName: 'q', topicName: 't', connectionFromEnv: 'SB_CONN' }, ['metadata.topicName: both topic and queue name metadata provided']],
    ['subscription with queue', { queueName: 'q', subscriptionName: 's', connectionFromEnv: 'SB_CONN' }, ['metadata.subscriptionName: subscription name provided with queue name']],
    ['topic without subscription', { topicName: 't', connectionFromEnv: 'SB_CONN' }, ['metadata.subscriptionName: no subscription name provided with topic name']],
    ['bad queue regex', { queueName: 'q[', useRegex: 'true', connectionFromEnv: 'SB_CONN' }, ['metadata.queueName: queueName is not a valid regular expression']],
    ['bad subscription regex', { topicName: 't', subscriptionName: '(a', useRegex: 'true', connectionFromEnv: 'SB_CONN' }, ['metadata.subscriptionName: subscriptionName is not a valid regular expression']],
    ['bad operation', { queueName: 'q', operation: 'median', connectionFromEnv: 'SB_CONN' }, ['metadata.operation: "median" is not one of sum, max, avg']],
    ['non-integer messageCount', { queueName: 'q', messageCount: '2.5', connectionFromEnv: 'SB_CONN' }, ['metadata.messageCount: "2.5" is not an integer']],
    ['no connection', { queueName: 'q' }, ['authParams.connection: no connection setting given (set metadata.connectionFromEnv or a TriggerAuthentication parameter "connection")']],
  ])('rejected: %s', (_name, metadata, expected) => {
    const r = errors(parse(metadata)).map((line) => line.replace(/; did you mean.*$/, ''));
    expect(r).toEqual(expected);
  });

  test('a bad regex is fine without useRegex (the name is then literal)', () => {
    expect(parse({ queueName: 'q[', connectionFromEnv: 'SB_CONN' }).ok).toBe(true);
  });

  test.each([
    ['azure-workload without namespace', 'azure-workload', {}, ['metadata.namespace: namespace are required when using pod identity']],
    ['aws is refused', 'aws', {}, ["authenticationRef: azure service bus doesn't support pod identity aws"]],
  ])('pod identity: %s', (_name, podIdentity, extra, expected) => {
    expect(errors(parse({ queueName: 'q', ...extra }, podIdentity))).toEqual(expected);
  });

  test('azure-workload with namespace parses (as KEDA) but warns that tide cannot read it yet', () => {
    const r = parsed(parse({ queueName: 'q', namespace: 'ns' }, 'azure-workload'));
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['authenticationRef: azure-workload pod identity is not supported by tide yet: reads will fail; use a connection string']);
  });

  test('the connection string never appears in problems', () => {
    const r = azureServiceBus.parse({ metadata: { messageCount: 'x' }, authParams: { connection: CONN }, triggerIndex: 0 });
    expect(JSON.stringify(r)).not.toContain('c2VjcmV0S2V5VmFsdWU');
  });

  test('registered under azure-servicebus', () => {
    expect(scalerFor('azure-servicebus')?.type).toBe('azure-servicebus');
  });
});

describe('regex and operation (KEDA performOperation)', () => {
  test.each([
    ['orders-.*', 'orders-eu', true],
    ['orders-.*', 'my-orders-eu', false], // whole name only: FindString would return "orders-eu" ≠ name
    ['orders', 'orders-eu', false],
    ['a|ab', 'ab', true], // leftmost-longest in Go; JS alternation backtracks to the anchored match
    ['(?i)ORDERS', 'orders', true],
  ])('%s matches %s: %s', (source, name, expected) => {
    expect(wholeNameRegex(source)?.test(name)).toBe(expected);
  });

  test.each([
    [[3, 4, 6], 'sum', 13],
    [[3, 4, 6], 'max', 6],
    [[3, 4, 6], 'avg', 4], // 13 / 3 = 4.33 → 4 (integer division)
    [[1, 2], 'avg', 1], // 3 / 2 = 1.5 → 1
    [[], 'avg', 0],
    [[], 'max', 0],
  ] as const)('%j %s → %d', (counts, operation, expected) => {
    expect(combineCounts(counts, operation)).toBe(expected);
  });
});

describe('connection strings and SAS tokens', () => {
  test('sb:// means https; UseDevelopmentEmulator=true means plain http on the given port', () => {
    const real = parseSbConnectionString(CONN);
    expect(real).toMatchObject({ value: { host: 'ns.servicebus.windows.net', hostname: 'ns.servicebus.windows.net', insecure: false, keyName: 'Root' } });
    const emu = parseSbConnectionString('Endpoint=sb://127.0.0.1:5300;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;EntityPath=hub');
    expect(emu).toMatchObject({ value: { host: '127.0.0.1:5300', hostname: '127.0.0.1', port: 5300, insecure: true, entityPath: 'hub' } });
  });

  test.each([
    ['SharedAccessKeyName=k;SharedAccessKey=v', 'the connection string has no Endpoint'],
    ['Endpoint=sb://ns/;SharedAccessKeyName=k', 'the connection string needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature)'],
    ['Endpoint=ftp://ns/;SharedAccessKeyName=k;SharedAccessKey=v', "the connection string's Endpoint scheme ftp: is not sb://"],
  ])('bad connection string %s', (text, error) => {
    expect(parseSbConnectionString(text)).toEqual({ error });
  });

  test('token: audience is the lower-cased query-escaped URL; signature is HMAC-SHA256 with the key as UTF-8 text', () => {
    // Worked value: HMAC-SHA256(key "key", "https%3a%2f%2fns%2fq\n1700000000") computed independently with openssl:
    // printf 'https%%3a%%2f%%2fns%%2fq\n1700000000' | openssl dgst -sha256 -hmac key -binary | base64
    const token = signSas('https://NS/q', 'Root', 'key', 1_700_000_000);
    expect(token).toBe(`SharedAccessSignature sr=https%3a%2f%2fns%2fq&sig=${queryEscape(OPENSSL_SIG)}&se=1700000000&skn=Root`);
  });

  test('Go QueryEscape: space → +, reserved characters escaped', () => {
    expect(queryEscape("a b/c?d=e&f'*")).toBe('a+b%2Fc%3Fd%3De%26f%27%2A');
  });
});

const OPENSSL_SIG = 'cI2zQQZLk29x/NdZYtATXKQJhjhICrH1RxOVjoUwQe0=';
