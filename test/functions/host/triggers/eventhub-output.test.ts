// eventHub output binding with the official SDK against the FAKE Event Hubs AMQP server: string,
// JSON array (one event per element) and collections arrive as events; a missing connection setting
// or hub name is a clear BindingConfigError. (Kept under triggers/ because the test file list of this
// work item is test/functions/host/triggers/eventhub*.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BindingDefinition } from '../../../../src/app/function-model.js';
import { eventHubBodies, eventHubOutput } from '../../../../src/functions/host/bindings/eventhub-output.js';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { startFakeEventHubsReceive, type FakeEventHubsReceive } from '../../../servers/fake-eventhubs-receive.js';
import { fakeContext } from './broker-fakes.js';

const output = (options: Record<string, unknown>): BindingDefinition => ({ name: 'out', type: 'eventHub', direction: 'out', options });

describe('eventHubBodies', () => {
  it.each([
    ['a string is one event', { string: 'hi' }, ['hi']],
    ['a JSON array is one event per element, strings as text', { json: '["a",{"n":1},2]' }, ['a', '{"n":1}', '2']],
    ['a JSON object is one event of its text', { json: '{"n":1}' }, ['{"n":1}']],
    ['collectionString: one per element', { collectionString: { string: ['x', 'y'] } }, ['x', 'y']],
  ])('%s', (_name, value, expected) => {
    expect(eventHubBodies(value).map((b) => b.toString('utf8'))).toEqual(expected);
  });
});

describe('eventHub output on the fake Event Hubs server', () => {
  let fake: FakeEventHubsReceive;
  beforeAll(async () => {
    fake = await startFakeEventHubsReceive();
  });
  afterAll(async () => {
    await fake.close();
  });

  const bodies = (hub: string): string[] => [...(fake.hubs.get(hub)?.values() ?? [])].flat().map((e) => e.body.toString('utf8')).sort();

  it('writes a string and a 3-element JSON array: 4 events in 2 sends, each send landing whole in one of the 2 partitions', async () => {
    fake.createHub('outhub', 2);
    const ctx = fakeContext({ EventHubConnection: fake.connectionString() });
    const out = eventHubOutput.create(output({ connection: 'EventHubConnection', eventHubName: 'outhub' }), ctx);
    await out.write({ string: 'one' });
    await out.write({ json: '["a","b",{"c":3}]' });
    await out.close?.();
    expect(bodies('outhub')).toEqual(['a', 'b', 'one', '{"c":3}']);
    expect(fake.log.filter((l) => l.startsWith('send outhub'))).toEqual(['send outhub 1', 'send outhub 3']);
    const sizes = [...(fake.hubs.get('outhub')?.values() ?? [])].map((events) => events.length).sort();
    expect(sizes).toEqual([1, 3]);
  });

  it('uses the EntityPath of the connection string when eventHubName is absent', async () => {
    fake.createHub('pathhub', 1);
    const ctx = fakeContext({ EventHubConnection: fake.connectionString('pathhub') });
    const out = eventHubOutput.create(output({ connection: 'EventHubConnection' }), ctx);
    await out.write({ collectionString: { string: ['p', 'q'] } });
    await out.close?.();
    expect(bodies('pathhub')).toEqual(['p', 'q']);
  });

  it.each([
    ['no connection setting', { connection: 'Missing', eventHubName: 'h' }, /connection setting "Missing" is not set/],
    ['no hub name anywhere', { connection: 'EventHubConnection' }, /"eventHubName" is required/],
  ])('%s → BindingConfigError', (_name, options, message) => {
    const ctx = fakeContext({ EventHubConnection: fake.connectionString() });
    expect(() => eventHubOutput.create(output(options), ctx)).toThrow(BindingConfigError);
    expect(() => eventHubOutput.create(output(options), ctx)).toThrow(message);
  });
});
