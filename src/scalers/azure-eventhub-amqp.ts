// Event Hubs runtime information over AMQP 1.0, as the Azure SDKs read it: SASL ANONYMOUS, a SAS token
// put on the `$cbs` node (claims-based security) for the hub's audience, then READ requests on the
// hub's `$management` node — `com.microsoft:eventhub` for the partition ids and
// `com.microsoft:partition` for a partition's sequence numbers. Requests and responses are matched by
// message id / correlation id over a sender + receiver pair per node.

import type { Connection, ConnectionOptions, EventContext, Message, Receiver, Sender } from 'rhea';
import { loadFor, loadRhea } from './client-libraries.js';
import { sasTokenFor, type SbConnection } from './azure-sas.js';
import type { PartitionInfo } from './azure-eventhub-lag.js';

const AMQPS_PORT = 5671;
const AMQP_PORT = 5672;

interface Pending {
  readonly resolve: (message: Message) => void;
  readonly reject: (error: Error) => void;
}

/** A request/response pair of links on one node (`$cbs`, `$management`). */
class RpcLink {
  private readonly pending = new Map<string, Pending>();
  private next = 0;

  constructor(
    private readonly sender: Sender,
    receiver: Receiver,
    private readonly replyTo: string,
  ) {
    receiver.on('message', (ctx: EventContext) => {
      const id = ctx.message?.correlation_id;
      const waiting = typeof id === 'string' ? this.pending.get(id) : undefined;
      if (waiting && ctx.message) {
        this.pending.delete(String(id));
        waiting.resolve(ctx.message);
      }
    });
  }

  request(properties: Record<string, string>, body: unknown, signal: AbortSignal): Promise<Message> {
    const id = `${this.replyTo}-${++this.next}`;
    return new Promise<Message>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id);
        reject(new Error('the request was aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (m) => { signal.removeEventListener('abort', onAbort); resolve(m); },
        reject: (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
      });
      this.sender.send({ message_id: id, reply_to: this.replyTo, application_properties: properties, body });
    });
  }

  failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

function status(message: Message): { code: number; description: string } {
  const props = (message.application_properties ?? {}) as Record<string, unknown>;
  const code = Number(props['status-code'] ?? props.statusCode ?? 0);
  const description = props['status-description'] ?? props.statusDescription;
  return { code, description: typeof description === 'string' ? description : '' };
}

/** rhea decodes an AMQP long as a number when it fits 53 bits and as its 8 raw bytes otherwise. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (Buffer.isBuffer(value) && value.length === 8) return value.readBigInt64BE(0);
  throw new Error(`expected a 64-bit integer, got ${typeof value}`);
}

/** An open AMQP connection to one event hub's management node. */
export class EventHubManagement {
  private constructor(
    private readonly connection: Connection,
    private readonly cbs: RpcLink,
    private readonly management: RpcLink,
    private readonly conn: SbConnection,
    private readonly hub: string,
  ) {}

  /** Connects (TLS on 5671 for the real service; plain 5672 for an emulator or fake) and opens both nodes. */
  static async open(conn: SbConnection, hub: string, signal: AbortSignal): Promise<EventHubManagement> {
    const common = {
      host: conn.hostname,
      hostname: conn.hostname,
      port: conn.port ?? (conn.insecure ? AMQP_PORT : AMQPS_PORT),
      // rhea picks SASL ANONYMOUS for a user name without a password: the token goes to $cbs instead.
      username: 'anonymous',
      reconnect: false,
      idle_time_out: 60_000,
    };
    const options: ConnectionOptions = conn.insecure ? { ...common, transport: 'tcp' } : { ...common, transport: 'tls', servername: conn.hostname };
    const rhea = await loadFor(loadRhea, signal);
    const connection = rhea.create_container({ id: `tide-${hub}` }).connect(options);
    const opened = new Promise<void>((resolve, reject) => {
      connection.once('connection_open', () => { resolve(); });
      connection.once('connection_error', (ctx: EventContext) => { reject(new Error(errorText(ctx.connection.error, 'the connection was refused'))); });
      connection.once('disconnected', (ctx: EventContext) => { reject(new Error(errorText(ctx.error, 'disconnected'))); });
    });
    const abort = (): void => { connection.close(); };
    signal.addEventListener('abort', abort, { once: true });
    try {
      await opened;
      const cbs = rpcLink(connection, rhea.generate_uuid(), '$cbs');
      const management = rpcLink(connection, rhea.generate_uuid(), `${hub}/$management`, '$management');
      const client = new EventHubManagement(connection, cbs, management, conn, hub);
      connection.on('disconnected', () => { cbs.failAll(new Error('the AMQP connection was lost')); management.failAll(new Error('the AMQP connection was lost')); });
      return client;
    } catch (error) {
      connection.close();
      throw new Error(`cannot reach the Event Hubs namespace ${conn.host}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** Puts a fresh SAS token for the hub's audience on $cbs (tokens are short-lived, so once per read). */
  async authorize(now: number, signal: AbortSignal): Promise<void> {
    const audience = `${this.conn.insecure ? 'amqp' : 'amqps'}://${this.conn.host}/${this.hub}`;
    const token = sasTokenFor(this.conn, audience, now);
    const reply = await this.cbs.request({ operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience }, token, signal);
    const { code, description } = status(reply);
    if (code !== 200 && code !== 202) throw new Error(`the Event Hubs namespace refused the SAS token (${code} ${description})`);
  }

  /** The hub's partition ids. */
  async partitionIds(signal: AbortSignal): Promise<string[]> {
    const body = await this.read({ type: 'com.microsoft:eventhub' }, signal);
    const ids = body.partition_ids;
    if (!Array.isArray(ids)) throw new Error(`event hub ${this.hub}: the management node answered without partition_ids`);
    return ids.map(String);
  }

  /** One partition's beginning and last enqueued sequence numbers. */
  async partition(id: string, signal: AbortSignal): Promise<PartitionInfo> {
    const body = await this.read({ type: 'com.microsoft:partition', partition: id }, signal);
    return { id, beginningSequenceNumber: toBigInt(body.begin_sequence_number), lastEnqueuedSequenceNumber: toBigInt(body.last_enqueued_sequence_number) };
  }

  /** Closes the connection. */
  close(): void {
    this.connection.close();
  }

  private async read(properties: Record<string, string>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const reply = await this.management.request({ operation: 'READ', name: this.hub, ...properties }, undefined, signal);
    const { code, description } = status(reply);
    if (code !== 200) throw new Error(`event hub ${this.hub}: the management node answered ${code} ${description}`.trim());
    const body: unknown = reply.body;
    if (typeof body !== 'object' || body === null) throw new Error(`event hub ${this.hub}: the management node answered an empty body`);
    return body as Record<string, unknown>;
  }
}

/** A request/response link pair on `target`; `uuid` makes its reply address unique. */
function rpcLink(connection: Connection, uuid: string, target: string, source = target): RpcLink {
  const replyTo = `${source.replace(/^\$/, '')}-${uuid}`;
  const sender = connection.open_sender({ target: { address: target } });
  const receiver = connection.open_receiver({ source: { address: source }, target: { address: replyTo }, credit_window: 10 });
  return new RpcLink(sender, receiver, replyTo);
}

function errorText(error: unknown, fallback: string): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'description' in error && typeof error.description === 'string') return error.description;
  return fallback;
}
