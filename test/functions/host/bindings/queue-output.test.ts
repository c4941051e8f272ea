// `queue` output binding against a real Azurite: encoding as the Storage extension's clients do
// (base64 unless messageEncoding none), queue created on first write, arrays fan out to messages.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import { queueMessageBodies, queueOutput } from '../../../../src/functions/host/bindings/queue-output.js';
import { BindingConfigError, type HostContext } from '../../../../src/functions/host/contract.js';
import { startAzurite, type Azurite } from '../../../servers/azurite.js';

let azurite: Azurite;
let counter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

function context(queues: Record<string, unknown> = {}, settings: Record<string, string> = {}): HostContext {
  const quiet = (): void => undefined;
  return {
    settings: { AzureWebJobsStorage: azurite.connection, ...settings },
    hostJson: { extensions: { queues } },
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    now: () => Date.now(),
    instanceId: 'test',
  };
}

function binding(options: Record<string, unknown>): { name: string; type: string; direction: 'out'; options: Record<string, unknown> } {
  return { name: 'out', type: 'queue', direction: 'out', options };
}

async function stored(name: string): Promise<string[]> {
  const peeked = await new QueueClient(azurite.connection, name).peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => m.messageText);
}

describe('queueMessageBodies: one output value → message bodies', () => {
  test.each([
    [{ string: 'hi' }, ['hi']],
    [{ json: '{"a":1}' }, ['{"a":1}']],
    [{ json: '["a",{"b":2},3]' }, ['a', '{"b":2}', '3']], // an array writes one message per element
    [{ int: 7 }, ['7']],
    [{ double: 1.5 }, ['1.5']],
    [{ collectionString: { string: ['x', 'y'] } }, ['x', 'y']],
    [{ collectionSint64: { sint64: [1, 2] } }, ['1', '2']],
    [{}, []],
  ])('%j → %j', (value, bodies) => {
    expect(queueMessageBodies(value)).toEqual(bodies);
  });
});

test('writes base64 by default, creating the queue when it is missing', async () => {
  const name = `qo-${process.pid}-${++counter}`;
  const output = queueOutput.create(binding({ queueName: name }), context());
  await output.write({ string: 'héllo' });
  await output.write({ json: '{"n":1}' });
  expect(await stored(name)).toEqual([Buffer.from('héllo').toString('base64'), Buffer.from('{"n":1}').toString('base64')]);
});

test('messageEncoding none writes the text as is; bytes become their UTF-8 text', async () => {
  const name = `qo-${process.pid}-${++counter}`;
  const output = queueOutput.create(binding({ queueName: name }), context({ messageEncoding: 'none' }));
  await output.write({ json: '["a","b"]' });
  await output.write({ bytes: new Uint8Array(Buffer.from('raw')) });
  expect(await stored(name)).toEqual(['a', 'b', 'raw']);
});

test('%NAME% queue names and a named connection setting', async () => {
  const name = `qo-${process.pid}-${++counter}`;
  const output = queueOutput.create(binding({ queueName: '%OUT_QUEUE%', connection: 'OtherStorage' }), context({}, { OUT_QUEUE: name.toUpperCase(), OtherStorage: azurite.connection }));
  await output.write({ string: 'x' });
  expect(await stored(name)).toEqual(['eA==']);
});

test.each([
  [{ queueName: 'queue1', connection: 'Missing' }, 'connection setting "Missing" is not set'],
  [{}, '"queueName" is required'],
  [{ queueName: 'a_b' }, 'queue name "a_b" is invalid'],
  [{ queueName: 'out-{id}' }, 'binding expression'],
])('bad binding %j → BindingConfigError: %s', (options, message) => {
  expect(() => queueOutput.create(binding(options), context())).toThrow(BindingConfigError);
  expect(() => queueOutput.create(binding(options), context())).toThrow(message);
});
