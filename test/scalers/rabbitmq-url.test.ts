// How the rabbitmq host URL becomes an AMQP connection or a management API request (pure).
import { describe, expect, test } from 'vitest';
import { amqpConnectOptions, type RabbitAmqpParams } from '../../src/scalers/rabbitmq-amqp.js';
import { basicAuth, managementUrl, queueStats, vhostAndPrefix } from '../../src/scalers/rabbitmq-http.js';

describe('management API URL (KEDA getVhostAndPathFromURL)', () => {
  test.each([
    ['', undefined, '/%2F', ''],
    ['/', undefined, '/%2F', ''],
    ['//', undefined, '/%2F', ''],
    ['/%2F', undefined, '/%2F', ''],
    ['/myvhost', undefined, '/myvhost', ''],
    ['/some/path/myvhost', undefined, '/myvhost', '/some/path'],
    ['/myvhost', 'other', '/other', ''],
    ['/myvhost', '/', '/%2F', ''],
    ['/some/path/', undefined, '/%2F', '/some/path'],
  ])('path %j with vhostName %j → vhost %s, prefix %j', (path, vhostName, vhost, prefix) => {
    expect(vhostAndPrefix(path, vhostName)).toEqual({ vhost, prefix });
  });

  test('queue URL drops credentials and escapes the queue name', () => {
    const { url, vhostPath } = managementUrl(new URL('https://u:p@rabbit:15671/mgmt/prod'), { queueName: 'a b/c', vhostName: undefined, useRegex: false, pageSize: 100 });
    expect([url.href, vhostPath]).toEqual(['https://rabbit:15671/mgmt/api/queues/prod/a%20b%2Fc', 'prod']);
  });

  test('regex URL carries KEDA query parameters (page 1, no pagination, page_size)', () => {
    const { url } = managementUrl(new URL('http://rabbit:15672/'), { queueName: '^orders-.*$', vhostName: undefined, useRegex: true, pageSize: 25 });
    expect(url.href).toBe('http://rabbit:15672/api/queues/%2F?page=1&use_regex=true&pagination=false&name=%5Eorders-.*%24&page_size=25');
  });

  test.each([
    ['credentials from the URL (percent-decoded)', 'http://guest:p%40ss@h/', undefined, undefined, 'guest:p@ss'],
    ['username + password override the URL', 'http://guest:guest@h/', 'admin', 'secret', 'admin:secret'],
    ['no credentials at all → no header', 'http://h/', undefined, undefined, undefined],
  ])('%s', (_name, host, username, password, expected) => {
    const header = basicAuth(new URL(host), { username, password });
    expect(header === undefined ? undefined : Buffer.from(header.replace('Basic ', ''), 'base64').toString()).toBe(expected);
  });

  test('queue statistics: absent numbers (before the first statistics sample) are 0', () => {
    expect(queueStats({ name: 'q' })).toEqual({ messages: 0, messagesReady: 0, publishRate: 0, deliverGetRate: 0 });
    expect(queueStats({ messages: 7, messages_ready: 5, message_stats: { publish_details: { rate: 2.5 }, deliver_get_details: { rate: 1.25 } } }))
      .toEqual({ messages: 7, messagesReady: 5, publishRate: 2.5, deliverGetRate: 1.25 });
  });
});

describe('AMQP connection options (Go amqp.ParseURI with KEDA overrides)', () => {
  const params = (host: string, extra: Partial<RabbitAmqpParams> = {}): RabbitAmqpParams => ({
    host, queueName: 'q', vhostName: undefined, username: undefined, password: undefined, tls: 'disable', ca: undefined, cert: undefined, key: undefined, keyPassword: undefined, unsafeSsl: false, ...extra,
  });

  test.each([
    ['amqp://u:p@rabbit:5673/prod', {}, { protocol: 'amqp', hostname: 'rabbit', port: 5673, username: 'u', password: 'p', vhost: 'prod' }],
    ['amqp://rabbit', {}, { port: 5672, username: 'guest', password: 'guest', vhost: '/' }],
    ['amqps://rabbit/', {}, { protocol: 'amqps', port: 5671, vhost: '/' }],
    ['amqp://rabbit/%2Fteam', {}, { vhost: '/team' }],
    ['amqp://u:p@rabbit/prod', { vhostName: 'staging', username: 'x', password: 'y' }, { vhost: 'staging', username: 'x', password: 'y' }],
    ['amqp://u:p@[::1]:5672/', {}, { hostname: '::1' }],
  ] as const)('%s %j', (host, extra, expected) => {
    expect(amqpConnectOptions(params(host, extra))).toMatchObject(expected);
  });
});
