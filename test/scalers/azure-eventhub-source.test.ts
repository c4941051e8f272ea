// azure-eventhub against a FAKE Event Hubs namespace (test/servers/fake-eventhubs.ts, AMQP 1.0 via rhea;
// no Event Hubs server exists here) and a real Azurite blob service for the checkpoints, started in
// this process on a free port.
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scalerFor } from '../../src/scalers/index.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { startFakeEventHubs, type FakeEventHubs } from '../servers/fake-eventhubs.js';

// Azurite's well-known development account (public, documented by Microsoft).
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface BlobServer { start(): Promise<void>; close(): Promise<void>; afterClose(): Promise<void>; getHttpServerAddress(): string }
type Ctor<T> = new (...args: unknown[]) => T;

async function startBlobServer(): Promise<{ server: BlobServer; connection: string }> {
  const require = createRequire(import.meta.url);
  const Server = (require('azurite/dist/src/blob/BlobServer') as { default: Ctor<BlobServer> }).default;
  const Configuration = (require('azurite/dist/src/blob/BlobConfiguration') as { default: Ctor<unknown> }).default;
  // host, port, keepAlive, metadataDB, extentDB, persistence, accessLog, logStream, debugLog, debugPath,
  // loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, isMemoryPersistence
  const config = new Configuration('127.0.0.1', 0, undefined, undefined, undefined, undefined, false, undefined, false, undefined, false, true, '', '', '', undefined, false, true);
  const server = new Server(config);
  await server.start();
  const port = new URL(server.getHttpServerAddress()).port;
  return { server, connection: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;` };
}

let fake: FakeEventHubs;
let blob: { server: BlobServer; connection: string };
let blobs: BlobServiceClient;

beforeAll(async () => {
  [fake, blob] = await Promise.all([startFakeEventHubs(), startBlobServer()]);
  blobs = BlobServiceClient.fromConnectionString(blob.connection);
});
afterAll(async () => {
  await fake.close();
  await blob.server.close();
  await blob.server.afterClose();
});

let hubCounter = 0;
/** A fresh hub name per test, so checkpoints never collide. */
function newHub(partitions: Record<string, [begin: bigint, last: bigint]>): string {
  const name = `hub${++hubCounter}-${process.pid}`;
  fake.hubs.set(name, new Map(Object.entries(partitions).map(([id, [begin, last]]) => [id, { begin, last }])));
  return name;
}

async function putBlob(container: string, name: string, body: string, metadata: Record<string, string> = {}): Promise<void> {
  const c = blobs.getContainerClient(container);
  await c.createIfNotExists();
  await c.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), { metadata });
}

function open(metadata: Record<string, string>, connection: string): ScalerInstance {
  const scaler = scalerFor('azure-eventhub');
  if (!scaler) throw new Error('azure-eventhub is not registered');
  const parsed = scaler.parse({ metadata, authParams: { connection, storageConnection: blob.connection }, triggerIndex: 0 });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return new ScalerInstance(scaler, parsed, { trigger: { index: 0, type: 'azure-eventhub' }, metadata, timeoutMs: 3000 });
}

async function read(metadata: Record<string, string>, connection: string) {
  const instance = open(metadata, connection);
  try {
    return await instance.getMetricsAndActivity(Date.now());
  } finally {
    await instance.close();
  }
}

describe('azure-eventhub against a fake Event Hubs namespace and Azurite checkpoints', () => {
  test('azureFunction layout: partitions 0 (last 120, checkpoint 100) and 1 (last 50, checkpoint 45) → 20 + 5 = 25', async () => {
    const hub = newHub({ '0': [0n, 120n], '1': [0n, 50n] });
    const ns = `127.0.0.1:${fake.port}`;
    await putBlob('azure-webjobs-eventhub', `${ns}/${hub}/$Default/0`, '{"Offset":"0","SequenceNumber":100,"PartitionId":"0"}');
    await putBlob('azure-webjobs-eventhub', `${ns}/${hub}/$Default/1`, '{"Offset":"0","SequenceNumber":45,"PartitionId":"1"}');
    expect(await read({}, fake.connectionString(hub))).toEqual({ metricName: 's0-azure-eventhub-$Default', valueMilli: 25_000, active: true });
    expect(fake.log.slice(-4)).toEqual([`put-token amqp://127.0.0.1:${fake.port}/${hub}`, 'READ com.microsoft:eventhub', 'READ com.microsoft:partition 0', 'READ com.microsoft:partition 1']);
  });

  test('blobMetadata layout (Functions extension v5 / SDK checkpoint store), eventHubName instead of EntityPath: 300 − 280 = 20', async () => {
    const hub = newHub({ '0': [0n, 300n] });
    await putBlob('azure-webjobs-eventhub', `127.0.0.1:${fake.port}/${hub}/$default/checkpoint/0`, '', { sequencenumber: '280', offset: '9' });
    const r = await read({ checkpointStrategy: 'blobMetadata', blobContainer: 'azure-webjobs-eventhub', eventHubName: hub }, fake.connectionString());
    expect(r).toMatchObject({ valueMilli: 20_000, active: true });
  });

  test('goSdk layout: 90 − 60 = 30', async () => {
    const hub = newHub({ '0': [0n, 90n] });
    await putBlob(`gosdk${hubCounter}`, '0', '{"partitionId":"0","checkpoint":{"offset":"1","sequenceNumber":60}}');
    expect(await read({ checkpointStrategy: 'goSdk', blobContainer: `gosdk${hubCounter}` }, fake.connectionString(hub))).toMatchObject({ valueMilli: 30_000 });
  });

  test('no checkpoint blob: last − begin + 1 per partition (10..19 → 10, 0..4 → 5) = 15, capped at 2 × 4 = 8, active on 15 > 9', async () => {
    const hub = newHub({ '0': [10n, 19n], '1': [0n, 4n] });
    expect(await read({ unprocessedEventThreshold: '4', activationUnprocessedEventThreshold: '9' }, fake.connectionString(hub))).toEqual({ metricName: 's0-azure-eventhub-$Default', valueMilli: 8000, active: true });
  });

  test('empty partitions and a caught-up consumer → 0, inactive', async () => {
    const hub = newHub({ '0': [0n, -1n], '1': [0n, 33n] });
    await putBlob('azure-webjobs-eventhub', `127.0.0.1:${fake.port}/${hub}/$Default/1`, '{"SequenceNumber":33}');
    expect(await read({}, fake.connectionString(hub))).toMatchObject({ valueMilli: 0, active: false });
  });

  test('a hub that does not exist → ScalerError naming the hub', async () => {
    const e = await read({}, fake.connectionString('ghost')).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ScalerError);
    expect((e as Error).message).toMatch(/^trigger 0 \(azure-eventhub\): event hub ghost: the management node answered 404/);
  });

  test('a wrong key → the fake refuses the token on $cbs; the key is not in the message', async () => {
    const hub = newHub({ '0': [0n, 1n] });
    const e = await read({}, fake.connectionString(hub, 'd3Jvbmcta2V5')).then(() => undefined, (err: unknown) => err);
    expect((e as Error).message).toMatch(/refused the SAS token \(401 InvalidSignature/);
    expect((e as Error).message).not.toContain('d3Jvbmcta2V5');
  });

  test('unreachable namespace → ScalerError, no secret', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => { resolve(); }));
    const e = await read({}, `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=k;SharedAccessKey=${fake.key};UseDevelopmentEmulator=true;EntityPath=h`).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ScalerError);
    expect((e as ScalerError).message).toMatch(new RegExp(`^trigger 0 \\(azure-eventhub\\): cannot reach the Event Hubs namespace 127\\.0\\.0\\.1:${port}`));
    expect((e as ScalerError).message).not.toContain(fake.key);
  });

  test('one AMQP connection serves many polls; a new checkpoint lowers the lag 12 → 2', async () => {
    const hub = newHub({ '0': [0n, 12n] });
    const blobName = `127.0.0.1:${fake.port}/${hub}/$Default/0`;
    await putBlob('azure-webjobs-eventhub', blobName, '{"SequenceNumber":0}');
    const instance = open({}, fake.connectionString(hub));
    expect((await instance.getMetricsAndActivity(Date.now())).valueMilli).toBe(12_000);
    await putBlob('azure-webjobs-eventhub', blobName, '{"SequenceNumber":10}');
    expect((await instance.getMetricsAndActivity(Date.now())).valueMilli).toBe(2000);
    await instance.close();
  });
});
