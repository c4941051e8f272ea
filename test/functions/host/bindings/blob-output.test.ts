// `blob` output binding against a real Azurite: bytes and text written to container/name, the
// container created when missing, and `{…}` tokens (system tokens, trigger metadata).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobBody, blobDateTime, blobOutput, createBlobOutput, resolveBlobPath, splitBlobPath } from '../../../../src/functions/host/bindings/blob-output.js';
import { BindingConfigError, type HostContext } from '../../../../src/functions/host/contract.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';

let azurite: Azurite;
let counter = 0;
const NOW = Date.parse('2024-05-01T10:20:30.456Z');

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

function context(settings: Record<string, string> = {}): HostContext {
  const quiet = (): void => undefined;
  return {
    settings: { AzureWebJobsStorage: azurite.connection, ...settings },
    hostJson: {},
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    now: () => NOW,
    instanceId: 'test',
  };
}

function binding(options: Record<string, unknown>): { name: string; type: string; direction: 'out'; options: Record<string, unknown> } {
  return { name: 'out', type: 'blob', direction: 'out', options };
}

async function read(container: string, blob: string): Promise<string> {
  const client = BlobServiceClient.fromConnectionString(azurite.connection).getContainerClient(container).getBlobClient(blob);
  return (await client.downloadToBuffer()).toString('utf8');
}

describe('pure parts', () => {
  test.each([
    [{ string: 'text' }, 'text'],
    [{ json: '{"a":1}' }, '{"a":1}'],
    [{ bytes: new Uint8Array([104, 105]) }, 'hi'],
    [{ int: 42 }, '42'],
    [{ collectionString: { string: ['a', 'b'] } }, '["a","b"]'],
  ])('blobBody(%j) → %s', (value, text) => {
    expect(Buffer.from(blobBody(value) ?? new Uint8Array()).toString('utf8')).toBe(text);
  });

  test('an empty value writes nothing', () => {
    expect(blobBody({})).toBeUndefined();
  });

  test('{DateTime} is UTC yyyy-MM-ddTHH-mm-ssZ', () => {
    expect(blobDateTime(NOW)).toBe('2024-05-01T10-20-30Z');
  });

  test.each([
    ['out/{queueTrigger}.txt', 'out/order-7.txt'], // metadata names match case-insensitively
    ['out/{Id}-{DequeueCount}', 'out/m1-2'], // JSON metadata values are unwrapped
    ['out/{rand-guid}', 'out/guid-1'],
    ['out/{DateTime}.log', 'out/2024-05-01T10-20-30Z.log'],
    ['out/fixed', 'out/fixed'],
  ])('resolveBlobPath(%s) → %s', (template, path) => {
    const metadata = { QueueTrigger: { string: 'order-7' }, Id: { string: 'm1' }, DequeueCount: { json: '2' } };
    expect(resolveBlobPath(template, metadata, NOW, () => 'guid-1')).toBe(path);
  });

  test('a token with no trigger value fails the write, naming it', () => {
    expect(() => resolveBlobPath('out/{name}', {}, NOW, () => 'g')).toThrow('{name}');
  });

  test.each([
    ['samples', 'must be "container/blob-name"'],
    ['Samples/x', 'container "Samples"'],
    ['a/x', 'container "a"'],
  ])('splitBlobPath(%s) → BindingConfigError: %s', (path, message) => {
    expect(() => splitBlobPath(path, 'binding "out"')).toThrow(BindingConfigError);
    expect(() => splitBlobPath(path, 'binding "out"')).toThrow(message);
  });
});

test('writes text to container/name, creating the container; a nested name keeps its slashes', async () => {
  const container = `bo-${process.pid}-${++counter}`;
  const output = blobOutput.create(binding({ path: `${container}/dir/result.json` }), context());
  await output.write({ json: '{"ok":true}' });
  expect(await read(container, 'dir/result.json')).toBe('{"ok":true}');
  await output.write({ bytes: new Uint8Array(Buffer.from('second')) }); // overwrites, container exists now
  expect(await read(container, 'dir/result.json')).toBe('second');
});

test('%NAME% in the path, a named connection and {queueTrigger} from the metadata the dispatcher passes', async () => {
  const container = `bo-${process.pid}-${++counter}`;
  const output = createBlobOutput(binding({ path: '%OUT_CONTAINER%/{queueTrigger}.txt', connection: 'Other' }), context({ OUT_CONTAINER: container, Other: azurite.connection }));
  await output.write({ string: 'body' }, { QueueTrigger: { string: 'item-1' } });
  expect(await read(container, 'item-1.txt')).toBe('body');
});

test('a missing connection setting is a BindingConfigError naming it', () => {
  expect(() => blobOutput.create(binding({ path: 'c1x/name', connection: 'BlobConn' }), context())).toThrow('connection setting "BlobConn" is not set');
  expect(() => blobOutput.create(binding({}), context())).toThrow('"path" is required');
});
