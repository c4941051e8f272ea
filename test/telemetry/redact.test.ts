import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logger.js';
import { redact } from '../../src/telemetry/redact.js';

describe('redact', () => {
  it.each([
    ['DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0==;EndpointSuffix=core.windows.net', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=core.windows.net'],
    ['Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc123=', 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=***'],
    ['amqp://guest:hunter2@rabbit:5672/vhost', 'amqp://guest:***@rabbit:5672/vhost'],
    ['https://acc.queue.core.windows.net/q?sv=2020&sig=abcDEF%2B&se=1', 'https://acc.queue.core.windows.net/q?sv=2020&sig=***&se=1'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload', 'Authorization: Bearer ***'],
    ['Host=db;Password=p@ss;Database=x', 'Host=db;Password=***;Database=x'],
    ['nothing secret here: queue orders has 5 messages', 'nothing secret here: queue orders has 5 messages'],
  ])('%s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });
});

describe('createLogger', () => {
  it('writes JSON lines with fields and masks secrets in the message and string fields', () => {
    let out = '';
    const destination = new Writable({ write: (chunk: Buffer, _enc, done) => { out += chunk.toString(); done(); } });
    const log = createLogger({ destination }).child({ function: 'orders' });
    log.warn('cannot connect to amqp://u:secretpw@h/', { connection: 'AccountKey=k3y;' });
    const line = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, function: 'orders', msg: 'cannot connect to amqp://u:***@h/', connection: 'AccountKey=***;' });
    expect(out).not.toContain('secretpw');
  });
});
