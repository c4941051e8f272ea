// Azure Storage connection strings: which endpoint and credential each form gives, and errors that
// never quote a value.
import { describe, expect, test } from 'vitest';
import { DEV_ACCOUNT, parseStorageConnection, resourceUrl, type StorageService } from '../../src/scalers/azure-connection.js';

const KEY = 'c2VjcmV0S2V5VmFsdWU9PQ==';
const DEV_KEY = { kind: 'key', accountName: DEV_ACCOUNT.name, accountKey: DEV_ACCOUNT.key };

describe('parseStorageConnection', () => {
  test.each<[string, string, StorageService, unknown]>([
    ['dev storage, queue → 127.0.0.1:10001', 'UseDevelopmentStorage=true', 'queue', { url: 'http://127.0.0.1:10001/devstoreaccount1', host: '127.0.0.1:10001', credential: DEV_KEY }],
    ['dev storage, blob → 127.0.0.1:10000', 'UseDevelopmentStorage=true', 'blob', { url: 'http://127.0.0.1:10000/devstoreaccount1', host: '127.0.0.1:10000', credential: DEV_KEY }],
    ['dev storage through a proxy host', 'UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite', 'queue', { url: 'http://azurite:10001/devstoreaccount1', host: 'azurite:10001', credential: DEV_KEY }],
    [
      'account key with EndpointSuffix',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn`,
      'queue',
      { url: 'https://acct.queue.core.chinacloudapi.cn', host: 'acct.queue.core.chinacloudapi.cn', credential: { kind: 'key', accountName: 'acct', accountKey: KEY } },
    ],
    [
      'no protocol or suffix: https and core.windows.net, as the SDKs default',
      `AccountName=acct;AccountKey=${KEY}`,
      'blob',
      { url: 'https://acct.blob.core.windows.net', host: 'acct.blob.core.windows.net', credential: { kind: 'key', accountName: 'acct', accountKey: KEY } },
    ],
    [
      'explicit QueueEndpoint wins over the suffix; trailing / dropped; keys are case-insensitive',
      `accountname=devstoreaccount1;ACCOUNTKEY=${KEY};EndpointSuffix=x;QueueEndpoint=http://127.0.0.1:4000/devstoreaccount1/`,
      'queue',
      { url: 'http://127.0.0.1:4000/devstoreaccount1', host: '127.0.0.1:4000', credential: { kind: 'key', accountName: 'devstoreaccount1', accountKey: KEY } },
    ],
    [
      'BlobEndpoint is ignored for the queue service',
      `AccountName=acct;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:1/acct`,
      'queue',
      { url: 'https://acct.queue.core.windows.net', host: 'acct.queue.core.windows.net', credential: { kind: 'key', accountName: 'acct', accountKey: KEY } },
    ],
    [
      'SAS with an explicit endpoint (leading ? dropped)',
      'BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=?sv=2022-11-02&sig=abc%3D',
      'blob',
      { url: 'https://acct.blob.core.windows.net', host: 'acct.blob.core.windows.net', credential: { kind: 'sas', sas: 'sv=2022-11-02&sig=abc%3D' } },
    ],
  ])('%s', (_name, connection, service, expected) => {
    expect(parseStorageConnection(connection, service)).toEqual(expected);
  });

  test.each([
    ['an env var name instead of a string', 'AzureWebJobsStorage', 'the connection is not an Azure Storage connection string (Key=Value pairs separated by ";")'],
    ['empty', '', 'the connection is not an Azure Storage connection string (Key=Value pairs separated by ";")'],
    ['a key without an account name', `AccountKey=${KEY};EndpointSuffix=core.windows.net`, 'the connection string has an AccountKey but no AccountName'],
    ['no credential', 'AccountName=acct', 'the connection string has neither AccountKey nor SharedAccessSignature'],
    ['SAS without an endpoint', 'SharedAccessSignature=sv=1&sig=abc', 'the connection string has neither QueueEndpoint nor AccountName'],
    ['an endpoint that is not a URL', `AccountName=a;AccountKey=${KEY};QueueEndpoint=not a url`, 'QueueEndpoint in the connection string is not a URL'],
    ['an endpoint with another scheme', `AccountName=a;AccountKey=${KEY};QueueEndpoint=ftp://host/a`, 'QueueEndpoint in the connection string must be an http or https URL'],
  ])('%s → %s', (_name, connection, error) => {
    const result = parseStorageConnection(connection, 'queue');
    expect(result).toEqual({ error });
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});

describe('resourceUrl', () => {
  test('the queue name is path-encoded; a SAS rides on the query', () => {
    const sas = parseStorageConnection('QueueEndpoint=http://h:1/acct;SharedAccessSignature=sv=1&sig=x', 'queue');
    if ('error' in sas) throw new Error(sas.error);
    expect(resourceUrl(sas, 'orders')).toBe('http://h:1/acct/orders?sv=1&sig=x');
    const key = parseStorageConnection(`AccountName=a;AccountKey=${KEY}`, 'blob');
    if ('error' in key) throw new Error(key.error);
    expect(resourceUrl(key, 'a b')).toBe('https://a.blob.core.windows.net/a%20b');
  });
});
