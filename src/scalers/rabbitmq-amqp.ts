// RabbitMQ over AMQP 0-9-1: one connection and channel per trigger; a poll is a passive queue declare
// (checkQueue), whose reply carries the ready-message count. A missing queue makes the broker close the
// channel (404); the read fails and ScalerInstance reconnects on the next poll.

import type { Channel, ChannelModel, Options } from 'amqplib';
import { loadAmqplib, loadFor } from './client-libraries.js';

/** What the AMQP reader needs from the trigger's parameters. */
export interface RabbitAmqpParams {
  readonly host: string;
  readonly queueName: string;
  readonly vhostName: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: 'enable' | 'disable';
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly keyPassword: string | undefined;
  readonly unsafeSsl: boolean;
}

/** An open AMQP connection with the channel polls use. */
export interface RabbitAmqpConnection {
  readonly kind: 'amqp';
  readonly model: ChannelModel;
  readonly channel: Channel;
  /** Set when the broker or the network closed the channel or connection: the next read fails fast. */
  readonly state: { broken: Error | undefined };
  readonly vhost: string;
}

/** Go's amqp.ParseURI, with KEDA's overrides: vhostName replaces the URL's vhost, username+password its credentials. */
export function amqpConnectOptions(p: RabbitAmqpParams): Options.Connect & { vhost: string } {
  const url = new URL(p.host);
  const secure = url.protocol === 'amqps:';
  const path = url.pathname;
  const fromUrl = path === '' || path === '/' ? '/' : decodeURIComponent(path.slice(1));
  const override = p.username !== undefined && p.password !== undefined;
  return {
    protocol: secure ? 'amqps' : 'amqp',
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 5671 : 5672) : Number(url.port),
    username: override ? p.username : url.username === '' ? 'guest' : decodeURIComponent(url.username),
    password: override ? p.password : url.password === '' ? 'guest' : decodeURIComponent(url.password),
    vhost: p.vhostName !== undefined && p.vhostName !== '' ? p.vhostName : fromUrl,
  };
}

/** TLS and connect-timeout options of the socket (client certificate only with tls: enable, as KEDA). */
function socketOptions(p: RabbitAmqpParams, timeoutMs: number, connectionName: string): Record<string, unknown> {
  const tls = p.tls === 'enable' ? { ca: p.ca, cert: p.cert, key: p.key, passphrase: p.keyPassword } : {};
  return { timeout: timeoutMs, rejectUnauthorized: !p.unsafeSsl, ...tls, clientProperties: { connection_name: connectionName } };
}

/** Opens the connection and channel; a connection that completes after the caller gave up is closed at once. */
export async function connectAmqp(p: RabbitAmqpParams, signal: AbortSignal, timeoutMs: number, connectionName: string): Promise<RabbitAmqpConnection> {
  const options = amqpConnectOptions(p);
  const amqp = await loadFor(loadAmqplib, signal);
  const model = await amqp.connect(options, socketOptions(p, timeoutMs, connectionName));
  const state: { broken: Error | undefined } = { broken: undefined };
  // Without listeners an 'error' event (e.g. the 404 channel close) would be thrown by EventEmitter.
  model.on('error', (error: Error) => (state.broken ??= error));
  model.on('close', () => (state.broken ??= new Error('the AMQP connection was closed')));
  try {
    signal.throwIfAborted();
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => (state.broken ??= error));
    channel.on('close', () => (state.broken ??= new Error('the AMQP channel was closed')));
    signal.throwIfAborted();
    return { kind: 'amqp', model, channel, state, vhost: options.vhost };
  } catch (error) {
    await model.close().catch(() => undefined);
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

/** The ready-message count of the queue (passive declare); a missing queue is an error naming it. */
export async function readAmqp(c: RabbitAmqpConnection, queueName: string): Promise<number> {
  if (c.state.broken) throw c.state.broken;
  try {
    const reply = await c.channel.checkQueue(queueName);
    return reply.messageCount;
  } catch (error) {
    if (isNotFound(error)) throw new Error(`queue "${queueName}" does not exist in vhost "${c.vhost}" (AMQP 404 NOT_FOUND)`);
    throw error;
  }
}

/** Closes the connection (and with it the channel); errors on an already-broken connection are ignored. */
export async function closeAmqp(c: RabbitAmqpConnection): Promise<void> {
  await c.model.close().catch(() => undefined);
}
