// `queue` output binding: enqueues what the function returned or set. Like the Storage extension's
// clients it encodes with host.json extensions.queues.messageEncoding (base64 unless `none`), creates
// the queue on first use, and writes one message per element when the value is an array. Listeners of
// the same queue in this process are woken at once.
import type { QueueClient } from '@azure/storage-queue';
import type { RpcTypedData } from '../../../app/rpc.js';
import { BindingConfigError, type OutputBinding, type OutputBindingDefinition } from '../contract.js';
import { stringOption } from '../settings.js';
import { queueClientFor, storageConnection, storageStatus } from '../storage-connection.js';
import { encodeMessageText } from '../triggers/queue-message.js';
import { normalizeQueueName, queueMessageEncoding } from '../triggers/queue-options.js';
import { notifyQueueWrite, queueKey } from '../triggers/queue-wake.js';

/** The bodies of the messages one output value becomes: arrays (JSON or collections) fan out. */
export function queueMessageBodies(value: RpcTypedData): (string | Uint8Array)[] {
  if (value.string !== undefined && value.string !== null) return [value.string];
  if (value.bytes) return [value.bytes];
  if (value.stream) return [value.stream];
  if (value.int !== undefined && value.int !== null) return [String(value.int)];
  if (value.double !== undefined && value.double !== null) return [String(value.double)];
  if (value.json !== undefined && value.json !== null) return jsonBodies(value.json);
  if (value.collectionString) return [...(value.collectionString.string ?? [])];
  if (value.collectionBytes) return [...(value.collectionBytes.bytes ?? [])];
  if (value.collectionDouble) return (value.collectionDouble.double ?? []).map(String);
  if (value.collectionSint64) return (value.collectionSint64.sint64 ?? []).map(String);
  return [];
}

function jsonBodies(json: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [json];
  }
  if (!Array.isArray(parsed)) return [json];
  // Array elements: strings as they are, anything else as its JSON.
  return parsed.map((item: unknown) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

class QueueOutput implements OutputBinding {
  private created = false;

  constructor(
    private readonly client: QueueClient,
    private readonly encoding: 'base64' | 'none',
    private readonly wakeKey: string,
  ) {}

  async write(value: RpcTypedData): Promise<void> {
    const bodies = queueMessageBodies(value);
    for (const body of bodies) await this.send(encodeMessageText(body, this.encoding));
    if (bodies.length > 0) notifyQueueWrite(this.wakeKey);
  }

  private async send(text: string): Promise<void> {
    try {
      await this.client.sendMessage(text);
    } catch (error) {
      if (this.created || storageStatus(error) !== 404) throw error;
      await this.client.createIfNotExists();
      this.created = true;
      await this.client.sendMessage(text);
    }
  }
}

/** The `queue` output binding: `queueName` (`%NAME%` resolved), `connection` (empty → AzureWebJobsStorage). */
export const queueOutput: OutputBindingDefinition = {
  type: 'queue',
  create(binding, ctx) {
    const where = `binding "${binding.name}" (queue output)`;
    const rawName = stringOption(binding.options, 'queueName', ctx.settings, where);
    if (rawName === undefined || rawName === '') throw new BindingConfigError(`${where}: "queueName" is required`);
    // Binding expressions on trigger data ({name}) need the invocation's metadata: not supported yet.
    if (/[{}]/.test(rawName)) throw new BindingConfigError(`${where}: queue name "${rawName}" uses a {…} binding expression, which tide does not support yet`);
    const queueName = normalizeQueueName(rawName, where);
    const connection = storageConnection(binding.options, ctx.settings, 'queue', where);
    return new QueueOutput(queueClientFor(connection, queueName), queueMessageEncoding(ctx.hostJson), queueKey(connection.endpoint.url, queueName));
  },
};
