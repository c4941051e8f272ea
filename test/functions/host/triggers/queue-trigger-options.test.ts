// The pure parts of queueTrigger: host.json extensions.queues, the polling back-off, poison names,
// message encodings and the trigger event the worker sees.
import { describe, expect, test } from 'vitest';
import { BindingConfigError } from '../../../../src/functions/host/contract.js';
import {
  DEFAULT_LEASE_MS,
  normalizeQueueName,
  parseTimeSpan,
  poisonQueueName,
  pollDelayMs,
  queueListenerOptions,
  queueMessageEncoding,
} from '../../../../src/functions/host/triggers/queue-options.js';
import { decodeMessageText, encodeMessageText, queueTriggerEvent } from '../../../../src/functions/host/triggers/queue-message.js';

describe('parseTimeSpan', () => {
  test.each([
    ['00:01:00', 60_000],
    ['00:00:00', 0],
    ['00:00:00.1', 100],
    ['00:00:02.500', 2_500],
    ['01:00:00', 3_600_000],
    ['1.00:00:00', 86_400_000],
    ['00:10', 600_000], // hh:mm, as .NET reads two parts
    ['-00:00:01', -1_000],
    ['1 minute', undefined],
    ['60', undefined],
  ])('%s → %s ms', (text, ms) => {
    expect(parseTimeSpan(text)).toBe(ms);
  });
});

describe('queueListenerOptions', () => {
  test('defaults of the v5 extension; newBatchThreshold = 16/2 × 4 CPUs = 32; lease 10 min', () => {
    expect(queueListenerOptions({}, {}, 4)).toEqual({
      batchSize: 16,
      newBatchThreshold: 32,
      maxPollingIntervalMs: 60_000,
      visibilityTimeoutMs: 0,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
      leaseMs: DEFAULT_LEASE_MS,
    });
  });

  test('host.json values (keys case-insensitive, env overrides as strings) and the lease setting', () => {
    const hostJson = {
      extensions: { Queues: { BatchSize: '8', newBatchThreshold: 3, maxPollingInterval: '00:00:02', visibilityTimeout: '00:00:30', maxDequeueCount: 2, messageEncoding: 'None' } },
    };
    expect(queueListenerOptions(hostJson, { TIDE_QUEUE_LEASE_SECONDS: '3' }, 4)).toEqual({
      batchSize: 8,
      newBatchThreshold: 3,
      maxPollingIntervalMs: 2_000,
      visibilityTimeoutMs: 30_000,
      maxDequeueCount: 2,
      messageEncoding: 'none',
      leaseMs: 3_000,
    });
  });

  test('batchSize 5 on 3 CPUs: threshold floor(5/2) × 3 = 6; newBatchThreshold -1 means computed', () => {
    expect(queueListenerOptions({ extensions: { queues: { batchSize: 5, newBatchThreshold: -1 } } }, {}, 3).newBatchThreshold).toBe(6);
  });

  test.each([
    [{ batchSize: 33 }, 'batchSize must be an integer from 1 to 32'],
    [{ batchSize: 0 }, 'batchSize must be an integer from 1 to 32'],
    [{ maxPollingInterval: '00:00:00.05' }, 'maxPollingInterval must be at least 100 ms'],
    [{ maxPollingInterval: 'soon' }, 'maxPollingInterval must be a TimeSpan'],
    [{ messageEncoding: 'utf8' }, 'messageEncoding must be "base64" or "none"'],
    [{ maxDequeueCount: 0 }, 'maxDequeueCount must be an integer from 1'],
  ])('%j is rejected: %s', (queues, message) => {
    expect(() => queueListenerOptions({ extensions: { queues } }, {}, 1)).toThrow(message);
    expect(() => queueListenerOptions({ extensions: { queues } }, {}, 1)).toThrow(BindingConfigError);
  });

  test('a lease setting that is not whole seconds names the setting', () => {
    expect(() => queueListenerOptions({}, { TIDE_QUEUE_LEASE_SECONDS: '2.5' }, 1)).toThrow('TIDE_QUEUE_LEASE_SECONDS');
  });

  test('the output binding reads the same encoding', () => {
    expect(queueMessageEncoding({})).toBe('base64');
    expect(queueMessageEncoding({ extensions: { queues: { messageEncoding: 'none' } } })).toBe('none');
  });
});

describe('pollDelayMs: 100 ms × 2^(n−1), ±20 % jitter, capped', () => {
  test.each([
    [0, 60_000, 0.5, 0], // a message was found: poll again at once
    [1, 60_000, 0.5, 100], // no jitter at random 0.5 (factor 0.8 + 0.4 × 0.5 = 1)
    [2, 60_000, 0.5, 200],
    [3, 60_000, 0.5, 400],
    [4, 60_000, 0.0, 640], // 800 × 0.8
    [4, 60_000, 0.999_999, 960], // 800 × 1.2 (rounded)
    [1, 60_000, 0, 100], // 100 × 0.8 = 80, but never below 100 ms
    [11, 60_000, 0.5, 60_000], // 100 × 1024 = 102 400 → capped at 1 min
    [40, 60_000, 0.5, 60_000], // large n does not overflow
    [3, 250, 0.5, 250], // maxPollingInterval 250 ms caps 400
  ])('n=%d max=%d random=%d → %d ms', (n, max, random, ms) => {
    expect(pollDelayMs(n, max, random)).toBe(ms);
  });
});

describe('poisonQueueName', () => {
  test.each([
    ['orders', 'orders-poison'],
    ['orders-poison', undefined], // already a poison queue
    ['a'.repeat(56), `${'a'.repeat(56)}-poison`], // 56 + 7 = 63: allowed
    ['a'.repeat(57), undefined], // 57 + 7 = 64 > 63
  ])('%s → %s', (queue, poison) => {
    expect(poisonQueueName(queue)).toBe(poison);
  });
});

describe('normalizeQueueName', () => {
  test.each([
    ['JS-Queue-Items', 'js-queue-items'],
    ['abc', 'abc'],
  ])('%s → %s', (name, normalized) => {
    expect(normalizeQueueName(name, 'fn')).toBe(normalized);
  });
  test.each(['ab', 'a--b', '-ab', 'ab-', 'a_b', 'a'.repeat(64)])('%s is rejected', (name) => {
    expect(() => normalizeQueueName(name, 'function "f"')).toThrow(BindingConfigError);
  });
});

describe('message encoding', () => {
  test.each([
    ['aGVsbG8=', 'base64', 'hello'],
    ['aGVs\r\nbG8=', 'base64', 'hello'], // whitespace ignored, as .NET does
    ['eyJhIjoxfQ==', 'base64', '{"a":1}'],
    ['', 'base64', ''],
    ['hello', 'base64', undefined], // length 5 is not base64
    ['not base64!!', 'base64', undefined],
    ['aGVsbG8', 'base64', undefined], // missing padding
    ['hello', 'none', 'hello'],
  ] as const)('%j as %s → %j', (stored, encoding, text) => {
    expect(decodeMessageText(stored, encoding)).toBe(text);
  });

  test('encode is the inverse: base64 of UTF-8, or the text as is', () => {
    expect(encodeMessageText('héllo', 'base64')).toBe(Buffer.from('héllo').toString('base64'));
    expect(decodeMessageText(encodeMessageText('héllo', 'base64'), 'base64')).toBe('héllo');
    expect(encodeMessageText(new Uint8Array([0, 255]), 'base64')).toBe('AP8=');
    expect(encodeMessageText('héllo', 'none')).toBe('héllo');
  });
});

test('queueTriggerEvent: {string} value and PascalCase metadata with JSON ints and ISO dates (functions.md §6.4)', () => {
  const inserted = new Date('2024-05-01T10:00:00.000Z');
  const event = queueTriggerEvent(
    {
      messageId: 'id-1',
      popReceipt: 'pop-1',
      messageText: 'aGVsbG8=',
      dequeueCount: 2,
      insertedOn: inserted,
      expiresOn: new Date('2024-05-08T10:00:00.000Z'),
      nextVisibleOn: new Date('2024-05-01T10:10:00.000Z'),
    },
    'hello',
  );
  expect(event.value).toEqual({ string: 'hello' });
  expect(event.metadata).toEqual({
    QueueTrigger: { string: 'hello' },
    DequeueCount: { json: '2' },
    Id: { string: 'id-1' },
    PopReceipt: { string: 'pop-1' },
    InsertionTime: { json: '"2024-05-01T10:00:00.000Z"' },
    ExpirationTime: { json: '"2024-05-08T10:00:00.000Z"' },
    NextVisibleTime: { json: '"2024-05-01T10:10:00.000Z"' },
  });
});
