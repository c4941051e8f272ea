// eventHubTrigger configuration: connection / hub / consumer group resolution, host.json
// extensions.eventHubs defaults and validation, and the registration under its binding type.
import { describe, expect, it } from 'vitest';
import { earliestEventPosition, latestEventPosition } from '@azure/event-hubs';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import { eventHubsExtension } from '../../../../src/functions/host/triggers/eventhub-config.js';
import { DEFAULT_EVENTHUB_RETRIES, eventHubTriggerSettings } from '../../../../src/functions/host/triggers/eventhub-trigger.js';
import { triggerFor } from '../../../../src/functions/host/triggers/index.js';
import { fakeContext, triggerFunction } from './broker-fakes.js';

const CONN = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=fromstring';
const STORAGE = 'UseDevelopmentStorage=true';

function settings(options: Record<string, unknown>, values: Record<string, string> = {}, hostJson: Record<string, unknown> = {}) {
  const ctx = fakeContext({ EH: CONN, AzureWebJobsStorage: STORAGE, ...values }, { hostJson });
  const { fn, binding } = triggerFunction('Fn', 'eventHubTrigger', options);
  return { s: eventHubTriggerSettings(fn, binding, ctx), ctx };
}

describe('eventHubTrigger settings', () => {
  it('defaults: $Default group, cardinality one, EntityPath hub, stripped from the string, 2 retries', () => {
    const { s } = settings({ connection: 'EH' });
    expect(s.consumerGroup).toBe('$Default');
    expect(s.many).toBe(false);
    expect(s.connection.eventHubName).toBe('fromstring');
    expect(s.connection.connectionString).not.toMatch(/EntityPath/i);
    expect(s.maxRetries).toBe(DEFAULT_EVENTHUB_RETRIES);
  });

  it('eventHubName (%setting%) wins over EntityPath with a warning; legacy path; consumerGroup from a setting', () => {
    const { s, ctx } = settings({ connection: 'EH', eventHubName: '%Hub%', consumerGroup: '%Group%', cardinality: 'Many' }, { Hub: 'named', Group: 'g1' });
    expect([s.connection.eventHubName, s.consumerGroup, s.many]).toEqual(['named', 'g1', true]);
    expect(ctx.logs.map((l) => l.message)).toEqual([expect.stringContaining('differs from the connection string') as unknown]);
    expect(settings({ connection: 'EH', path: 'legacy' }).s.connection.eventHubName).toBe('legacy');
  });

  it.each([
    ['no connection', {}, {}, /"connection" is required/],
    ['an unset connection setting', { connection: 'Nope' }, {}, /connection setting "Nope" is not set/],
    ['an identity-based connection', { connection: 'Id' }, { Id__fullyQualifiedNamespace: 'ns.servicebus.windows.net' }, /identity-based/],
    ['not a connection string', { connection: 'Bad' }, { Bad: 'hello' }, /no Endpoint=/],
    ['no hub anywhere', { connection: 'NoPath' }, { NoPath: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=s' }, /"eventHubName" is required/],
    ['a bad cardinality', { connection: 'EH', cardinality: 'some' }, {}, /cardinality/],
  ])('%s → BindingConfigError', (_name, options, values, message) => {
    expect(() => settings(options, values)).toThrow(BindingConfigError);
    expect(() => settings(options, values)).toThrow(message);
  });

  it('is registered as eventHubTrigger (case-insensitive)', () => {
    expect(triggerFor('EVENTHUBTRIGGER')?.type).toBe('eventHubTrigger');
  });
});

describe('host.json extensions.eventHubs', () => {
  it('defaults: batch 100, checkpoint every batch, prefetch 300, wait 60 s, from the start', () => {
    expect(eventHubsExtension({})).toEqual({ maxEventBatchSize: 100, batchCheckpointFrequency: 1, prefetchCount: 300, maxWaitTimeMs: 60_000, initialPosition: earliestEventPosition });
  });

  it.each([
    [{ type: 'fromEnd' }, latestEventPosition],
    [{ type: 'FromEnqueuedTime', enqueuedTimeUtc: '2024-01-01T00:00:00Z' }, { enqueuedOn: 1_704_067_200_000 }],
  ])('initialOffsetOptions %j', (initialOffsetOptions, position) => {
    expect(eventHubsExtension({ extensions: { eventHubs: { initialOffsetOptions } } }).initialPosition).toEqual(position);
  });

  it.each([
    [{ maxEventBatchSize: 0 }, /maxEventBatchSize/],
    [{ batchCheckpointFrequency: 1.5 }, /batchCheckpointFrequency/],
    [{ maxWaitTime: '00:00:00.500' }, /maxWaitTime/],
    [{ initialOffsetOptions: { type: 'fromEnqueuedTime' } }, /enqueuedTimeUtc/],
    [{ initialOffsetOptions: { type: 'middle' } }, /fromStart, fromEnd or fromEnqueuedTime/],
  ])('%j → BindingConfigError', (section, message) => {
    expect(() => eventHubsExtension({ extensions: { eventHubs: section } })).toThrow(message);
  });
});
