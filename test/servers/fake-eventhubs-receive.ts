// A FAKE Azure Event Hubs namespace that can be consumed from (no Event Hubs server exists on this
// machine). test/servers/fake-eventhubs.ts answers only what the scaler asks and exports no way to
// add links to its container, so this one speaks the same protocol on its own rhea container:
// SASL ANONYMOUS, `put-token` on `$cbs` (SAS tokens verified as the service does: known key name,
// HMAC-SHA256 of `<sr>\n<se>`, not expired), `READ` on `<hub>/$management` (hub and partition
// properties), and — the part the trigger needs — receiver links on
// `<hub>/ConsumerGroups/<cg>/Partitions/<id>` that honour the `apache.org:selector-filter:string`
// (x-opt-offset / x-opt-sequence-number `>` or `>=`, x-opt-enqueued-time `>`, offset `@latest`),
// sending at most the link credit, each event a data section with the message annotations
// x-opt-sequence-number (long), x-opt-offset (string), x-opt-enqueued-time (timestamp) and
// x-opt-partition-key. Sender links on `<hub>` or `<hub>/Partitions/<id>` are accepted too: a plain
// message or a batch envelope (message format 0x80013700, each data section an encoded message) is
// appended to the named partition, else by partition key hash, else to one partition per delivery
// chosen round robin. The SDK reaches it
// in plain AMQP through `UseDevelopmentEmulator=true`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';
import type { Connection, EventContext, Message, Sender } from 'rhea';

/** An event as stored in a partition. */
export interface StoredEvent {
  readonly body: Buffer;
  readonly properties: Record<string, string | number | boolean>;
  readonly partitionKey: string | undefined;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTime: number;
}

/** What a test publishes. */
export interface PublishedEvent {
  body: string | Buffer;
  properties?: Record<string, string | number | boolean>;
  partitionKey?: string;
}

export interface FakeEventHubsReceive {
  readonly port: number;
  readonly keyName: string;
  readonly key: string;
  /** Events by hub name, then partition id. */
  readonly hubs: Map<string, Map<string, StoredEvent[]>>;
  /** Operations seen: `put-token <audience>`, `READ <type>`, `attach <address> <filter>`, `detach <address>`. */
  readonly log: string[];
  /** Creates a hub with partitions `0` … `partitions − 1`. */
  createHub(name: string, partitions: number): void;
  /** Appends events to a partition (sequence numbers from 0, offsets = byte positions) and wakes its receivers. */
  publish(hub: string, partition: string, events: readonly PublishedEvent[]): StoredEvent[];
  /** Receiver links open right now. */
  openReceivers(): number;
  connectionString(hub?: string): string;
  close(): Promise<void>;
}

interface Cursor {
  readonly sender: Sender;
  readonly events: StoredEvent[];
  next: number;
}

const BATCH_FORMAT = 0x80013700;
const MAX_MESSAGE_SIZE = 1024 * 1024;

function hashOf(key: string): number {
  let h = 0;
  for (const c of key) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return h;
}

const FILTER = /^amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'$/;

/** Index of the first event the selector filter admits, or an error text for a filter the service would refuse. */
export function firstIndex(events: readonly StoredEvent[], filter: string): number | string {
  const match = FILTER.exec(filter.trim());
  if (!match) return `unsupported selector filter: ${filter}`;
  const [, field, op, raw] = match as unknown as [string, string, string, string];
  if (field === 'x-opt-offset' && raw === '@latest') return events.length;
  if (!/^-?\d+$/.test(raw)) return `not a number in selector filter: ${filter}`;
  const bound = Number(raw);
  const key = (e: StoredEvent): number => (field === 'x-opt-offset' ? Number(e.offset) : field === 'x-opt-sequence-number' ? e.sequenceNumber : e.enqueuedTime);
  const index = events.findIndex((e) => (op === '>=' ? key(e) >= bound : key(e) > bound));
  return index === -1 ? events.length : index;
}

function verify(token: string, keys: ReadonlyMap<string, string>): string | undefined {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return 'not a SharedAccessSignature';
  const fields = new Map(token.slice(prefix.length).split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const [sr, sig, se, skn] = [fields.get('sr'), fields.get('sig'), fields.get('se'), fields.get('skn')];
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) return 'sr, sig, se and skn are required';
  const key = keys.get(skn);
  if (key === undefined) return `no authorization rule named ${skn}`;
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig.replace(/\+/g, ' ')), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'InvalidSignature';
  if (!(Number(se) * 1000 > Date.now())) return 'ExpiredToken';
  return undefined;
}

function long(value: number): unknown {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(value));
  return rhea.types.wrap_long(bytes);
}

function toMessage(e: StoredEvent): Message {
  const annotations: Record<string, unknown> = {
    'x-opt-sequence-number': long(e.sequenceNumber),
    'x-opt-offset': e.offset,
    'x-opt-enqueued-time': rhea.types.wrap_timestamp(e.enqueuedTime),
  };
  if (e.partitionKey !== undefined) annotations['x-opt-partition-key'] = e.partitionKey;
  return { body: rhea.message.data_section(e.body) as unknown, message_annotations: annotations, application_properties: e.properties };
}

/** The selector filter text of an attach's source, decoded by rhea as a described value. */
function selectorOf(source: unknown): string | undefined {
  const filter = (source as { filter?: Record<string, unknown> } | undefined)?.filter;
  const described = filter?.['apache.org:selector-filter:string'];
  if (typeof described === 'string') return described;
  const value = (described as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

/** Starts the fake on a free loopback port. */
export async function startFakeEventHubsReceive(): Promise<FakeEventHubsReceive> {
  const container = rhea.create_container({ id: 'fake-eventhubs-receive' });
  (container.sasl_server_mechanisms as { enable_anonymous: () => void }).enable_anonymous();
  const replySenders = new WeakMap<Connection, Map<string, Sender>>();
  const authorized = new WeakSet<Connection>();
  const cursors = new Map<Sender, Cursor>();
  const connections = new Set<Connection>();
  const keys = new Map([['RootManageSharedAccessKey', 'ZmFrZS1ldmVudC1odWJzLWtleQ==']]);

  const pump = (cursor: Cursor): void => {
    while (cursor.sender.sendable() && cursor.next < cursor.events.length) {
      cursor.sender.send(toMessage(cursor.events[cursor.next] as StoredEvent));
      cursor.next += 1;
    }
  };
  const reply = (connection: Connection, request: Message, status: number, description: string, body?: unknown): void => {
    const sender = replySenders.get(connection)?.get(String(request.reply_to));
    const response: Message = { body: body ?? null, application_properties: { 'status-code': status, 'status-description': description } };
    if (request.message_id !== undefined) response.correlation_id = request.message_id;
    sender?.send(response);
  };

  const openPartitionLink = (ctx: EventContext, sender: Sender, address: string): void => {
    const [hubName, , consumerGroup, , partitionId] = address.split('/');
    const events = fake.hubs.get(hubName ?? '')?.get(partitionId ?? '');
    const filter = selectorOf(sender.source);
    fake.log.push(`attach ${address} ${filter ?? '-'}`);
    if (!authorized.has(ctx.connection)) {
      sender.close({ condition: 'amqp:unauthorized-access', description: 'put a token on $cbs first' });
      return;
    }
    if (events === undefined || consumerGroup === undefined) {
      sender.close({ condition: 'amqp:not-found', description: `The messaging entity '${address}' could not be found.` });
      return;
    }
    const start = filter === undefined ? 0 : firstIndex(events, filter);
    if (typeof start === 'string') {
      sender.close({ condition: 'amqp:invalid-field', description: start });
      return;
    }
    const cursor: Cursor = { sender, events, next: start };
    cursors.set(sender, cursor);
    pump(cursor);
  };

  container.on('connection_open', (ctx: EventContext) => connections.add(ctx.connection));
  container.on('disconnected', (ctx: EventContext) => {
    connections.delete(ctx.connection);
    for (const [sender, cursor] of cursors) if (cursor.sender.connection === ctx.connection) cursors.delete(sender);
  });
  container.on('sender_open', (ctx: EventContext) => {
    const sender = ctx.sender;
    if (!sender) return;
    const address = String((sender.source as { address?: string } | undefined)?.address);
    if (/^[^/]+\/ConsumerGroups\/[^/]+\/Partitions\/[^/]+$/i.test(address)) {
      openPartitionLink(ctx, sender, address);
      return;
    }
    const map = replySenders.get(ctx.connection) ?? new Map<string, Sender>();
    // The SDK's reply links leave the target empty and use the link name as reply-to.
    map.set((sender.target as { address?: string } | undefined)?.address ?? sender.name, sender);
    replySenders.set(ctx.connection, map);
  });
  container.on('sendable', (ctx: EventContext) => {
    const cursor = ctx.sender ? cursors.get(ctx.sender) : undefined;
    if (cursor) pump(cursor);
  });
  container.on('sender_close', (ctx: EventContext) => {
    if (!ctx.sender || !cursors.delete(ctx.sender)) return;
    fake.log.push(`detach ${String((ctx.sender.source as { address?: string } | undefined)?.address)}`);
  });
  let roundRobin = 0;
  const ingest = (ctx: EventContext, address: string, message: Message): void => {
    const [hubName, , partitionId] = address.split('/');
    const hub = fake.hubs.get(hubName ?? '');
    if (hub === undefined || !authorized.has(ctx.connection)) {
      ctx.delivery?.reject({ condition: 'amqp:not-found', description: `The messaging entity '${address}' could not be found.` });
      return;
    }
    // rhea hands a non-zero message format over undecoded: the batch envelope is a Buffer.
    const envelope = ctx.delivery?.format === BATCH_FORMAT ? (rhea.message.decode(message as unknown as Buffer) as unknown as Message) : undefined;
    const sections: unknown = (envelope?.body as { content?: unknown } | undefined)?.content;
    const parts: Message[] = envelope ? [sections].flat().map((b) => rhea.message.decode(b as Buffer) as unknown as Message) : [message];
    const ids = [...hub.keys()];
    // A batch lands in one partition, as the service does; round robin picks it per delivery.
    const spread = ids[roundRobin++ % ids.length];
    for (const part of parts) {
      const annotations = (part.message_annotations ?? envelope?.message_annotations ?? {}) as Record<string, unknown>;
      const key = typeof annotations['x-opt-partition-key'] === 'string' ? annotations['x-opt-partition-key'] : undefined;
      const target = partitionId ?? (key === undefined ? spread : ids[hashOf(key) % ids.length]);
      const content: unknown = (part.body as { content?: unknown } | undefined)?.content ?? part.body;
      const bytes = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
      const properties = (part.application_properties ?? {}) as Record<string, string | number | boolean>;
      fake.publish(hubName ?? '', target ?? '0', [{ body: bytes, properties, ...(key === undefined ? {} : { partitionKey: key }) }]);
    }
    fake.log.push(`send ${address} ${parts.length}`);
  };

  container.on('receiver_open', (ctx: EventContext) => {
    // What the service advertises; the SDK sizes its batches from it.
    if (ctx.receiver) (ctx.receiver as unknown as { local: { attach: { max_message_size?: unknown } } }).local.attach.max_message_size = MAX_MESSAGE_SIZE;
  });
  container.on('message', (ctx: EventContext) => {
    const address = String((ctx.receiver?.target as { address?: string } | undefined)?.address);
    const message = ctx.message;
    if (!message) return;
    if (/^[^/$]+(\/Partitions\/[^/]+)?$/.test(address)) {
      ingest(ctx, address, message);
      return;
    }
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    if (address === '$cbs') {
      fake.log.push(`${String(props.operation)} ${String(props.name)}`);
      const problem = verify(String(message.body), keys);
      if (problem !== undefined) { reply(ctx.connection, message, 401, problem); return; }
      authorized.add(ctx.connection);
      reply(ctx.connection, message, 202, 'Accepted'); return;
    }
    if (address !== '$management' && !address.endsWith('/$management')) return;
    const [hubName, type, partitionId] = [String(props.name), String(props.type), typeof props.partition === 'string' ? props.partition : undefined];
    fake.log.push(`${String(props.operation)} ${type}${partitionId === undefined ? '' : ` ${partitionId}`}`);
    if (!authorized.has(ctx.connection)) { reply(ctx.connection, message, 401, 'Unauthorized: put a token on $cbs first'); return; }
    const hub = fake.hubs.get(hubName);
    if (props.operation !== 'READ' || hub === undefined) { reply(ctx.connection, message, 404, `The messaging entity '${hubName}' could not be found.`); return; }
    if (type === 'com.microsoft:eventhub') {
      reply(ctx.connection, message, 200, 'OK', rhea.types.wrap_map({ name: hubName, partition_count: hub.size, partition_ids: [...hub.keys()], created_at: new Date(0) })); return;
    }
    const events = hub.get(partitionId ?? '');
    if (type !== 'com.microsoft:partition' || events === undefined) { reply(ctx.connection, message, 404, `partition ${partitionId ?? ''} not found`); return; }
    const last = events[events.length - 1];
    reply(ctx.connection, message, 200, 'OK', rhea.types.wrap_map({
      name: hubName,
      partition: partitionId ?? '',
      begin_sequence_number: long(0),
      last_enqueued_sequence_number: long(last?.sequenceNumber ?? -1),
      last_enqueued_offset: last?.offset ?? '-1',
      last_enqueued_time_utc: new Date(last?.enqueuedTime ?? 0),
      is_partition_empty: last === undefined,
    }));
  });

  const listener: Server = container.listen({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => listener.once('listening', resolve));
  const fake: FakeEventHubsReceive = {
    port: (listener.address() as AddressInfo).port,
    keyName: 'RootManageSharedAccessKey',
    key: keys.get('RootManageSharedAccessKey') as string,
    hubs: new Map(),
    log: [],
    createHub(name, partitions) {
      fake.hubs.set(name, new Map(Array.from({ length: partitions }, (_, i) => [String(i), [] as StoredEvent[]])));
    },
    publish(hub, partition, published) {
      const events = fake.hubs.get(hub)?.get(partition);
      if (events === undefined) throw new Error(`no partition ${hub}/${partition}`);
      const added: StoredEvent[] = [];
      for (const p of published) {
        const last = events[events.length - 1];
        const body = typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body;
        const offset = last === undefined ? 0 : Number(last.offset) + last.body.length + 100;
        const stored: StoredEvent = { body, properties: p.properties ?? {}, partitionKey: p.partitionKey, sequenceNumber: events.length, offset: String(offset), enqueuedTime: Date.now() };
        events.push(stored);
        added.push(stored);
      }
      for (const cursor of cursors.values()) if (cursor.events === events) pump(cursor);
      return added;
    },
    openReceivers: () => cursors.size,
    connectionString(hub) {
      return `Endpoint=sb://127.0.0.1:${fake.port}/;SharedAccessKeyName=${fake.keyName};SharedAccessKey=${fake.key};UseDevelopmentEmulator=true${hub === undefined ? '' : `;EntityPath=${hub}`}`;
    },
    close: async () => {
      for (const c of connections) c.close();
      await new Promise<void>((resolve) => listener.close(() => { resolve(); }));
    },
  };
  return fake;
}
