// The rabbitmq scaler's I/O: pick AMQP or the management API, read, and turn the numbers into KEDA's
// metric value and activity with the pure helpers of rabbitmq-values.ts.

import type { ConnectContext, Reading } from './define.js';
import { closeAmqp, connectAmqp, readAmqp, type RabbitAmqpConnection, type RabbitAmqpParams } from './rabbitmq-amqp.js';
import { closeHttp, connectHttp, readHttp, type RabbitHttpConnection, type RabbitHttpParams } from './rabbitmq-http.js';
import { combineQueues, queueMessageCount, rabbitReading, type QueueOperation, type RabbitMode } from './rabbitmq-values.js';

/** What connect and read get: the derived rabbitmq parameters. */
export interface RabbitReadParams extends RabbitAmqpParams, RabbitHttpParams {
  readonly protocol: 'auto' | 'amqp' | 'http';
  readonly mode: RabbitMode;
  readonly activationValue: number;
  readonly excludeUnacknowledged: boolean;
  readonly operation: QueueOperation;
  readonly oauthTokenURI: string | undefined;
  readonly workloadIdentityResource: string | undefined;
}

/** A connection of either protocol. */
export type RabbitConnection = RabbitAmqpConnection | RabbitHttpConnection;

/** The URL's password, raw and decoded, so errors from client libraries can be scrubbed of it. */
function urlSecrets(host: string): string[] {
  try {
    const password = new URL(host).password;
    return password === '' ? [] : [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

/** Rethrows an error with the host URL and its password removed from the message. */
function scrubbed(error: unknown, p: RabbitReadParams): Error {
  const message = error instanceof Error ? error.message : String(error);
  const secrets = [p.host, ...urlSecrets(p.host), p.password ?? ''].filter((s) => s.length >= 3);
  return new Error(secrets.reduce((m, s) => m.split(s).join('***'), message));
}

function protocolOf(p: RabbitReadParams): 'amqp' | 'http' {
  if (p.protocol !== 'auto') return p.protocol;
  return /^https?:/i.test(p.host) ? 'http' : 'amqp';
}

/** Opens an AMQP connection, or prepares the management API endpoint. */
export async function connectRabbit(p: RabbitReadParams, ctx: ConnectContext): Promise<RabbitConnection> {
  if (p.oauthTokenURI !== undefined || p.workloadIdentityResource !== undefined) {
    throw new Error('OAuth2 and workload identity authentication to the RabbitMQ management API are not supported by tide yet');
  }
  try {
    if (protocolOf(p) === 'http') return await connectHttp(p, ctx.signal);
    const name = `tide-${ctx.scaledObject.namespace}-${ctx.scaledObject.name}`;
    return await connectAmqp(p, ctx.signal, ctx.timeoutMs, name);
  } catch (error) {
    throw scrubbed(error, p);
  }
}

/** One poll: the metric value and KEDA's activity for the trigger's mode. */
export async function readRabbit(c: RabbitConnection, p: RabbitReadParams & { readonly value: number }, signal: AbortSignal): Promise<Reading> {
  try {
    if (c.kind === 'amqp') {
      const messages = await readAmqp(c, p.queueName);
      return rabbitReading(p.mode, messages, 0, 0, p.activationValue);
    }
    const queues = await readHttp(c, p, signal);
    const stats = p.useRegex ? combineQueues(queues, p.operation) : (queues[0] ?? combineQueues([], p.operation));
    const messages = queueMessageCount(stats, p.excludeUnacknowledged);
    return rabbitReading(p.mode, messages, stats.publishRate, stats.deliverGetRate, p.activationValue);
  } catch (error) {
    throw scrubbed(error, p);
  }
}

/** Closes the AMQP connection or the HTTP keep-alive sockets. */
export async function closeRabbit(c: RabbitConnection): Promise<void> {
  if (c.kind === 'amqp') await closeAmqp(c);
  else closeHttp(c);
}
