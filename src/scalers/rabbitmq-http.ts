// RabbitMQ over the management HTTP API: `GET <prefix>/api/queues/<vhost>/<queue>`, or the regex listing
// with KEDA's page parameters. Keep-alive agent per trigger so a poll is one request on a warm socket.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { QueueStats } from './rabbitmq-values.js';

/** What the HTTP reader needs from the trigger's parameters. */
export interface RabbitHttpParams {
  readonly host: string;
  readonly queueName: string;
  readonly vhostName: string | undefined;
  readonly useRegex: boolean;
  readonly pageSize: number;
  readonly timeout: number | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: 'enable' | 'disable';
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly keyPassword: string | undefined;
  readonly unsafeSsl: boolean;
}

/** A management API endpoint ready to be polled. */
export interface RabbitHttpConnection {
  readonly kind: 'http';
  /** Request URL without credentials. */
  readonly url: URL;
  /** Vhost as it appears in the request path (`%2F` for the root vhost), for messages. */
  readonly vhostPath: string;
  readonly authorization: string | undefined;
  readonly agent: HttpAgent;
}

const ROOT_VHOST = '/%2F';

/** KEDA's split of a management URL path: the last segment is the vhost, the rest a path prefix; vhostName overrides; empty → root. */
export function vhostAndPrefix(rawPath: string, vhostName: string | undefined): { vhost: string; prefix: string } {
  const parts = rawPath.split('/');
  let vhost = `/${parts[parts.length - 1] ?? ''}`;
  const rest = parts.slice(0, -1).filter((p) => p !== '');
  const prefix = rest.length > 0 ? `/${rest.join('/')}` : '';
  if (vhostName !== undefined && vhostName !== '') vhost = `/${encodeURIComponent(vhostName)}`;
  if (vhost === '/' || vhost === '//') vhost = ROOT_VHOST;
  return { vhost, prefix };
}

/** The management API request URL (no credentials) for a queue, or for the regex listing. */
export function managementUrl(base: URL, p: Pick<RabbitHttpParams, 'queueName' | 'vhostName' | 'useRegex' | 'pageSize'>): { url: URL; vhostPath: string } {
  const { vhost, prefix } = vhostAndPrefix(base.pathname, p.vhostName);
  const origin = `${base.protocol}//${base.host}`;
  const url = p.useRegex
    ? new URL(`${origin}${prefix}/api/queues${vhost}?page=1&use_regex=true&pagination=false&name=${encodeURIComponent(p.queueName)}&page_size=${p.pageSize}`)
    : new URL(`${origin}${prefix}/api/queues${vhost}/${encodeURIComponent(p.queueName)}`);
  return { url, vhostPath: vhost.slice(1) };
}

/** Basic auth from username/password when both are set (KEDA's override), else from the URL's user info. */
export function basicAuth(base: URL, p: Pick<RabbitHttpParams, 'username' | 'password'>): string | undefined {
  const [user, pass] = p.username !== undefined && p.password !== undefined
    ? [p.username, p.password]
    : [decodeURIComponent(base.username), decodeURIComponent(base.password)];
  if (user === '' && pass === '') return undefined;
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/**
 * Prepares the endpoint and sends the queue request once, so an unreachable server fails the connect
 * (a scaler failure of kind `unreachable`); the answer itself is left to the reads.
 */
export async function connectHttp(p: RabbitHttpParams, signal: AbortSignal): Promise<RabbitHttpConnection> {
  const base = new URL(p.host);
  const { url, vhostPath } = managementUrl(base, p);
  const tlsOptions = p.tls === 'enable' ? { ca: p.ca, cert: p.cert, key: p.key, passphrase: p.keyPassword } : {};
  const agent = url.protocol === 'https:'
    ? new HttpsAgent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !p.unsafeSsl, ...tlsOptions })
    : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const connection: RabbitHttpConnection = { kind: 'http', url, vhostPath, authorization: basicAuth(base, p), agent };
  try {
    await get(connection, withTimeout(signal, p.timeout));
  } catch (error) {
    agent.destroy();
    throw error;
  }
  return connection;
}

function withTimeout(signal: AbortSignal, timeoutMs: number | undefined): AbortSignal {
  return timeoutMs !== undefined && timeoutMs > 0 ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : signal;
}

interface Answer {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
}

function get(c: RabbitHttpConnection, signal: AbortSignal): Promise<Answer> {
  const send = c.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (c.authorization !== undefined) headers.authorization = c.authorization;
  return new Promise((resolve, reject) => {
    const req = send(c.url, { agent: c.agent, headers, signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function rate(stats: unknown, field: string): number {
  if (typeof stats !== 'object' || stats === null) return 0;
  const details = (stats as Record<string, unknown>)[field];
  return typeof details === 'object' && details !== null ? num((details as Record<string, unknown>).rate) : 0;
}

/** One queue object of the management API as QueueStats; absent numbers (no stats collected yet) are 0, as Go decodes them. */
export function queueStats(queue: unknown): QueueStats {
  const q = typeof queue === 'object' && queue !== null ? (queue as Record<string, unknown>) : {};
  return {
    messages: num(q.messages),
    messagesReady: num(q.messages_ready),
    publishRate: rate(q.message_stats, 'publish_details'),
    deliverGetRate: rate(q.message_stats, 'deliver_get_details'),
  };
}

/** Thrown for answers that are not what the API promises; the message names the queue, never credentials. */
export class RabbitHttpError extends Error {}

/** Reads one queue (or every queue the regex matches, at most one page) from the management API. */
export async function readHttp(c: RabbitHttpConnection, p: Pick<RabbitHttpParams, 'queueName' | 'useRegex' | 'pageSize' | 'timeout'>, signal: AbortSignal): Promise<QueueStats[]> {
  const what = p.useRegex ? `queues matching "${p.queueName}"` : `queue "${p.queueName}"`;
  const vhost = decodeURIComponent(c.vhostPath);
  const answer = await get(c, withTimeout(signal, p.timeout));
  if (answer.status !== 200) {
    const body = answer.body.length > 200 ? `${answer.body.slice(0, 200)}…` : answer.body;
    const hint = answer.status === 404 && !p.useRegex ? ` (queue "${p.queueName}" does not exist in vhost "${vhost}")` : '';
    throw new RabbitHttpError(`management API answered ${answer.status} ${answer.statusText} for ${what} in vhost "${vhost}"${hint}: ${body}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw new RabbitHttpError(`management API answered with invalid JSON for ${what} in vhost "${vhost}"`);
  }
  if (!p.useRegex) return [queueStats(parsed)];
  const listing = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (num(listing.page_count) > 1) {
    throw new RabbitHttpError(`regex "${p.queueName}" matches more queues than one page holds (pageSize ${p.pageSize}); raise pageSize or narrow the regex`);
  }
  return Array.isArray(listing.items) ? listing.items.map(queueStats) : [];
}

/** Releases the keep-alive sockets. */
export function closeHttp(c: RabbitHttpConnection): void {
  c.agent.destroy();
}
