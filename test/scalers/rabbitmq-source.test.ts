// rabbitmq against the machine's RabbitMQ: AMQP passive declare and the management API (plugin
// rabbitmq_management). Management statistics refresh every collect_statistics_interval (5 s by default),
// so HTTP tests poll until the broker's numbers show up instead of sleeping.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rabbitmq } from '../../src/scalers/rabbitmq.js';
import { ScalerError, ScalerInstance, type MetricReading } from '../../src/scalers/instance.js';
import { parsed } from './helpers.js';
import { AMQP_URL, MANAGEMENT_URL, RabbitFixture, eventually, managementAvailable, randomQueueName } from '../servers/rabbitmq.js';

const instances: ScalerInstance[] = [];

function scaler(metadata: Record<string, string>, authParams: Record<string, string> = {}, timeoutMs?: number): ScalerInstance {
  const result = parsed(rabbitmq.parse({ metadata, authParams, triggerIndex: 0 }));
  const instance = new ScalerInstance(rabbitmq, result, { trigger: { index: 0, type: 'rabbitmq' }, metadata, ...(timeoutMs ? { timeoutMs } : {}) });
  instances.push(instance);
  return instance;
}

async function failure(instance: ScalerInstance): Promise<ScalerError> {
  const error: unknown = await instance.getMetricsAndActivity(Date.now()).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ScalerError)) throw new Error(`expected a ScalerError, got ${String(error)}`);
  return error;
}

const read = (instance: ScalerInstance): Promise<MetricReading> => instance.getMetricsAndActivity(Date.now());

let rabbit: RabbitFixture;
/** A TCP server that accepts connections and never answers (a hung broker). */
let silent: Server;
const held: Socket[] = [];
let silentPort = 0;

beforeAll(async () => {
  rabbit = await RabbitFixture.open();
  silent = createServer((socket) => {
    held.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await rabbit.close();
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('rabbitmq over AMQP (machine broker)', () => {
  test.each([
    ['7 messages, activation 6 → 7000 milli, active', 7, '6', true],
    ['7 messages, activation 7 → 7000 milli, inactive (7 is not > 7)', 7, '7', false],
    ['empty queue → 0, inactive', 0, '0', false],
  ])('%s', async (_name, messages, activationValue, active) => {
    const queue = await rabbit.queue(messages);
    const reading = await read(scaler({ host: AMQP_URL, queueName: queue, mode: 'QueueLength', value: '5', activationValue }));
    expect(reading).toEqual({ metricName: `s0-rabbitmq-${queue}`, valueMilli: messages * 1000, active });
  });

  test('vhostName overrides the URL vhost; username/password override its credentials', async () => {
    const queue = await rabbit.queue(3);
    const instance = scaler({ host: 'amqp://nobody:wrong@127.0.0.1:5672/no-such-vhost', queueName: queue, vhostName: '/' }, { username: 'guest', password: 'guest' });
    expect((await read(instance)).valueMilli).toBe(3000);
  });

  test('a missing queue fails naming it; once created, the same instance reads it (reconnected)', async () => {
    const queue = randomQueueName();
    const instance = scaler({ host: AMQP_URL, queueName: queue });
    const error = await failure(instance);
    expect(error.kind).toBe('read');
    expect(error.message).toBe(`trigger 0 (rabbitmq): queue "${queue}" does not exist in vhost "/" (AMQP 404 NOT_FOUND)`);
    await rabbit.queue(2, queue);
    expect((await read(instance)).valueMilli).toBe(2000);
  });

  test('connection refused → unreachable, without the password', async () => {
    const started = Date.now();
    const error = await failure(scaler({ host: 'amqp://guest:s3cret-pw@127.0.0.1:1/', queueName: 'q' }));
    expect([error.kind, error.message.includes('s3cret-pw'), Date.now() - started < 3000]).toEqual(['unreachable', false, true]);
    expect(error.message).toMatch(/^trigger 0 \(rabbitmq\): .*ECONNREFUSED/);
  });

  test('a broker that never answers → unreachable after the 400 ms timeout', async () => {
    const started = Date.now();
    const error = await failure(scaler({ host: `amqp://guest:s3cret-pw@127.0.0.1:${silentPort}/`, queueName: 'q' }, {}, 400));
    const elapsed = Date.now() - started;
    expect([error.kind, error.message, elapsed >= 350 && elapsed < 2000]).toEqual(['unreachable', 'trigger 0 (rabbitmq): connect timed out after 400 ms', true]);
  });

  test('a wrong password is refused and not repeated in the error', async () => {
    const error = await failure(scaler({ queueName: 'q' }, { host: 'amqp://guest:wr0ng-pass@127.0.0.1:5672/' }));
    expect([error.kind, error.message.includes('wr0ng-pass')]).toEqual(['unreachable', false]);
    expect(error.message).toMatch(/ACCESS.REFUSED/);
  });
});

const management = await managementAvailable();

// Concurrent: each test waits on the broker's statistics refresh, and the waits overlap.
describe.skipIf(!management)('rabbitmq over the management API (machine broker)', { concurrent: true }, () => {
  let timer: NodeJS.Timeout | undefined;
  let stalled = '';
  let flowing = '';

  beforeAll(async () => {
    stalled = await rabbit.queue(0);
    flowing = await rabbit.queue(0);
    await rabbit.channel.consume(flowing, () => undefined, { noAck: true });
    // 10 messages every 100 ms to each queue (~100/s): `stalled` has no consumer, `flowing` one that takes everything.
    timer = setInterval(() => {
      for (let i = 0; i < 10; i++) {
        rabbit.channel.sendToQueue(stalled, Buffer.from('x'));
        rabbit.channel.sendToQueue(flowing, Buffer.from('x'));
      }
    }, 100);
  });

  afterAll(() => {
    clearInterval(timer);
  });

  test('QueueLength counts ready + unacked; excludeUnacknowledged counts ready only', async () => {
    const queue = await rabbit.queue(7);
    await rabbit.takeUnacked(queue, 2);
    const all = scaler({ host: MANAGEMENT_URL, queueName: queue, mode: 'QueueLength', value: '5' });
    const ready = scaler({ host: MANAGEMENT_URL, queueName: queue, mode: 'QueueLength', value: '5', excludeUnacknowledged: 'true' });
    // 7 published, 2 delivered without ack: messages = 7, messages_ready = 5.
    await eventually(() => read(ready), (r) => r.valueMilli === 5000);
    expect(await read(all)).toEqual({ metricName: `s0-rabbitmq-${queue}`, valueMilli: 7000, active: true });
  });

  test('vhostName overrides the vhost in the URL path; credentials from username/password', async () => {
    const queue = await rabbit.queue(4);
    const instance = scaler({ host: 'http://127.0.0.1:15672/other-vhost', queueName: queue, vhostName: '/' }, { username: 'guest', password: 'guest' });
    await eventually(() => read(instance), (r) => r.valueMilli === 4000);
  });

  test('a missing queue → 404 naming the queue and vhost', async () => {
    const queue = randomQueueName();
    const error = await failure(scaler({ host: MANAGEMENT_URL, queueName: queue }));
    expect(error.kind).toBe('read');
    expect(error.message).toContain(`management API answered 404 Not Found for queue "${queue}" in vhost "/" (queue "${queue}" does not exist in vhost "/")`);
  });

  test('useRegex combines 1, 2 and 4 messages: sum 7, avg 2 (integer division of 7/3), max 4; 3 queues over pageSize 2 fail', async () => {
    const prefix = randomQueueName('tide-rx');
    await Promise.all([rabbit.queue(1, `${prefix}-a`), rabbit.queue(2, `${prefix}-b`), rabbit.queue(4, `${prefix}-c`)]);
    const regex = `^${prefix}-.$`;
    const of = (operation: string): ScalerInstance => scaler({ host: MANAGEMENT_URL, queueName: regex, useRegex: 'true', operation, mode: 'QueueLength', value: '5' });
    await eventually(() => read(of('sum')), (r) => r.valueMilli === 7000);
    expect([(await read(of('avg'))).valueMilli, (await read(of('max'))).valueMilli]).toEqual([2000, 4000]);
    const paged = await failure(scaler({ host: MANAGEMENT_URL, queueName: regex, useRegex: 'true', pageSize: '2' }));
    expect(paged.message).toBe(`trigger 0 (rabbitmq): regex "${regex}" matches more queues than one page holds (pageSize 2); raise pageSize or narrow the regex`);
  });

  test('a regex matching nothing → 0, inactive', async () => {
    const reading = await read(scaler({ host: MANAGEMENT_URL, queueName: `^${randomQueueName()}$`, useRegex: 'true' }));
    expect([reading.valueMilli, reading.active]).toEqual([0, false]);
  });

  test('unreachable management port → unreachable without the password; timeout bounds a hung server', async () => {
    const refused = await failure(scaler({ host: 'http://guest:s3cret-pw@127.0.0.1:1/', queueName: 'q' }));
    expect([refused.kind, refused.message.includes('s3cret-pw')]).toEqual(['unreachable', false]);
    const started = Date.now();
    const hung = await failure(scaler({ host: `http://guest:s3cret-pw@127.0.0.1:${silentPort}/`, queueName: 'q', timeout: '300' }));
    // The trigger's own timeout (300 ms) ends the request well before the 3 s scaler timeout.
    expect([hung.kind, hung.message.includes('s3cret-pw'), Date.now() - started < 1500]).toEqual(['unreachable', false, true]);
  });

  test('wrong credentials → 401 error without the password', async () => {
    const queue = await rabbit.queue(1);
    const error = await failure(scaler({ host: 'http://guest:wr0ng-pass@127.0.0.1:15672/', queueName: queue }));
    expect([error.kind, error.message.includes('wr0ng-pass')]).toEqual(['read', false]);
    expect(error.message).toContain('management API answered 401');
  });

  // Rates lag the publishing by one or two statistics intervals: polled, never slept on.
  const http = (queueName: string, mode: string, activationValue = '0.5'): ScalerInstance => scaler({ host: MANAGEMENT_URL, queueName, mode, value: '10', activationValue });

  test('no consumer: MessageRate > 0; Ratio and ExpectedQueueConsumptionTime = activation (0.5) and active; DeliverGetRate 0', async () => {
    const rate = await eventually(() => read(http(stalled, 'MessageRate')), (r) => r.valueMilli > 0, 25_000);
    expect(rate.active).toBe(true);
    expect(await read(http(stalled, 'PublishedToDeliveredRatio'))).toMatchObject({ valueMilli: 500, active: true });
    expect(await read(http(stalled, 'ExpectedQueueConsumptionTime'))).toMatchObject({ valueMilli: 500, active: true });
    expect(await read(http(stalled, 'DeliverGetRate'))).toMatchObject({ valueMilli: 0, active: false });
  }, 30_000);

  test('a consumer taking everything: DeliverGetRate > 0, publish/deliver ratio near 1', async () => {
    const deliver = await eventually(() => read(http(flowing, 'DeliverGetRate')), (r) => r.valueMilli > 0, 25_000);
    expect(deliver.active).toBe(true);
    // Both rates are ~100/s: their ratio sits near 1 (sampling windows differ slightly). One statistics
    // sample can miss the publisher on a loaded machine (a rate of 0 for it): polled, like the rates.
    const ratio = await eventually(() => read(http(flowing, 'PublishedToDeliveredRatio', '0')), (r) => r.valueMilli > 500 && r.valueMilli < 2000, 20_000);
    expect(ratio.valueMilli).toBeGreaterThan(500);
    expect(ratio.valueMilli).toBeLessThan(2000);
  }, 50_000);
});
