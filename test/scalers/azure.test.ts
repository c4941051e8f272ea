import { describe, expect, test } from 'vitest';
import { azureBlob } from '../../src/scalers/azure-blob.js';
import { azureQueue } from '../../src/scalers/azure-queue.js';
import { errors, failures, parsed } from './helpers.js';

const CONN = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0S2V5VmFsdWU=;EndpointSuffix=core.windows.net';

describe('azure-queue', () => {
  test('KEDA docs example: queueName, queueLength 5, activation 50, connectionFromEnv', () => {
    const r = parsed(azureQueue.parse({
      metadata: { queueName: 'orders', queueLength: '5', activationQueueLength: '50', connectionFromEnv: 'STORAGE_CONNECTIONSTRING_ENV_NAME', accountName: 'storage-account-name', cloud: 'AzureUSGovernmentCloud' },
      env: { STORAGE_CONNECTIONSTRING_ENV_NAME: CONN },
      triggerIndex: 0,
    }));
    expect(r.metricSpecs).toEqual([{ kind: 'External', metricName: 's0-azure-queue-orders', targetType: 'AverageValue', targetMilli: 5000, activationMilli: 50_000 }]);
    expect(r.params.endpointSuffix).toBe('queue.core.usgovcloudapi.net');
    // accountName is ignored with a connection string: a warning, not an error
    expect(r.warnings.map((w) => w.path)).toEqual(['metadata.accountName']);
  });

  test('defaults: queueLength 5, activation 0, strategy all, public cloud', () => {
    const r = parsed(azureQueue.parse({ metadata: { queueName: 'q' }, authParams: { connection: CONN }, triggerIndex: 2 }));
    expect([r.params.queueLength, r.params.activationQueueLength, r.params.queueLengthStrategy, r.params.endpointSuffix]).toEqual([5, 0, 'all', 'queue.core.windows.net']);
    expect(r.metricSpecs[0]?.metricName).toBe('s2-azure-queue-q');
  });

  test('queue names with dots are normalised: my.queue → s0-azure-queue-my-queue', () => {
    expect(parsed(azureQueue.parse({ metadata: { queueName: 'my.queue' }, authParams: { connection: CONN }, triggerIndex: 0 })).metricSpecs[0]?.metricName).toBe('s0-azure-queue-my-queue');
  });

  test('every validation error at once; the connection string never appears', () => {
    const r = azureQueue.parse({ metadata: { queueLength: '2.5', queueLengthStrategy: 'visible', cloud: 'Mars' }, triggerIndex: 0 });
    expect(failures(r)).toEqual([
      'metadata.queueName: required (set metadata.queueName)',
      'metadata.queueLength: "2.5" is not an integer',
      'metadata.queueLengthStrategy: "visible" is not one of all, visibleonly',
      'metadata.connection: required without pod identity (set metadata.connection, metadata.connectionFromEnv or a TriggerAuthentication parameter "connection")',
      'metadata.cloud: "Mars" is not a known Azure cloud (AzurePublicCloud, AzureUSGovernmentCloud, AzureChinaCloud or Private)',
    ]);
  });

  test('Private cloud needs endpointSuffix, then uses it verbatim', () => {
    const metadata = { queueName: 'q', cloud: 'Private' };
    expect(errors(azureQueue.parse({ metadata, authParams: { connection: CONN }, triggerIndex: 0 }))).toEqual(['metadata.endpointSuffix: required when cloud is Private']);
    const r = parsed(azureQueue.parse({ metadata: { ...metadata, endpointSuffix: 'queue.local' }, authParams: { connection: CONN }, triggerIndex: 0 }));
    expect(r.params.endpointSuffix).toBe('queue.local');
  });

  test.each([
    ['azure-workload without accountName', 'azure-workload', {}, ['metadata.accountName: required with azure-workload pod identity']],
    ['azure-workload with accountName', 'azure-workload', { accountName: 'acct' }, []],
    ['aws is not supported', 'aws', {}, ['authenticationRef: pod identity provider "aws" is not supported by azure-queue (use none or azure-workload)']],
  ])('pod identity: %s', (_name, podIdentity, extra, expected) => {
    const r = azureQueue.parse({ metadata: { queueName: 'q', ...extra }, triggerIndex: 0, podIdentity });
    expect(r.ok ? [] : errors(r)).toEqual(expected);
  });

  test('a bad value near a secret never leaks the secret', () => {
    const r = azureQueue.parse({ metadata: { queueName: 'q', queueLength: 'x' }, authParams: { connection: CONN }, triggerIndex: 0 });
    expect(JSON.stringify(r).includes('c2VjcmV0S2V5VmFsdWU')).toBe(false);
  });

  test('offline: connection may come from the TriggerAuthentication', () => {
    const r = parsed(azureQueue.parse({ metadata: { queueName: 'q' }, triggerIndex: 0, assume: { authParams: true } }));
    expect(r.assumed).toEqual(['connection']);
  });
});

describe('azure-blob', () => {
  const auth = { authParams: { connection: CONN }, triggerIndex: 0 };

  test('defaults: blobCount 5, delimiter "/", flat prefix gets the delimiter appended', () => {
    const r = parsed(azureBlob.parse({ metadata: { blobContainerName: 'in', blobPrefix: 'logs' }, ...auth }));
    expect([r.params.blobCount, r.params.blobDelimiter, r.params.blobPrefix, r.params.endpointSuffix]).toEqual([5, '/', 'logs/', 'blob.core.windows.net']);
    expect(r.metricSpecs[0]).toMatchObject({ metricName: 's0-azure-blob-in', targetMilli: 5000, activationMilli: 0 });
  });

  test('recursive drops the delimiter, so the prefix is used as is', () => {
    const r = parsed(azureBlob.parse({ metadata: { blobContainerName: 'in', blobPrefix: 'logs', recursive: 'true' }, ...auth }));
    expect([r.params.blobDelimiter, r.params.blobPrefix]).toEqual(['', 'logs']);
  });

  test('connection lookup order is authParams, then FromEnv, then metadata', () => {
    const r = parsed(azureBlob.parse({ metadata: { blobContainerName: 'c', connection: 'meta', connectionFromEnv: 'E' }, env: { E: 'env' }, triggerIndex: 0 }));
    expect(r.params.connection).toBe('env');
  });

  test.each([
    ['*.csv', true],
    ['data/{a,b}/*.json', true],
    ['[abc', false],
    ['{a,b', false],
  ])('globPattern %s valid=%s', (globPattern, valid) => {
    const r = azureBlob.parse({ metadata: { blobContainerName: 'c', globPattern }, ...auth });
    expect(r.ok).toBe(valid);
  });

  test('blobCount and activationBlobCount are integers', () => {
    expect(errors(azureBlob.parse({ metadata: { blobContainerName: 'c', blobCount: 'five', activationBlobCount: '-' }, ...auth }))).toEqual([
      'metadata.blobCount: "five" is not an integer',
      'metadata.activationBlobCount: "-" is not an integer',
    ]);
  });
});
