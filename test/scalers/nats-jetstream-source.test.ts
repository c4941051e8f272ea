// nats-jetstream against an own nats-server with JetStream and a monitoring port (test/servers/nats.ts).
import { randomBytes } from 'node:crypto';
import { AckPolicy, connect, type JsMsg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { natsJetStream } from '../../src/scalers/nats-jetstream.js';
import { ScalerError, ScalerInstance } from '../../src/scalers/instance.js';
import { skipWithout } from '../servers/availability.js';
import { freePort, startNats, type NatsServer } from '../servers/nats.js';
import { parsed } from './helpers.js';

describe.skipIf(skipWithout('nats-server'))('nats-jetstream against nats-server', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  const stream = `ORDERS_${randomBytes(3).toString('hex')}`;
  const subject = `${stream.toLowerCase()}.new`;

  beforeAll(async () => {
    server = await startNats();
    nc = await connect({ servers: server.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject] });
    await jsm.consumers.add(stream, { durable_name: 'worker', ack_policy: AckPolicy.Explicit });
  });
  afterAll(async () => {
    await nc.close();
    await server.stop();
  });

  function instance(metadata: Record<string, string>, timeoutMs = 3000) {
    const result = parsed(natsJetStream.parse({ metadata, triggerIndex: 0 }));
    return new ScalerInstance(natsJetStream, result, { trigger: { index: 0, type: 'nats-jetstream' }, metadata, timeoutMs });
  }
  const base = () => ({ natsServerMonitoringEndpoint: server.monitoring, account: '$G', stream, consumer: 'worker' });

  test('backlog = num_pending + num_ack_pending; activity against activationLagThreshold', async () => {
    const scaler = instance({ ...base(), activationLagThreshold: '1' });
    // Empty: 0 pending → 0, inactive.
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toEqual({ metricName: `s0-nats-jetstream-${stream}`, valueMilli: 0, active: false });
    const js = nc.jetstream();
    for (let i = 0; i < 3; i += 1) await js.publish(subject, new TextEncoder().encode(`m${String(i)}`));
    // 3 pending + 0 unacked = 3 → 3000 milli; 3 > 1 → active.
    await vi.waitFor(async () => { expect(await scaler.getMetricsAndActivity(Date.now())).toEqual({ metricName: `s0-nats-jetstream-${stream}`, valueMilli: 3000, active: true }); });
    const consumer = await js.consumers.get(stream, 'worker');
    const delivered: JsMsg[] = [];
    for await (const m of await consumer.fetch({ max_messages: 2, expires: 1000 })) {
      delivered.push(m);
      if (delivered.length === 2) break;
    }
    // 1 pending + 2 delivered but unacked = still 3.
    await vi.waitFor(async () => { expect((await scaler.getMetricsAndActivity(Date.now())).valueMilli).toBe(3000); });
    for (const m of delivered) await m.ackAck();
    // 1 pending + 0 unacked = 1; 1 > 1 is false → inactive.
    await vi.waitFor(async () => { expect(await scaler.getMetricsAndActivity(Date.now())).toMatchObject({ valueMilli: 1000, active: false }); });
    await scaler.close();
  });

  test.each([
    ['missing stream', { stream: 'NOPE' }, 'trigger 0 (nats-jetstream): stream "NOPE" not found in account "$G"'],
    ['missing consumer', { consumer: 'nobody' }, 'trigger 0 (nats-jetstream): consumer "nobody" not found on stream "STREAM"'],
    ['unknown account', { account: 'ACME' }, 'trigger 0 (nats-jetstream): account "ACME" has no JetStream data on this server'],
  ])('%s is a read error naming it', async (_name, override, message) => {
    const scaler = instance({ ...base(), ...override });
    const error = await scaler.getMetricsAndActivity(Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'read', message: message.replace('STREAM', stream) });
    await scaler.close();
  });

  test('accountID matches the account id', async () => {
    const scaler = instance({ natsServerMonitoringEndpoint: server.monitoring, accountID: '$G', stream, consumer: 'worker' });
    await expect(scaler.getMetricsAndActivity(Date.now())).resolves.toMatchObject({ metricName: `s0-nats-jetstream-${stream}` });
    await scaler.close();
  });

  test('unreachable monitoring endpoint: ScalerError within the timeout', async () => {
    const endpoint = `127.0.0.1:${String(await freePort())}`;
    const scaler = instance({ ...base(), natsServerMonitoringEndpoint: endpoint }, 1500);
    const started = Date.now();
    const error = await scaler.getMetricsAndActivity(started).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScalerError);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect((error as Error).message).toContain(`trigger 0 (nats-jetstream): unable to access the NATS monitoring endpoint http://${endpoint}/jsz?acc=%24G&config=true&consumers=true: fetch failed (`);
    expect(Date.now() - started).toBeLessThan(2500);
    await scaler.close();
  });
});
