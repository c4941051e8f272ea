// A FAKE Azure Event Hubs namespace (no Event Hubs server exists on this machine): an AMQP 1.0 listener
// (rhea) on a free 127.0.0.1 port — never RabbitMQ's 5672 — answering what a runtime-information
// client sends: SASL ANONYMOUS, `put-token` on `$cbs` (the SAS token is verified like the service
// does: known key name, HMAC-SHA256 of `<sr>\n<se>`, not expired, audience covering the hub), then
// `READ` requests on `<hub>/$management` for `com.microsoft:eventhub` (partition_ids) and
// `com.microsoft:partition` (begin_sequence_number, last_enqueued_sequence_number as AMQP longs).
// Management requests before a valid token get 401, an unknown hub or partition 404.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';
import type { Connection, EventContext, Message, Sender } from 'rhea';

export interface FakePartition {
  begin: bigint;
  /** −1 for a partition that never held an event. */
  last: bigint;
}

export interface FakeEventHubs {
  readonly port: number;
  readonly keyName: string;
  readonly key: string;
  /** Partitions by hub name, then partition id. */
  readonly hubs: Map<string, Map<string, FakePartition>>;
  /** Operations seen, e.g. `put-token amqp://127.0.0.1:5/hub`, `READ com.microsoft:partition 0`. */
  readonly log: string[];
  connectionString(hub?: string, key?: string): string;
  close(): Promise<void>;
}

function long(value: bigint): unknown {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  return rhea.types.wrap_long(bytes);
}

function verify(token: string, audience: string, keys: ReadonlyMap<string, string>): string | undefined {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return 'not a SharedAccessSignature';
  const fields = new Map(token.slice(prefix.length).split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const [sr, sig, se, skn] = [fields.get('sr'), fields.get('sig'), fields.get('se'), fields.get('skn')];
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) return 'sr, sig, se and skn are required';
  const key = keys.get(skn);
  if (key === undefined) return `no authorization rule named ${skn}`;
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig.replace(/\+/g, ' ')), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'InvalidSignature: the token has an invalid signature';
  if (!(Number(se) * 1000 > Date.now())) return 'ExpiredToken';
  const scope = decodeURIComponent(sr.replace(/\+/g, ' ')).toLowerCase().replace(/^[a-z]+:\/\//, '');
  if (!audience.toLowerCase().replace(/^[a-z]+:\/\//, '').startsWith(scope)) return 'InvalidAudience';
  return undefined;
}

function reply(connection: Connection, request: Message, status: number, description: string, body?: unknown): void {
  const replyTo = request.reply_to;
  const sender = senders.get(connection)?.get(String(replyTo));
  const response: Message = { body: body ?? null, application_properties: { 'status-code': status, 'status-description': description } };
  if (request.message_id !== undefined) response.correlation_id = request.message_id;
  sender?.send(response);
}

/** Reply senders by connection, keyed by the client receiver's target address (its reply-to). */
const senders = new WeakMap<Connection, Map<string, Sender>>();
const authorized = new WeakMap<Connection, Set<string>>();

function onManagement(fake: FakeEventHubs, ctx: EventContext, message: Message): void {
  const props = (message.application_properties ?? {}) as Record<string, unknown>;
  const [hubName, type] = [String(props.name), String(props.type)];
  const partitionId = typeof props.partition === 'string' ? props.partition : undefined;
  fake.log.push(`${String(props.operation)} ${type}${partitionId === undefined ? '' : ` ${partitionId}`}`);
  const hubAudience = `127.0.0.1:${fake.port}/${hubName}`.toLowerCase();
  if (![...(authorized.get(ctx.connection) ?? [])].some((a) => hubAudience.startsWith(a))) {
    reply(ctx.connection, message, 401, 'Unauthorized: put a token on $cbs first');
    return;
  }
  const hub = fake.hubs.get(hubName);
  if (props.operation !== 'READ' || hub === undefined) {
    reply(ctx.connection, message, 404, `The messaging entity '${hubName}' could not be found.`);
    return;
  }
  if (type === 'com.microsoft:eventhub') {
    reply(ctx.connection, message, 200, 'OK', rhea.types.wrap_map({ name: hubName, partition_count: hub.size, partition_ids: [...hub.keys()], created_at: new Date(0) }));
    return;
  }
  const partition = hub.get(partitionId ?? '');
  if (type !== 'com.microsoft:partition' || partition === undefined) {
    reply(ctx.connection, message, 404, `partition ${partitionId ?? ''} not found`);
    return;
  }
  reply(ctx.connection, message, 200, 'OK', rhea.types.wrap_map({
    name: hubName,
    partition: partitionId ?? '',
    begin_sequence_number: long(partition.begin),
    last_enqueued_sequence_number: long(partition.last),
    last_enqueued_offset: '0',
    is_partition_empty: partition.last === -1n,
  }));
}

function onCbs(fake: FakeEventHubs, ctx: EventContext, message: Message): void {
  const props = (message.application_properties ?? {}) as Record<string, unknown>;
  const audience = String(props.name);
  fake.log.push(`${String(props.operation)} ${audience}`);
  const problem = verify(String(message.body), audience, new Map([[fake.keyName, fake.key]]));
  if (problem !== undefined) {
    reply(ctx.connection, message, 401, problem);
    return;
  }
  const set = authorized.get(ctx.connection) ?? new Set<string>();
  set.add(audience.toLowerCase().replace(/^[a-z]+:\/\//, ''));
  authorized.set(ctx.connection, set);
  reply(ctx.connection, message, 202, 'Accepted');
}

/** Starts the fake on a free loopback port. */
export async function startFakeEventHubs(): Promise<FakeEventHubs> {
  const container = rhea.create_container({ id: 'fake-eventhubs' });
  (container.sasl_server_mechanisms as { enable_anonymous: () => void }).enable_anonymous();
  container.on('sender_open', (ctx: EventContext) => {
    const sender = ctx.sender;
    if (!sender) return;
    const map = senders.get(ctx.connection) ?? new Map<string, Sender>();
    map.set(String((sender.target as { address?: string } | undefined)?.address), sender);
    senders.set(ctx.connection, map);
  });
  container.on('message', (ctx: EventContext) => {
    const address = String((ctx.receiver?.target as { address?: string } | undefined)?.address);
    if (!ctx.message) return;
    if (address === '$cbs') onCbs(fake, ctx, ctx.message);
    else if (address.endsWith('/$management')) onManagement(fake, ctx, ctx.message);
  });
  const listener: Server = container.listen({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => listener.once('listening', resolve));
  const fake: FakeEventHubs = {
    port: (listener.address() as AddressInfo).port,
    keyName: 'RootManageSharedAccessKey',
    key: 'ZmFrZS1ldmVudC1odWJzLWtleQ==',
    hubs: new Map(),
    log: [],
    connectionString(hub, key = fake.key) {
      return `Endpoint=sb://127.0.0.1:${fake.port}/;SharedAccessKeyName=${fake.keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true${hub === undefined ? '' : `;EntityPath=${hub}`}`;
    },
    close: () => new Promise<void>((resolve) => listener.close(() => { resolve(); })),
  };
  return fake;
}
