import { describe, expect, test } from 'vitest';
import { consumerLag, natsJetStream, natsMonitoringURL } from '../../src/scalers/nats-jetstream.js';
import { errors, parsed } from './helpers.js';

const base = { natsServerMonitoringEndpoint: 'nats.nats.svc.cluster.local:8222', account: '$G', stream: 'mystream', consumer: 'pull_consumer' };

describe('nats-jetstream metadata (KEDA nats_jetstream_scaler_test cases)', () => {
  test('defaults: lagThreshold 10, activation 0, http; metric nats-jetstream-<stream>', () => {
    const r = parsed(natsJetStream.parse({ metadata: base, triggerIndex: 1 }));
    expect(r.metricSpecs[0]).toEqual({ kind: 'External', metricName: 's1-nats-jetstream-mystream', targetType: 'AverageValue', targetMilli: 10_000, activationMilli: 0 });
    expect(r.params.monitoringURL).toBe('http://nats.nats.svc.cluster.local:8222/jsz?acc=%24G&config=true&consumers=true');
  });

  test.each([
    ['lagThreshold and activation', { ...base, lagThreshold: '6', activationLagThreshold: '2' }, {}, 6000, 2000, 'http://'],
    ['useHttps', { ...base, useHttps: 'true' }, {}, 10_000, 0, 'https://'],
    ['endpoint and account from authParams', { stream: 's', consumer: 'c' }, { natsServerMonitoringEndpoint: 'n:8222', account: 'A' }, 10_000, 0, 'http://n:8222/jsz?acc=A&'],
    ['accountID only', { natsServerMonitoringEndpoint: 'n:8222', accountID: 'ABC123', stream: 's', consumer: 'c' }, {}, 10_000, 0, 'http://n:8222/jsz?acc=ABC123&'],
  ])('accepted: %s', (_name, metadata, authParams, targetMilli, activationMilli, urlStart) => {
    const r = parsed(natsJetStream.parse({ metadata, authParams, triggerIndex: 0 }));
    expect([r.metricSpecs[0]?.targetMilli, r.metricSpecs[0]?.activationMilli]).toEqual([targetMilli, activationMilli]);
    expect(r.params.monitoringURL.startsWith(urlStart)).toBe(true);
  });

  test.each([
    ['no endpoint', { account: '$G', stream: 's', consumer: 'c' }, ['metadata.natsServerMonitoringEndpoint: required (set metadata.natsServerMonitoringEndpoint or a TriggerAuthentication parameter "natsServerMonitoringEndpoint")']],
    ['no account or accountID', { natsServerMonitoringEndpoint: 'n', stream: 's', consumer: 'c' }, ['metadata.account: required: set account or accountID (metadata or TriggerAuthentication)']],
    ['no stream', { ...base, stream: '' }, ['metadata.stream: required (set metadata.stream)']],
    ['no consumer', { ...base, consumer: '' }, ['metadata.consumer: required (set metadata.consumer)']],
    ['lagThreshold not an integer', { ...base, lagThreshold: 'Y' }, ['metadata.lagThreshold: "Y" is not an integer']],
    ['activationLagThreshold not an integer', { ...base, activationLagThreshold: '1.5' }, ['metadata.activationLagThreshold: "1.5" is not an integer']],
    ['useHttps not a boolean', { ...base, useHttps: 'yes' }, ['metadata.useHttps: "yes" is not a boolean (use true or false)']],
  ])('rejected: %s', (_name, metadata, expected) => {
    expect(errors(natsJetStream.parse({ metadata, triggerIndex: 0 }))).toEqual(expected);
  });
});

describe('consumer lag in a /jsz answer', () => {
  const jsz = {
    account_details: [
      { id: 'ACC1', name: 'orders', stream_detail: [{ name: 'S', consumer_detail: [{ name: 'c', num_pending: 7, num_ack_pending: 3 }, { name: 'idle' }] }] },
    ],
  };
  const who = { account: 'orders', accountID: 'orders', stream: 'S', consumer: 'c' };

  test.each([
    ['by account name: 7 pending + 3 unacked = 10', who, 10],
    ['by account id', { ...who, account: undefined, accountID: 'ACC1' }, 10],
    ['absent counters count 0', { ...who, consumer: 'idle' }, 0],
  ])('%s', (_name, params, lag) => {
    expect(consumerLag(jsz, params)).toBe(lag);
  });

  test.each([
    ['account', { ...who, account: 'x', accountID: 'x' }, 'account "x" has no JetStream data on this server'],
    ['stream', { ...who, stream: 'T' }, 'stream "T" not found in account "orders"'],
    ['consumer', { ...who, consumer: 'd' }, 'consumer "d" not found on stream "S"'],
  ])('missing %s is an error naming it', (_name, params, message) => {
    expect(consumerLag(jsz, params)).toEqual(new Error(message));
  });

  test('URL query keys in Go order, account escaped', () => {
    expect(natsMonitoringURL('h:8222', 'A B', false)).toBe('http://h:8222/jsz?acc=A+B&config=true&consumers=true');
  });
});
