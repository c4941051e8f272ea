// eventHubTrigger with the official SDK against the FAKE Event Hubs AMQP server
// (test/servers/fake-eventhubs-receive.ts) and checkpoints in Azurite: metadata for cardinality one
// and many, checkpoint only after success (read back through the azure-eventhub scaler's blobMetadata
// reader, so the layout is the one KEDA reads), give-up-then-checkpoint on failure, kill → the next
// listener resumes after the last checkpoint (at-least-once), drain.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { DEV_ACCOUNT } from '../../../../src/scalers/azure-connection.js';
import { readCheckpoint } from '../../../../src/scalers/azure-eventhub-checkpoint.js';
import { CHECKPOINT_CONTAINER } from '../../../../src/functions/host/triggers/eventhub-config.js';
import { EventHubListener, eventHubTriggerSettings } from '../../../../src/functions/host/triggers/eventhub-trigger.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';
import { startFakeEventHubsReceive, type FakeEventHubsReceive } from '../../../servers/fake-eventhubs-receive.js';
import { fakeContext, FakeDispatch, Gate, sleep, triggerFunction, until } from './broker-fakes.js';

describe('eventHubTrigger on the fake Event Hubs server', () => {
  let fake: FakeEventHubsReceive;
  let azurite: Azurite;
  let container: ContainerClient;
  const listeners: EventHubListener[] = [];
  let hubCount = 0;

  beforeAll(async () => {
    [fake, azurite] = await Promise.all([startFakeEventHubsReceive(), startAzurite()]);
    container = new ContainerClient(`${azurite.blobEndpoint}/${CHECKPOINT_CONTAINER}`, new StorageSharedKeyCredential(DEV_ACCOUNT.name, DEV_ACCOUNT.key));
  });
  afterEach(async () => {
    for (const l of listeners.splice(0)) await l.stop().catch(() => undefined);
  });
  afterAll(async () => {
    await fake.close();
    await azurite.stop();
  });

  /** A fresh lower-case hub with one partition (the scaler's blobMetadata reader does not lower-case hub names). */
  function newHub(): string {
    hubCount += 1;
    const hub = `hub${hubCount}-${Math.random().toString(36).slice(2, 8)}`;
    fake.createHub(hub, 1);
    return hub;
  }

  function listener(hub: string, options: Record<string, unknown> = {}, hostJson: Record<string, unknown> = {}, retries = 0) {
    const ctx = fakeContext({ EventHubConnection: fake.connectionString(), AzureWebJobsStorage: azurite.connection }, { hostJson });
    const { fn, binding } = triggerFunction('EventHubFn', 'eventHubTrigger', { connection: 'EventHubConnection', eventHubName: hub, ...options });
    const withRetry = { ...fn, retry: { strategy: 'fixedDelay' as const, maxRetryCount: retries, delayInterval: 0 } };
    const l = new EventHubListener(eventHubTriggerSettings(withRetry, binding, ctx), ctx, { loadBalancingIntervalMs: 200, ownershipExpirationMs: 2_000 });
    listeners.push(l);
    return { l, ctx };
  }

  const checkpoint = (hub: string): Promise<bigint | undefined> =>
    readCheckpoint(() => container, { strategy: 'blobMetadata', blobContainer: CHECKPOINT_CONTAINER, namespace: '127.0.0.1', hub, consumerGroup: '$Default' }, '0', new AbortController().signal);

  it('cardinality one: events in order as text with PartitionKey, Offset, SequenceNumber, EnqueuedTimeUtc, Properties; checkpoint at sequence number 2', async () => {
    const hub = newHub();
    const [first] = fake.publish(hub, '0', [{ body: 'a', partitionKey: 'pk', properties: { color: 'red' } }, { body: '{"n":2}' }, { body: 'c' }]);
    const d = new FakeDispatch();
    await listener(hub).l.start(d.dispatch);
    await d.waitFor(3);
    expect(d.texts()).toEqual(['a', '{"n":2}', 'c']);
    const m = d.events[0]?.metadata ?? {};
    expect(m).toMatchObject({ PartitionKey: { string: 'pk' }, Offset: { json: '0' }, SequenceNumber: { json: '0' }, Properties: { json: '{"color":"red"}' } });
    expect(m['EnqueuedTimeUtc']?.json).toBe(JSON.stringify(new Date(first?.enqueuedTime ?? 0).toISOString()));
    expect(JSON.parse(m['PartitionContext']?.json ?? '{}')).toEqual({ ConsumerGroup: '$Default', EventHubName: hub, FullyQualifiedNamespace: '127.0.0.1', PartitionId: '0' });
    expect(JSON.parse(m['SystemProperties']?.json ?? '{}')).toMatchObject({ 'x-opt-sequence-number': 0, 'x-opt-offset': '0', 'x-opt-partition-key': 'pk' });
    // offsets are byte positions + 100 per event in the fake: 'a' (1 byte) → the second event at 101
    expect(d.events[1]?.metadata['Offset']).toEqual({ json: '101' });
    expect(d.events[1]?.metadata['PartitionKey']).toBeUndefined();
    await until(() => checkpoint(hub), (s) => s === 2n);
  });

  it('cardinality many with maxEventBatchSize 2: [a, b] then [c] as collectionString with *Array metadata', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: 'a', partitionKey: 'x' }, { body: 'b', properties: { p: 1 } }, { body: 'c' }]);
    const d = new FakeDispatch();
    await listener(hub, { cardinality: 'many' }, { extensions: { eventHubs: { maxEventBatchSize: 2 } } }).l.start(d.dispatch);
    await d.waitFor(2);
    expect(d.events.map((e) => e.value.collectionString?.string)).toEqual([['a', 'b'], ['c']]);
    expect(d.events[0]?.metadata).toMatchObject({
      SequenceNumberArray: { collectionSint64: { sint64: [0, 1] } },
      OffsetArray: { collectionSint64: { sint64: [0, 101] } },
      PartitionKeyArray: { json: '["x",null]' },
      PropertiesArray: { json: '[{},{"p":1}]' },
    });
    expect(JSON.parse(d.events[0]?.metadata['EnqueuedTimeUtcArray']?.json ?? '[]')).toHaveLength(2);
    await until(() => checkpoint(hub), (s) => s === 2n);
  });

  it('dataType binary: bytes (many → collectionBytes)', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: Buffer.from([0, 255]) }]);
    const d = new FakeDispatch();
    const { fn, binding } = triggerFunction('EventHubFn', 'eventHubTrigger', { connection: 'EventHubConnection', eventHubName: hub, cardinality: 'many' }, 'binary');
    const ctx = fakeContext({ EventHubConnection: fake.connectionString(), AzureWebJobsStorage: azurite.connection });
    const l = new EventHubListener(eventHubTriggerSettings(fn, binding, ctx), ctx, { loadBalancingIntervalMs: 200 });
    listeners.push(l);
    await l.start(d.dispatch);
    await d.waitFor(1);
    expect(d.events[0]?.value.collectionBytes?.bytes?.map((b) => [...b])).toEqual([[0, 255]]);
  });

  it('checkpoint only after success: none while the invocation runs, sequence number 0 once it succeeded', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: 'slow' }]);
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l } = listener(hub);
    await l.start(d.dispatch);
    await d.waitFor(1);
    await sleep(300);
    expect(l.inFlight).toBe(1);
    expect(await checkpoint(hub)).toBeUndefined();
    gate.release();
    await until(() => checkpoint(hub), (s) => s === 0n);
  });

  it('batchCheckpointFrequency 2 with batches of 1: checkpoint after e1 (2nd batch) only; drain writes the pending e2', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: 'e0' }, { body: 'e1' }, { body: 'e2' }]);
    const d = new FakeDispatch();
    const { l } = listener(hub, {}, { extensions: { eventHubs: { maxEventBatchSize: 1, batchCheckpointFrequency: 2 } } });
    await l.start(d.dispatch);
    await d.waitFor(3);
    await until(() => checkpoint(hub), (s) => s === 1n);
    await sleep(200);
    expect(await checkpoint(hub)).toBe(1n);
    await l.drain();
    expect(await checkpoint(hub)).toBe(2n);
  });

  it('an event that always fails: 1 + maxRetryCount 1 = 2 attempts, an error logged, then checkpointed past it; the next event runs', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: 'bad' }, { body: 'good' }]);
    const d = new FakeDispatch((e) => (e.value.string === 'bad' ? 'failure' : 'success'));
    const { l, ctx } = listener(hub, {}, {}, 1);
    await l.start(d.dispatch);
    await d.waitFor(3);
    expect(d.texts()).toEqual(['bad', 'bad', 'good']);
    expect(d.events.map((e) => e.retryContext?.retryCount ?? 0)).toEqual([0, 1, 0]);
    await until(() => checkpoint(hub), (s) => s === 1n);
    expect(ctx.logs.filter((x) => x.level === 'error').map((x) => x.message)).toEqual([expect.stringContaining('giving up on partition 0 sequence numbers 0–0 after 2 attempts') as unknown]);
  });

  it('kill during an invocation: nothing more is checkpointed; a new listener resumes after the checkpoint (no loss, the running event again)', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: 'e0' }, { body: 'e1' }]);
    const gate = new Gate();
    const first = new FakeDispatch((e) => (e.value.string === 'e2' ? gate.promise : 'success'));
    const { l: victim } = listener(hub);
    await victim.start(first.dispatch);
    await first.waitFor(2);
    await until(() => checkpoint(hub), (s) => s === 1n);
    fake.publish(hub, '0', [{ body: 'e2' }, { body: 'e3' }]);
    await first.waitFor(3);
    await victim.abort();
    gate.release();
    await sleep(200);
    expect(await checkpoint(hub)).toBe(1n);
    const second = new FakeDispatch();
    await listener(hub).l.start(second.dispatch);
    await second.waitFor(2);
    expect(second.texts()).toEqual(['e2', 'e3']);
    await until(() => checkpoint(hub), (s) => s === 3n);
    // e0 e1 once, e2 twice (at-least-once), e3 once: nothing lost.
    expect([...first.texts(), ...second.texts()].sort()).toEqual(['e0', 'e1', 'e2', 'e2', 'e3']);
  });

  it('drain: the running event finishes and is checkpointed, then the receiver link closes and later events wait', async () => {
    const hub = newHub();
    fake.publish(hub, '0', [{ body: 'running' }]);
    const gate = new Gate();
    const d = new FakeDispatch(() => gate.promise);
    const { l } = listener(hub);
    await l.start(d.dispatch);
    await d.waitFor(1);
    let drained = false;
    const draining = l.drain().then(() => {
      drained = true;
    });
    await sleep(200);
    expect(drained).toBe(false);
    gate.release();
    await draining;
    expect(l.inFlight).toBe(0);
    expect(await checkpoint(hub)).toBe(0n);
    fake.publish(hub, '0', [{ body: 'later' }]);
    await sleep(300);
    expect(d.texts()).toEqual(['running']);
    expect(fake.log.filter((x) => x.startsWith(`detach ${hub}/`))).toHaveLength(1);
  });
});
