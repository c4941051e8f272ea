// azure-blob against a real Azurite (in process, free ports), read through ScalerInstance as the
// scale loop reads it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ContainerClient } from '@azure/storage-blob';
import { azureBlob, countBlobs, openContainer } from '../../src/scalers/azure-blob.js';
import { DEV_ACCOUNT } from '../../src/scalers/azure-connection.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { withDefaultPortAzurite } from '../helpers/default-ports.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';
import { parsed } from './helpers.js';

let azurite: Azurite;
let container: string;
let emptyContainer: string;
const messages: string[] = [];

// Eight blobs: two at the top, two directly under logs/, two under logs/2024/, one under other/, and
// logsheet.txt, which starts with "logs" but is not in the logs/ folder.
const LAYOUT = ['a.txt', 'b.csv', 'logs/1.txt', 'logs/2.csv', 'logs/2024/3.txt', 'logs/2024/4.txt', 'other/5.txt', 'logsheet.txt', 'x-1', 'x-2', 'x-y-3'];

beforeAll(async () => {
  azurite = await startAzurite();
  container = `c${process.pid}`;
  emptyContainer = `e${process.pid}`;
  const client = new ContainerClient(azurite.connection, container);
  await client.create();
  await new ContainerClient(azurite.connection, emptyContainer).create();
  await Promise.all(LAYOUT.map((name) => client.getBlockBlobClient(name).upload('x', 1)));
});

afterAll(async () => {
  await azurite.stop();
});

function instance(metadata: Record<string, string>, connection: string, timeoutMs = 3000): ScalerInstance {
  const result = parsed(azureBlob.parse({ metadata, authParams: { connection }, triggerIndex: 0 }));
  return new ScalerInstance(azureBlob, result, { trigger: { index: 0, type: 'azure-blob' }, metadata, timeoutMs });
}

async function read(metadata: Record<string, string>): Promise<{ value: number; active: boolean }> {
  const scaler = instance({ blobContainerName: container, ...metadata }, azurite.connection);
  try {
    const reading = await scaler.getMetricsAndActivity(Date.now());
    return { value: reading.valueMilli / 1000, active: reading.active };
  } finally {
    await scaler.close();
  }
}

async function failure(scaler: ScalerInstance): Promise<ScalerError> {
  try {
    await scaler.getMetricsAndActivity(Date.now());
  } catch (error) {
    if (!(error instanceof ScalerError)) throw error;
    messages.push(error.message);
    return error;
  } finally {
    await scaler.close();
  }
  throw new Error('expected the read to fail');
}

describe('azure-blob counts (Azurite)', () => {
  test.each([
    ['default "/" delimiter, no prefix: top-level blobs a.txt, b.csv, logsheet.txt, x-1, x-2, x-y-3 (folders not counted)', {}, 6],
    ['blobPrefix logs → "logs/": 1.txt, 2.csv (the 2024/ folder not counted)', { blobPrefix: 'logs' }, 2],
    ['blobPrefix logs/2024 → "logs/2024/": 3.txt, 4.txt', { blobPrefix: 'logs/2024' }, 2],
    ['blobPrefix nothing → "nothing/": 0', { blobPrefix: 'nothing' }, 0],
    ['blobDelimiter "-", prefix x → "x-": x-1, x-2 (x-y- is a folder)', { blobDelimiter: '-', blobPrefix: 'x' }, 2],
    ['recursive: all 11 blobs', { recursive: 'true' }, 11],
    ['recursive, prefix logs (no delimiter appended): 4 under logs/ + logsheet.txt = 5', { recursive: 'true', blobPrefix: 'logs' }, 5],
    ['globPattern *.txt (flat, "*" crosses "/"): a, 1, 3, 4, 5, logsheet = 6', { globPattern: '*.txt' }, 6],
    ['globPattern *.txt under "logs/": 1.txt, 2024/3.txt, 2024/4.txt = 3', { globPattern: '*.txt', blobPrefix: 'logs' }, 3],
    ['globPattern 2024/* under "logs/" matches the part after the prefix: 3.txt, 4.txt = 2', { globPattern: '2024/*', blobPrefix: 'logs' }, 2],
    ['globPattern {a,b}.*: a.txt, b.csv = 2', { globPattern: '{a,b}.*' }, 2],
    ['globPattern logs/[12].*: logs/1.txt, logs/2.csv = 2', { globPattern: 'logs/[12].*' }, 2],
    ['globPattern no match: 0', { globPattern: '*.parquet' }, 0],
  ])('%s', async (_name, metadata, expected) => {
    expect((await read(metadata)).value).toBe(expected);
  });

  test.each([
    ['6 top-level blobs, activation 0: active', {}, { value: 6, active: true }],
    ['6 top-level blobs, activationBlobCount 6: inactive (6 > 6 is false)', { activationBlobCount: '6' }, { value: 6, active: false }],
    ['6 top-level blobs, activationBlobCount 5: active', { activationBlobCount: '5' }, { value: 6, active: true }],
  ])('%s', async (_name, metadata, expected) => {
    expect(await read(metadata)).toEqual(expected);
  });

  test('an empty container: 0, inactive', async () => {
    const scaler = instance({ blobContainerName: emptyContainer }, azurite.connection);
    try {
      expect(await scaler.getMetricsAndActivity(Date.now())).toMatchObject({ valueMilli: 0, active: false });
    } finally {
      await scaler.close();
    }
  });

  test.each([
    ['recursive: 11 blobs over 6 pages of 2', { blobDelimiter: '', blobPrefix: undefined, globPattern: undefined }, 11],
    ['"/" delimiter: 6 blobs, pages shared with the 2 folder prefixes', { blobDelimiter: '/', blobPrefix: undefined, globPattern: undefined }, 6],
    ['glob *.txt: 6 matches over 6 pages', { blobDelimiter: '/', blobPrefix: undefined, globPattern: '*.txt' }, 6],
  ])('every page is counted (page size 2): %s', async (_name, listing, expected) => {
    const connection = await openContainer({ blobContainerName: container, connection: azurite.connection, accountName: undefined, endpointSuffix: 'unused' }, { signal: AbortSignal.timeout(3000) });
    expect(await countBlobs(connection, listing, AbortSignal.timeout(3000), 2)).toBe(expected);
  });

  test('UseDevelopmentStorage=true reads Azurite on its default ports 10000/10001 (skipped when they are taken)', async (ctx) => {
    return withDefaultPortAzurite(ctx, async (local) => {
      const client = new ContainerClient(local.connection, `dev${process.pid}`);
      await client.create();
      await Promise.all(['1', '2', '3'].map((name) => client.getBlockBlobClient(name).upload('x', 1)));
      const scaler = instance({ blobContainerName: client.containerName }, 'UseDevelopmentStorage=true');
      try {
        expect(await scaler.getMetricsAndActivity(Date.now())).toMatchObject({ valueMilli: 3000, active: true });
      } finally {
        await scaler.close();
      }
    });
  }, 180_000);
});

describe('azure-blob failures', () => {
  test('a missing container is a read error naming it', async () => {
    const error = await failure(instance({ blobContainerName: 'no-such-container' }, azurite.connection));
    expect([error.kind, error.message]).toEqual(['read', `trigger 0 (azure-blob): container "no-such-container" does not exist at 127.0.0.1:${azurite.blobPort} (404 ContainerNotFound)`]);
  });

  test('a missing container with a globPattern is the same error', async () => {
    const error = await failure(instance({ blobContainerName: 'no-such-container', globPattern: '*' }, azurite.connection));
    expect(error.message).toContain('container "no-such-container" does not exist');
  });

  test('a wrong account key is a credentials error', async () => {
    const wrong = azurite.connection.replace(DEV_ACCOUNT.key, Buffer.from('not the key').toString('base64'));
    const error = await failure(instance({ blobContainerName: container }, wrong));
    expect(error.message).toMatch(new RegExp(`^trigger 0 \\(azure-blob\\): 127\\.0\\.0\\.1:${azurite.blobPort} rejected the credentials for container "${container}" \\(403 \\w+\\)`));
  });

  test('a refused port fails the connect: unreachable within the timeout', async () => {
    const connection = azurite.connection.replace(`:${azurite.blobPort}/`, ':1/');
    const started = Date.now();
    const error = await failure(instance({ blobContainerName: 'in' }, connection, 500));
    expect([error.kind, error.message]).toEqual(['unreachable', 'trigger 0 (azure-blob): cannot reach 127.0.0.1:1 for container "in" (ECONNREFUSED)']);
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('no message above carries the account key', () => {
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const message of messages) {
      expect(message).not.toContain(DEV_ACCOUNT.key.slice(0, 12));
      expect(message).not.toContain('AccountKey=');
    }
  });
});
