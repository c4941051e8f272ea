// A FAKE Azure Service Bus namespace over AMQP 1.0 (no Service Bus exists on this machine), built with
// rhea on a free 127.0.0.1 port (never 5672) and reached by @azure/service-bus through an emulator
// connection string (`UseDevelopmentEmulator=true` → plain TCP). It does what the SDK's peek-lock
// receiver and sender need: SASL ANONYMOUS, `put-token` on `$cbs` (tokens must be SAS-shaped, not
// verified), receiver links on an entity address that deliver each message locked, with a 16-byte lock
// token as delivery tag and the `x-opt-*` annotations; dispositions (accepted = complete, modified /
// released = abandon → redelivery with delivery-count + 1, rejected `com.microsoft:dead-letter` → DLQ,
// and after maxDeliveryCount deliveries the broker itself dead-letters); `com.microsoft:renew-lock` on
// `<entity>/$management`; lock expiry (the message comes back even if its link is gone); and sender
// links whose messages are enqueued. Topics fan out to `<topic>/Subscriptions/<name>` entities.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';
import type { Connection, Delivery, EventContext, Message, Sender } from 'rhea';

export interface FakeSbMessage {
  readonly sequenceNumber: number;
  readonly body: unknown;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly applicationProperties: Readonly<Record<string, unknown>>;
  readonly enqueuedAt: number;
  /** Deliveries so far (the AMQP header delivery-count sent is this, 1 on the first delivery). */
  deliveryCount: number;
  lock?: { token: string; until: number; timer: NodeJS.Timeout; delivery: Delivery };
}

export interface FakeEntity {
  readonly available: FakeSbMessage[];
  readonly locked: Map<string, FakeSbMessage>;
  readonly deadLetter: FakeSbMessage[];
  readonly completed: FakeSbMessage[];
}

export interface FakeServiceBusAmqp {
  readonly port: number;
  lockDurationMs: number;
  maxDeliveryCount: number;
  /** Operations seen: `put-token <audience>`, `complete <entity> <seq>`, `renew-lock <entity>`, … */
  readonly log: string[];
  /** The entity (queue or `<topic>/Subscriptions/<sub>`), created on first use. */
  entity(address: string): FakeEntity;
  /** Enqueues a message (a topic fans out to its subscriptions). */
  enqueue(address: string, body: unknown, message?: Partial<Message>): void;
  connectionString(): string;
  close(): Promise<void>;
}

const DEAD_LETTER = 'com.microsoft:dead-letter';
const BATCH_FORMAT = 0x80013700;

/** A stored message body as text (data sections hold bytes; an amqp-value may be anything). */
export function bodyText(m: FakeSbMessage): string {
  const body = m.body as { typecode?: number; content?: unknown } | null | undefined;
  const raw: unknown = body?.typecode === 0x75 ? body.content : body;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/** rhea's outcome constructors (untyped in its declarations). */
const outcomes = rhea.message as unknown as { rejected(fields: { error: unknown }): { described(): unknown } };

/** The lock token string the SDK derives from a delivery tag (.NET GUID byte order). */
function tokenString(tag: Buffer): string {
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => tag[i] ?? 0)).toString('hex');
}

function long(value: number): unknown {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(value));
  return rhea.types.wrap_long(bytes);
}

class Broker {
  readonly entities = new Map<string, FakeEntity>();
  readonly receivers = new Map<string, Set<Sender>>();
  readonly replySenders = new WeakMap<Connection, Map<string, Sender>>();
  lockDurationMs = 2_000;
  maxDeliveryCount = 10;
  sequence = 0;
  readonly log: string[] = [];

  entity(address: string): FakeEntity {
    const key = address.toLowerCase();
    let e = this.entities.get(key);
    if (e === undefined) {
      e = { available: [], locked: new Map(), deadLetter: [], completed: [] };
      this.entities.set(key, e);
    }
    return e;
  }

  enqueue(address: string, body: unknown, message: Partial<Message> = {}): void {
    const subs = [...this.entities.keys()].filter((k) => k.startsWith(`${address.toLowerCase()}/subscriptions/`));
    for (const target of subs.length > 0 ? subs : [address]) {
      const { application_properties: app, ...given } = message;
      // The broker stamps a MessageId on messages sent without one (the SDK's lock renewer keys on it).
      const properties = { ...given, message_id: given.message_id ?? randomUUID().replace(/-/g, '') };
      this.entity(target).available.push({ sequenceNumber: ++this.sequence, body, properties, applicationProperties: app ?? {}, enqueuedAt: Date.now(), deliveryCount: 0 });
      this.pump(target);
    }
  }

  /** Hands available messages to receiver links with credit, locking each. */
  pump(address: string): void {
    const e = this.entity(address);
    for (const link of this.receivers.get(address.toLowerCase()) ?? []) {
      while (link.sendable() && e.available.length > 0) {
        const m = e.available.shift();
        if (m !== undefined) this.deliver(address, e, m, link);
      }
    }
  }

  private deliver(address: string, e: FakeEntity, m: FakeSbMessage, link: Sender): void {
    m.deliveryCount++;
    const tag = randomBytes(16);
    const token = tokenString(tag);
    const until = Date.now() + this.lockDurationMs;
    const delivery = link.send({
      ...m.properties,
      body: m.body,
      application_properties: m.applicationProperties,
      delivery_count: m.deliveryCount,
      message_annotations: {
        'x-opt-lock-token': rhea.types.wrap_uuid(tag),
        'x-opt-sequence-number': long(m.sequenceNumber),
        'x-opt-enqueued-time': new Date(m.enqueuedAt),
        'x-opt-locked-until': new Date(until),
      },
    }, tag);
    m.lock = { token, until, delivery, timer: this.expiry(address, e, m, token, until) };
    e.locked.set(token, m);
  }

  private expiry(address: string, e: FakeEntity, m: FakeSbMessage, token: string, until: number): NodeJS.Timeout {
    return setTimeout(() => {
      if (m.lock?.token !== token) return;
      this.log.push(`lock-expired ${address} ${m.sequenceNumber}`);
      this.unlock(address, e, m, 'abandon');
    }, Math.max(0, until - Date.now()));
  }

  /** Ends a lock: complete, abandon (back to the queue, or the DLQ after maxDeliveryCount), dead-letter. */
  unlock(address: string, e: FakeEntity, m: FakeSbMessage, how: 'complete' | 'abandon' | 'dead-letter'): void {
    if (m.lock !== undefined) {
      clearTimeout(m.lock.timer);
      e.locked.delete(m.lock.token);
      delete m.lock;
    }
    if (how === 'complete') e.completed.push(m);
    else if (how === 'dead-letter' || m.deliveryCount >= this.maxDeliveryCount) e.deadLetter.push(m);
    else e.available.unshift(m);
    this.pump(address);
  }

  /** A client disposition on a delivery of ours: settle it remotely with the outcome's state. */
  settle(ctx: EventContext, how: 'complete' | 'abandon' | 'dead-letter'): void {
    const address = String((ctx.sender?.source as { address?: string } | undefined)?.address);
    const delivery = ctx.delivery;
    // The client acknowledges our settlement with a settled disposition of its own: nothing to do.
    if (delivery === undefined || delivery.settled) return;
    const e = this.entity(address);
    const m = [...e.locked.values()].find((x) => x.lock?.delivery === delivery);
    if (m === undefined) {
      const error = { condition: 'com.microsoft:message-lock-lost', description: 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.' };
      delivery.update(true, outcomes.rejected({ error }).described());
      return;
    }
    this.log.push(`${how} ${address} ${m.sequenceNumber}`);
    this.unlock(address, e, m, how);
    delivery.update(true, (delivery.remote_state as { described: () => unknown }).described());
  }

  reply(connection: Connection, request: Message, status: number, description: string, body?: unknown): void {
    const sender = this.replySenders.get(connection)?.get(String(request.reply_to));
    if (sender === undefined) this.log.push(`no reply link for ${String(request.reply_to)}`);
    const response: Message = { body: body ?? null, application_properties: { statusCode: status, statusDescription: description, 'status-code': status, 'status-description': description } };
    if (request.message_id !== undefined) response.correlation_id = request.message_id;
    sender?.send(response);
  }

  management(ctx: EventContext, address: string, request: Message): void {
    const entityAddress = address.slice(0, -'/$management'.length);
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    const operation = String(props.operation);
    this.log.push(`${operation} ${entityAddress}`);
    const body = (request.body ?? {}) as { 'lock-tokens'?: Buffer[]; 'disposition-status'?: string };
    const e = this.entity(entityAddress);
    const locked = (body['lock-tokens'] ?? []).map((raw) => e.locked.get(Buffer.from(raw).toString('hex')));
    if (operation !== 'com.microsoft:renew-lock' && operation !== 'com.microsoft:update-disposition') {
      this.reply(ctx.connection, request, 501, `the fake does not implement ${operation}`);
      return;
    }
    if (locked.some((m) => m?.lock === undefined)) {
      this.reply(ctx.connection, request, 410, 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.');
      return;
    }
    const messages = locked.filter((m): m is FakeSbMessage => m !== undefined);
    if (operation === 'com.microsoft:update-disposition') {
      // Settling over $management: what the SDK does once the receiving link is gone.
      const how = ({ completed: 'complete', abandoned: 'abandon', suspended: 'dead-letter' } as const)[String(body['disposition-status']) as 'completed'];
      for (const m of messages) {
        this.log.push(`${how} ${entityAddress} ${m.sequenceNumber}`);
        this.unlock(entityAddress, e, m, how);
      }
      this.reply(ctx.connection, request, 200, 'OK', {});
      return;
    }
    const expirations = messages.map((m) => this.renew(entityAddress, e, m));
    this.reply(ctx.connection, request, 200, 'OK', { expirations });
  }

  private renew(address: string, e: FakeEntity, m: FakeSbMessage): Date {
    const lock = m.lock;
    if (lock === undefined) return new Date(0);
    clearTimeout(lock.timer);
    lock.until = Date.now() + this.lockDurationMs;
    lock.timer = this.expiry(address, e, m, lock.token, lock.until);
    return new Date(lock.until);
  }

  cbs(ctx: EventContext, request: Message): void {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    this.log.push(`${String(props.operation)} ${String(props.name)}`);
    if (!String(request.body).startsWith('SharedAccessSignature ')) {
      this.reply(ctx.connection, request, 401, 'not a SharedAccessSignature');
      return;
    }
    this.reply(ctx.connection, request, 202, 'Accepted');
  }
}

/** The SDK sends every send as a batch (message format 0x80013700): data sections that each hold one encoded message. */
function unbatch(message: Message, format: number | undefined): Message[] {
  if (format !== BATCH_FORMAT) return [message];
  // rhea hands over a non-standard format undecoded.
  const envelope = rhea.message.decode(message as unknown as Buffer);
  const body = envelope.body as { content?: unknown; multiple?: boolean } | undefined;
  const parts = body?.multiple === true ? (body.content as Buffer[]) : [body?.content as Buffer];
  return parts.map((buffer) => rhea.message.decode(buffer) as unknown as Message);
}

function linkAddress(terminus: unknown): string {
  return String((terminus as { address?: string } | undefined)?.address);
}

/** Starts the fake on a free loopback port. */
export async function startFakeServiceBusAmqp(): Promise<FakeServiceBusAmqp> {
  const broker = new Broker();
  const container = rhea.create_container({ id: 'fake-servicebus' });
  (container.sasl_server_mechanisms as { enable_anonymous: () => void }).enable_anonymous();
  container.on('sender_open', (ctx: EventContext) => {
    const sender = ctx.sender;
    if (sender === undefined) return;
    const address = linkAddress(sender.source);
    if (address === '$cbs' || address.endsWith('/$management')) {
      // The reply link of a request-response pair: the client's reply-to names its target (or the link).
      const map = broker.replySenders.get(ctx.connection) ?? new Map<string, Sender>();
      map.set(linkAddress(sender.target), sender);
      map.set(sender.name, sender);
      broker.replySenders.set(ctx.connection, map);
      return;
    }
    const set = broker.receivers.get(address.toLowerCase()) ?? new Set<Sender>();
    set.add(sender);
    broker.receivers.set(address.toLowerCase(), set);
  });
  const forget = (ctx: EventContext): void => {
    if (ctx.sender) broker.receivers.get(linkAddress(ctx.sender.source).toLowerCase())?.delete(ctx.sender);
  };
  container.on('sender_close', forget);
  container.on('disconnected', (ctx: EventContext) => {
    for (const set of broker.receivers.values()) for (const s of [...set]) if (s.connection === ctx.connection) set.delete(s);
  });
  container.on('sender_draining', (ctx: EventContext) => {
    // The SDK drains its credit when a subscription stops: send what we have, then report drained.
    if (ctx.sender === undefined) return;
    broker.pump(linkAddress(ctx.sender.source));
    ctx.sender.set_drained(true);
  });
  container.on('sendable', (ctx: EventContext) => {
    if (ctx.sender) broker.pump(linkAddress(ctx.sender.source));
  });
  container.on('accepted', (ctx: EventContext) => {
    broker.settle(ctx, 'complete');
  });
  container.on('released', (ctx: EventContext) => {
    broker.settle(ctx, 'abandon');
  });
  container.on('modified', (ctx: EventContext) => {
    broker.settle(ctx, 'abandon');
  });
  container.on('rejected', (ctx: EventContext) => {
    const condition = (ctx.delivery?.remote_state as { error?: { condition?: string } } | undefined)?.error?.condition;
    broker.settle(ctx, condition === DEAD_LETTER ? 'dead-letter' : 'abandon');
  });
  container.on('message', (ctx: EventContext) => {
    const address = linkAddress(ctx.receiver?.target);
    const message = ctx.message;
    if (message === undefined) return;
    if (address === '$cbs') broker.cbs(ctx, message);
    else if (address.endsWith('/$management')) broker.management(ctx, address, message);
    else for (const m of unbatch(message, (ctx as { format?: number }).format)) {
      const { application_properties: app, message_id, content_type, correlation_id, subject, to, reply_to, ttl } = m;
      const body: unknown = m.body;
      const props = Object.fromEntries(Object.entries({ message_id, content_type, correlation_id, subject, to, reply_to, ttl }).filter(([, v]) => v !== undefined));
      broker.log.push(`send ${address}`);
      broker.enqueue(address, body, { ...props, ...(app === undefined ? {} : { application_properties: app }) });
    }
  });
  const listener: Server = container.listen({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => listener.once('listening', resolve));
  const port = (listener.address() as AddressInfo).port;
  const connections = new Set<Connection>();
  container.on('connection_open', (ctx: EventContext) => connections.add(ctx.connection));
  const fake: FakeServiceBusAmqp = {
    port,
    get lockDurationMs() { return broker.lockDurationMs; },
    set lockDurationMs(ms: number) { broker.lockDurationMs = ms; },
    get maxDeliveryCount() { return broker.maxDeliveryCount; },
    set maxDeliveryCount(n: number) { broker.maxDeliveryCount = n; },
    log: broker.log,
    entity: (address) => broker.entity(address),
    enqueue: (address, body, message) => { broker.enqueue(address, body, message); },
    connectionString: () => `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=ZmFrZS1zZXJ2aWNlYnVz;UseDevelopmentEmulator=true`,
    async close() {
      for (const e of broker.entities.values()) for (const m of e.locked.values()) if (m.lock) clearTimeout(m.lock.timer);
      for (const c of connections) c.close();
      await new Promise<void>((resolve) => listener.close(() => { resolve(); }));
    },
  };
  return fake;
}
