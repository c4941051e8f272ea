import { describe, expect, test } from 'vitest';
import { azureEventHub } from '../../src/scalers/azure-eventhub.js';
import { checkpointBlob, sequenceFromBody, sequenceFromMetadata } from '../../src/scalers/azure-eventhub-checkpoint.js';
import { eventHubLag, MAX_INT64, partitionLag } from '../../src/scalers/azure-eventhub-lag.js';
import { errors, parsed } from './helpers.js';

const HUB = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=aHViLWtleQ==;EntityPath=orders';
const NO_PATH = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=aHViLWtleQ==';
const STORAGE = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c3RvcmFnZS1rZXk=;EndpointSuffix=core.windows.net';

function parse(metadata: Record<string, string>, authParams: Record<string, string> = { connection: HUB, storageConnection: STORAGE }, podIdentity?: string) {
  return azureEventHub.parse({ metadata, authParams, triggerIndex: 0, ...(podIdentity !== undefined ? { podIdentity } : {}) });
}

describe('azure-eventhub parameters (the cases of KEDA azure_eventhub_scaler_test.go)', () => {
  test('defaults: $Default, threshold 64 → 64000 milli, activation 0, stale 10000', () => {
    const r = parsed(parse({}));
    expect(r.metricSpecs[0]).toEqual({ kind: 'External', metricName: 's0-azure-eventhub-$Default', targetType: 'AverageValue', targetMilli: 64_000, activationMilli: 0 });
    expect([r.params.consumerGroup, r.params.threshold, r.params.activation, r.params.stale]).toEqual(['$Default', 64, 0, 10_000]);
  });

  test('consumerGroup names the metric; thresholds 1000/5', () => {
    const r = parsed(parse({ consumerGroup: 'cg.1', unprocessedEventThreshold: '1000', activationUnprocessedEventThreshold: '5' }));
    expect(r.metricSpecs[0]).toMatchObject({ metricName: 's0-azure-eventhub-cg-1', targetMilli: 1_000_000, activationMilli: 5000 });
  });

  test('connectionFromEnv / storageConnectionFromEnv / eventHubNameFromEnv', () => {
    const r = azureEventHub.parse({
      metadata: { connectionFromEnv: 'EH', storageConnectionFromEnv: 'ST', eventHubNameFromEnv: 'HUBNAME' },
      env: { EH: NO_PATH, ST: STORAGE, HUBNAME: 'orders' },
      triggerIndex: 3,
    });
    expect(parsed(r).params.eventHubName).toBe('orders');
  });

  test.each([
    ['no storage connection', {}, { connection: HUB }, ['authParams.storageConnection: no storage connection string given']],
    ['no event hub connection', {}, { storageConnection: STORAGE }, ['authParams.connection: no event hub connection string given']],
    ['no EntityPath and no eventHubName', {}, { connection: NO_PATH, storageConnection: STORAGE }, ['metadata.eventHubName: connection string does not contain event hub name, and parameter eventHubName not provided']],
    ['threshold 0', { unprocessedEventThreshold: '0' }, undefined, ['metadata.unprocessedEventThreshold: must be greater than 0']],
    ['threshold not a number', { unprocessedEventThreshold: 'many' }, undefined, ['metadata.unprocessedEventThreshold: "many" is not an integer']],
    ['activation not a number', { activationUnprocessedEventThreshold: '1.5' }, undefined, ['metadata.activationUnprocessedEventThreshold: "1.5" is not an integer']],
  ])('rejected: %s', (_name, metadata, authParams, expected) => {
    expect(errors(parse(metadata, authParams))).toEqual(expected);
  });

  test('no EntityPath but eventHubName → accepted', () => {
    expect(parse({ eventHubName: 'orders' }, { connection: NO_PATH, storageConnection: STORAGE }).ok).toBe(true);
  });

  test.each([
    ['azure-workload without storage', {}, ['metadata.storageAccountName: no storage connection string or storage account name for pod identity based authentication given']],
    ['azure-workload without namespace', { storageAccountName: 'acct' }, ['metadata.eventHubNamespace: no event hub namespace string given']],
    ['azure-workload without hub', { storageAccountName: 'acct', eventHubNamespace: 'ns' }, ['metadata.eventHubName: no event hub name string given']],
  ])('pod identity: %s', (_name, metadata, expected) => {
    expect(errors(parse(metadata, {}, 'azure-workload'))).toEqual(expected);
  });

  test('azure-workload complete: accepted with a "not supported by tide yet" warning; other providers refused', () => {
    const r = parsed(parse({ storageAccountName: 'acct', eventHubNamespace: 'ns', eventHubName: 'h' }, {}, 'azure-workload'));
    expect(r.warnings.map((w) => w.path)).toEqual(['authenticationRef']);
    expect(errors(parse({}, {}, 'aws'))).toEqual(['authenticationRef: event hub does not support pod identity aws']);
  });

  test('unknown checkpointStrategy warns (KEDA falls back to <container>/<consumerGroup>/<partition>)', () => {
    const r = parsed(parse({ checkpointStrategy: 'python', blobContainer: 'c' }));
    expect(r.warnings.map((w) => w.path)).toEqual(['metadata.checkpointStrategy']);
  });

  test('secrets never appear in problems', () => {
    expect(JSON.stringify(parse({ unprocessedEventThreshold: 'x' }))).not.toMatch(/aHViLWtleQ|c3RvcmFnZS1rZXk/);
  });
});

const P = (begin: bigint, last: bigint) => ({ id: '0', beginningSequenceNumber: begin, lastEnqueuedSequenceNumber: last });

describe('partition lag (KEDA calculateUnprocessedEvents / GetUnprocessedEventCountWithoutCheckpoint)', () => {
  test.each([
    ['checkpoint behind: 120 − 100', P(0n, 120n), 100n, 20n],
    ['checkpoint at last', P(0n, 120n), 120n, 0n],
    ['empty partition (last −1)', P(0n, -1n), 5n, 0n],
    ['wrap-around: (MaxInt64 − (MaxInt64 − 15)) + 10 = 25', P(0n, 10n), MAX_INT64 - 15n, 25n],
    ['stale: checkpoint 20 past last 10 → (Max − 20) + 10 > Max − 10000 → 0', P(0n, 10n), 20n, 0n],
    ['no checkpoint: 110 − 100 + 1 = 11', P(100n, 110n), undefined, 11n],
    ['no checkpoint, begin = last = 0: one event', P(0n, 0n), undefined, 1n],
    ['no checkpoint, begin = last = 7: drained', P(7n, 7n), undefined, 0n],
    ['sequence numbers past 2^53 stay exact', P(0n, 2n ** 60n + 3n), 2n ** 60n, 3n],
  ])('%s', (_name, info, checkpoint, expected) => {
    expect(partitionLag(info, checkpoint, 10_000n)).toBe(expected);
  });

  test.each([
    ['3 partitions, lags 10+20+30 = 60 under cap 3 × 64', [10n, 20n, 30n], 64n, 60n, 60n],
    ['2 partitions, 500 + 100 = 600; 600 / 64 = 9 > 2 → capped to 128', [500n, 100n], 64n, 128n, 600n],
    ['2 partitions, 150 / 64 = 2, not > 2 → 150 (integer division lets it pass the cap)', [75n, 75n], 64n, 150n, 150n],
    ['int64 overflow of the sum → MaxInt64, capped to 2 × 10', [MAX_INT64 - 5n, 20n], 10n, 20n, MAX_INT64],
  ])('%s', (_name, lags, threshold, value, total) => {
    expect(eventHubLag(lags, threshold)).toEqual({ value, total });
  });
});

describe('checkpoint layouts (KEDA azure_eventhub_checkpoint.go)', () => {
  const loc = { namespace: 'ns.servicebus.windows.net', hub: 'orders', consumerGroup: '$Default' };
  test.each([
    ['azureFunction', undefined, { container: 'azure-webjobs-eventhub', blob: 'ns.servicebus.windows.net/orders/$Default/3', layout: 'jsonPascal' }],
    [undefined, undefined, { container: 'azure-webjobs-eventhub', blob: 'ns.servicebus.windows.net/orders/$Default/3', layout: 'jsonPascal' }],
    ['azureFunction', 'ignored', { container: 'azure-webjobs-eventhub', blob: 'ns.servicebus.windows.net/orders/$Default/3', layout: 'jsonPascal' }],
    ['blobMetadata', 'azure-webjobs-eventhub', { container: 'azure-webjobs-eventhub', blob: 'ns.servicebus.windows.net/orders/$default/checkpoint/3', layout: 'metadata' }],
    ['goSdk', 'cp', { container: 'cp', blob: '3', layout: 'goSdk' }],
    ['dapr', 'cp', { container: 'cp', blob: 'dapr-orders-$Default-3', layout: 'goSdk' }],
    [undefined, 'legacy', { container: 'legacy', blob: '$Default/3', layout: 'legacy' }],
  ])('strategy %s, container %s', (strategy, blobContainer, expected) => {
    expect(checkpointBlob({ ...loc, strategy, blobContainer }, '3')).toEqual(expected);
  });

  test.each([
    ['jsonPascal', '{"Offset":"1","SequenceNumber":42,"PartitionId":"0"}', 42n],
    ['jsonPascal', '{"sequenceNumber":7}', 7n], // Go's encoding/json matches names case-insensitively
    ['jsonPascal', '{"SequenceNumber":9223372036854775800}', 9_223_372_036_854_775_800n],
    ['goSdk', '{"partitionId":"0","checkpoint":{"offset":"5","sequenceNumber":12}}', 12n],
    ['legacy', '{"partition_id":"0","sequence_number":31}', 31n],
    ['legacy', '{"SequenceNumber":5,"sequence_number":31}', 5n],
    ['jsonPascal', '{}', 0n], // absent: Go's zero value
  ] as const)('%s body %s → %d', (layout, body, expected) => {
    expect(sequenceFromBody(layout, body)).toBe(expected);
  });

  test('metadata: sequencenumber; missing or invalid → KEDA\'s errors', () => {
    expect(sequenceFromMetadata({ sequencenumber: '77', offset: '1' })).toBe(77n);
    expect(() => sequenceFromMetadata({ offset: '1' })).toThrow('sequencenumber on blob not found');
    expect(() => sequenceFromMetadata({ sequencenumber: 'x' })).toThrow('sequencenumber is not a valid int64 value');
  });
});
