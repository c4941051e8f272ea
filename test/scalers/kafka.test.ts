import { describe, expect, test } from 'vitest';
import { kafka, partitionIds } from '../../src/scalers/kafka.js';
import { errors, parsed } from './helpers.js';

const base = { bootstrapServers: 'kafka-0:9092, kafka-1:9092', consumerGroup: 'my-group' };

function parse(metadata: Record<string, string>, authParams: Record<string, string> = {}) {
  return kafka.parse({ metadata: { ...base, ...metadata }, authParams, triggerIndex: 0 });
}

describe('kafka parameters', () => {
  test('KEDA docs example: topic, lagThreshold 5, activation 3, offsetResetPolicy latest', () => {
    const r = parsed(parse({ topic: 'test-topic', lagThreshold: '5', activationLagThreshold: '3', offsetResetPolicy: 'latest' }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-kafka-test-topic', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 3000 }]);
    expect(r.params.bootstrapServers).toEqual(['kafka-0:9092', 'kafka-1:9092']);
  });

  test('defaults: threshold 10, activation 0, latest, version 1.0.0, fullMetadata true; no topic → kafka-<group>-topics', () => {
    const r = parsed(parse({}));
    expect([r.params.lagThreshold, r.params.activationLagThreshold, r.params.offsetResetPolicy, r.params.version, r.params.fullMetadata, r.params.tls]).toEqual([10, 0, 'latest', '1.0.0', true, 'disable']);
    expect(r.metricSpecs[0]?.metricName).toBe('s0-kafka-my-group-topics');
  });

  test('bootstrapServers, consumerGroup and topic may come from env', () => {
    const r = parsed(kafka.parse({ metadata: { bootstrapServersFromEnv: 'B', consumerGroupFromEnv: 'G', topicFromEnv: 'T' }, env: { B: 'b:9092', G: 'g', T: 'orders.v1' }, triggerIndex: 4 }));
    expect(r.metricSpecs[0]?.metricName).toBe('s4-kafka-orders-v1');
  });

  test.each([
    ['1,2,5-7', [1, 2, 5, 6, 7]],
    [' 0 - 2 , 9', [0, 1, 2, 9]],
    ['a', undefined],
    ['3-', undefined],
    ['0-1000000000', undefined],
  ])('partitionLimitation %s', (text, expected) => {
    expect(partitionIds(text)).toEqual(expected);
  });

  test('partitionLimitation with a topic is parsed; without a topic it is ignored with a warning', () => {
    expect(parsed(parse({ topic: 't', partitionLimitation: '1,3-4' })).params.partitionLimitation).toEqual([1, 3, 4]);
    const r = parsed(parse({ partitionLimitation: '1' }));
    expect([r.params.partitionLimitation, r.warnings.map((w) => w.path)]).toEqual([undefined, ['metadata.partitionLimitation']]);
  });

  test.each([
    ['lagThreshold 0', { lagThreshold: '0' }, 'metadata.lagThreshold: must be a positive number'],
    ['negative activation', { activationLagThreshold: '-1' }, 'metadata.activationLagThreshold: must not be negative'],
    ['bad partitionLimitation', { topic: 't', partitionLimitation: '1,x' }, 'metadata.partitionLimitation: "1,x" is not a list of partition ids and ranges (e.g. 1,2,5-7)'],
    ['limitToPartitionsWithLag + allowIdleConsumers', { topic: 't', limitToPartitionsWithLag: 'true', allowIdleConsumers: 'true' }, 'metadata.limitToPartitionsWithLag: cannot be combined with allowIdleConsumers'],
    ['limitToPartitionsWithLag + ensureEven', { topic: 't', limitToPartitionsWithLag: 'true', ensureEvenDistributionOfPartitions: 'true' }, 'metadata.ensureEvenDistributionOfPartitions: cannot be combined with limitToPartitionsWithLag'],
    ['limitToPartitionsWithLag without topic', { limitToPartitionsWithLag: 'true' }, 'metadata.limitToPartitionsWithLag: needs topic'],
    ['ensureEven without topic', { ensureEvenDistributionOfPartitions: 'true' }, 'metadata.ensureEvenDistributionOfPartitions: needs topic'],
    ['fullMetadata false without topic', { fullMetadata: 'false' }, 'metadata.fullMetadata: false needs topic'],
    ['offsetResetPolicy', { offsetResetPolicy: 'newest' }, 'metadata.offsetResetPolicy: "newest" is not one of latest, earliest'],
    ['version', { version: '2.8' }, 'metadata.version: "2.8" is not a Kafka version (e.g. 2.8.0, or 0.10.2.0 before 1.0)'],
  ])('%s', (_name, metadata, expected) => {
    expect(errors(parse(metadata))).toEqual([expected]);
  });

  test('required: bootstrapServers and consumerGroup (metadata or env)', () => {
    expect(errors(kafka.parse({ metadata: {}, triggerIndex: 0 }))).toEqual([
      'metadata.bootstrapServers: required (set metadata.bootstrapServers or metadata.bootstrapServersFromEnv)',
      'metadata.consumerGroup: required (set metadata.consumerGroup or metadata.consumerGroupFromEnv)',
    ]);
  });
});

describe('kafka SASL and TLS rules', () => {
  const secret = 'kafka-pa55word';

  test.each([
    ['plaintext needs username and password', { sasl: 'plaintext' }, {}, ['authParams.username: required with sasl plaintext (set it in the TriggerAuthentication)', 'authParams.password: required with sasl plaintext (set it in the TriggerAuthentication)']],
    ['scram_sha512 with both is fine', { sasl: 'scram_sha512' }, { username: 'u', password: secret }, []],
    ['oauthbearer (bearer) needs the token endpoint', {}, { sasl: 'oauthbearer', username: 'u', password: secret }, ['authParams.oauthTokenEndpointUri: required with sasl oauthbearer (set it in the TriggerAuthentication)']],
    ['oauthbearer extensions must be k=v', {}, { sasl: 'oauthbearer', username: 'u', password: secret, oauthTokenEndpointUri: 'https://idp', oauthExtensions: 'a=1,b' }, ['authParams.oauthExtensions: must be key=value pairs separated by commas']],
    ['aws_msk_iam needs tls enable', { sasl: 'oauthbearer', saslTokenProvider: 'aws_msk_iam', awsRegion: 'eu-west-1' }, {}, ['metadata.tls: must be enable for AWS MSK IAM authentication']],
    ['aws_msk_iam needs awsRegion', { sasl: 'oauthbearer', saslTokenProvider: 'aws_msk_iam', tls: 'enable' }, {}, ['metadata.awsRegion: required for AWS MSK IAM authentication']],
    ['gssapi needs one of password or keytab, realm and kerberosConfig', { sasl: 'gssapi' }, { username: 'u', password: secret, keytab: 'k' }, ['authParams.realm: required with sasl gssapi (set it in the TriggerAuthentication)', 'authParams.kerberosConfig: required with sasl gssapi (set it in the TriggerAuthentication)', 'authParams.keytab: exactly one of password or keytab is required with sasl gssapi']],
    ['tls cert without key', {}, { tls: 'enable', cert: 'CERT' }, ['authParams.key: cert and key must be given together']],
    ['unknown sasl', { sasl: 'kerberos' }, {}, ['metadata.sasl: "kerberos" is not one of none, plaintext, scram_sha256, scram_sha512, oauthbearer, gssapi']],
  ])('%s', (_name, metadata, authParams, expected) => {
    const r = parse(metadata, authParams);
    expect(r.ok ? [] : errors(r)).toEqual(expected);
    expect(JSON.stringify(r.ok ? r.warnings : r.problems).includes(secret)).toBe(false);
  });

  test('sasl in metadata wins over the TriggerAuthentication (lookup order metadata, authParams)', () => {
    expect(parsed(parse({ sasl: 'none' }, { sasl: 'plaintext' })).params.sasl).toBe('none');
  });

  test('offline with an authenticationRef: credentials are assumed, so SASL rules wait for the cluster', () => {
    const r = kafka.parse({ metadata: { ...base, sasl: 'plaintext' }, triggerIndex: 0, assume: { authParams: true } });
    expect(parsed(r).assumed).toContain('password');
  });
});
