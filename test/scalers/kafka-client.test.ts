import { describe, expect, test } from 'vitest';
import { kafka } from '../../src/scalers/kafka.js';
import { kafkaClientConfig, type KafkaParams } from '../../src/scalers/kafka-client.js';
import { parsed } from './helpers.js';

function params(metadata: Record<string, string>, authParams: Record<string, string> = {}): KafkaParams {
  return parsed(kafka.parse({ metadata: { bootstrapServers: 'b1:9092,b2:9092', consumerGroup: 'g', topic: 't', ...metadata }, authParams, triggerIndex: 0 })).params;
}

describe('kafka client configuration from KEDA parameters', () => {
  test('defaults: plaintext, no SASL, the trigger deadline, no client retries', () => {
    const config = kafkaClientConfig(params({}), 3000);
    expect([config.brokers, config.ssl, config.sasl, config.connectionTimeout, config.requestTimeout, config.retry]).toEqual([['b1:9092', 'b2:9092'], undefined, undefined, 3000, 3000, { retries: 0 }]);
  });

  test.each([
    ['plaintext', 'plain'],
    ['scram_sha256', 'scram-sha-256'],
    ['scram_sha512', 'scram-sha-512'],
  ])('sasl %s → kafkajs mechanism %s with username and password', (sasl, mechanism) => {
    const config = kafkaClientConfig(params({ sasl }, { username: 'user', password: 'pw' }), 3000);
    expect(config.sasl).toEqual({ mechanism, username: 'user', password: 'pw' });
  });

  test('tls enable: ca, cert, key and keyPassword; unsafeSsl turns verification off', () => {
    const config = kafkaClientConfig(params({ unsafeSsl: 'true' }, { tls: 'enable', ca: 'CA', cert: 'CERT', key: 'KEY', keyPassword: 'kp' }), 3000);
    expect(config.ssl).toEqual({ rejectUnauthorized: false, ca: ['CA'], cert: 'CERT', key: 'KEY', passphrase: 'kp' });
    expect(kafkaClientConfig(params({}, { tls: 'enable' }), 3000).ssl).toEqual({ rejectUnauthorized: true });
  });

  test.each(['gssapi', 'oauthbearer'])('sasl %s is refused at connect with a clear message', (sasl) => {
    const auth = sasl === 'gssapi' ? { username: 'u', password: 'p', realm: 'R', kerberosConfig: 'K' } : { username: 'u', password: 'p', oauthTokenEndpointUri: 'https://t' };
    expect(() => kafkaClientConfig(params({ sasl }, auth), 3000)).toThrow(`sasl ${sasl} is not supported by tide yet (supported: plaintext, scram_sha256, scram_sha512)`);
  });
});
