// A FAKE Azure Service Bus management API (there is no Service Bus server on this machine): plain HTTP
// on 127.0.0.1, answering the ATOM/XML documents the real service sends for the requests the
// azure-servicebus scaler makes — queue and subscription descriptions with CountDetails, paged feeds
// of `$Resources/queues` and `<topic>/Subscriptions`, the empty "Publicly Listed Services" feed for a
// missing entity — and checking the SAS token in Authorization the way the service does: known key
// name, HMAC-SHA256 of `<sr as sent>\n<se>` with the key's UTF-8 bytes, not expired, audience covering
// the requested URL. Its own verification is written independently of src/scalers/azure-sas.ts.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServiceBus {
  readonly port: number;
  /** Namespace name the fake pretends to be (appears in entry ids). */
  readonly namespace: string;
  readonly keyName: string;
  readonly key: string;
  /** Active message counts by queue name. */
  readonly queues: Map<string, number>;
  /** Active message counts by topic, then subscription. */
  readonly topics: Map<string, Map<string, number>>;
  /** Every request's path and query, in order. */
  readonly requests: string[];
  /** A connection string pointing at the fake (emulator form: plain HTTP). */
  connectionString(key?: string): string;
  close(): Promise<void>;
}

const ATOM = 'http://www.w3.org/2005/Atom';
const SB = 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect';
const SB2011 = 'http://schemas.microsoft.com/netservices/2011/06/servicebus';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function description(kind: 'QueueDescription' | 'SubscriptionDescription', active: number): string {
  return `<${kind} xmlns="${SB}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><LockDuration>PT1M</LockDuration>` +
    `<MessageCount>${active + 2}</MessageCount><Status>Active</Status>` +
    `<CountDetails xmlns:d2p1="${SB2011}"><d2p1:ActiveMessageCount>${active}</d2p1:ActiveMessageCount>` +
    `<d2p1:DeadLetterMessageCount>2</d2p1:DeadLetterMessageCount><d2p1:ScheduledMessageCount>0</d2p1:ScheduledMessageCount>` +
    `<d2p1:TransferMessageCount>0</d2p1:TransferMessageCount><d2p1:TransferDeadLetterMessageCount>0</d2p1:TransferDeadLetterMessageCount>` +
    `</CountDetails></${kind}>`;
}

function entry(base: string, path: string, title: string, body: string, root: boolean): string {
  return `<entry${root ? ` xmlns="${ATOM}"` : ''}><id>${esc(base + path)}</id><title type="text">${esc(title)}</title>` +
    `<published>2024-01-01T00:00:00Z</published><updated>2024-01-01T00:00:00Z</updated>` +
    `<link rel="self" href="${esc(base + path)}"/><content type="application/xml">${body}</content></entry>`;
}

function feed(base: string, title: string, entries: string[]): string {
  return `<feed xmlns="${ATOM}"><title type="text">${esc(title)}</title><id>${esc(base)}</id>` +
    `<updated>2024-01-01T00:00:00Z</updated>${entries.join('')}</feed>`;
}

const EMPTY_FEED = (base: string): string => feed(base, 'Publicly Listed Services', []);

type Answer = readonly [status: number, body: string];

function ok(body: string): Answer {
  return [200, body];
}

function fail(status: number, detail: string): Answer {
  return [status, `<Error><Code>${status}</Code><Detail>${esc(detail)} TrackingId:fake</Detail></Error>`];
}

/** Checks a SAS token as the service does; returns the failure detail, or undefined when valid. */
function checkToken(header: string | undefined, requestUrl: string, keys: ReadonlyMap<string, string>): string | undefined {
  const prefix = 'SharedAccessSignature ';
  if (header?.startsWith(prefix) !== true) return 'MissingToken: The request has no SharedAccessSignature authorization header.';
  const raw = new Map(header.slice(prefix.length).split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const sr = raw.get('sr');
  const sig = raw.get('sig');
  const se = raw.get('se');
  const skn = raw.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) return 'InvalidToken: sr, sig, se and skn are required.';
  const key = keys.get(skn);
  if (key === undefined) return `InvalidSignature: no authorization rule named ${skn}.`;
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig.replace(/\+/g, ' ')), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'InvalidSignature: The token has an invalid signature.';
  if (!(Number(se) * 1000 > Date.now())) return 'ExpiredToken: The token is expired.';
  const audience = decodeURIComponent(sr.replace(/\+/g, ' ')).toLowerCase().replace(/^[a-z]+:\/\//, '').split('?')[0]?.replace(/\/$/, '') ?? '';
  const target = requestUrl.toLowerCase().replace(/^[a-z]+:\/\//, '').split('?')[0] ?? '';
  if (!target.startsWith(audience)) return 'InvalidAudience: The token audience does not cover the requested resource.';
  return undefined;
}

function page(entries: string[], url: URL): string[] {
  const skip = Number(url.searchParams.get('$skip') ?? '0');
  const top = Number(url.searchParams.get('$top') ?? '100');
  return entries.slice(skip, skip + top);
}

function route(fake: FakeServiceBus, req: IncomingMessage): Answer {
  const host = req.headers.host ?? '127.0.0.1';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const base = `https://${host}/`;
  fake.requests.push(url.pathname + url.search);
  const denied = checkToken(req.headers.authorization, url.href, new Map([[fake.keyName, fake.key]]));
  if (denied !== undefined) return fail(401, denied);
  if (url.searchParams.get('api-version') === null) return fail(400, 'The api-version query parameter is required.');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 2 && parts[0] === '$Resources' && parts[1]?.toLowerCase() === 'queues') {
    const all = [...fake.queues].map(([name, n]) => entry(base, name, name, description('QueueDescription', n), false));
    return ok(feed(base + '$Resources/queues', 'Queues', page(all, url)));
  }
  if (parts.length === 1 && parts[0] !== undefined) {
    const n = fake.queues.get(parts[0]);
    return ok(n === undefined ? EMPTY_FEED(base) : entry(base, parts[0], parts[0], description('QueueDescription', n), true));
  }
  const [topic = '', subs = '', sub] = parts;
  if (subs.toLowerCase() !== 'subscriptions') return fail(400, 'Unsupported path for this fake.');
  const subscriptions = fake.topics.get(topic);
  if (sub === undefined) {
    const all = [...(subscriptions ?? [])].map(([name, n]) => entry(base, `${topic}/Subscriptions/${name}`, name, description('SubscriptionDescription', n), false));
    return ok(feed(`${base}${topic}/Subscriptions`, 'Subscriptions', page(all, url)));
  }
  const n = subscriptions?.get(sub);
  return ok(n === undefined ? EMPTY_FEED(base) : entry(base, `${topic}/Subscriptions/${sub}`, sub, description('SubscriptionDescription', n), true));
}

/** Starts the fake on a free loopback port. */
export async function startFakeServiceBus(): Promise<FakeServiceBus> {
  const server: Server = createServer((req, res: ServerResponse) => {
    const [status, body] = route(fake, req);
    res.writeHead(status, { 'content-type': 'application/atom+xml;type=entry;charset=utf-8' });
    res.end(body);
  });
  const fake: FakeServiceBus = {
    port: 0,
    namespace: 'fake-ns',
    keyName: 'RootManageSharedAccessKey',
    key: 'c2VjcmV0LWtleS1mb3ItdGhlLWZha2U=',
    queues: new Map(),
    topics: new Map(),
    requests: [],
    connectionString(key = fake.key) {
      return `Endpoint=sb://127.0.0.1:${fake.port}/;SharedAccessKeyName=${fake.keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true`;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { port: number }).port = (server.address() as AddressInfo).port;
  return fake;
}
