// `blob` output binding: writes the value as a block blob at `path` = `container/name`, creating the
// container when it is missing. `%NAME%` is resolved from settings when the binding is created; `{…}`
// tokens are resolved per write: the system tokens `{rand-guid}` and `{DateTime}`, and trigger
// metadata (`{queueTrigger}`, `{id}`, …) when the caller passes the invocation's metadata.
import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { RpcTypedData } from '../../../app/rpc.js';
import type { BindingDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type HostContext, type OutputBinding, type OutputBindingDefinition } from '../contract.js';
import { stringOption } from '../settings.js';
import { containerClientFor, storageConnection, storageStatus, type StorageConnection } from '../storage-connection.js';

/** Trigger metadata as the dispatcher has it (PascalCase keys; matched case-insensitively). */
export type BindingMetadata = Readonly<Record<string, RpcTypedData>>;

/** The blob body of an output value, or undefined when the value is empty (nothing is written). */
export function blobBody(value: RpcTypedData): Uint8Array | undefined {
  if (value.bytes) return value.bytes;
  if (value.stream) return value.stream;
  const text =
    value.string ??
    value.json ??
    (value.int !== undefined && value.int !== null ? String(value.int) : undefined) ??
    (value.double !== undefined && value.double !== null ? String(value.double) : undefined) ??
    collectionJson(value);
  return text === undefined ? undefined : Buffer.from(text, 'utf8');
}

function collectionJson(value: RpcTypedData): string | undefined {
  const items = value.collectionString?.string ?? value.collectionDouble?.double ?? value.collectionSint64?.sint64;
  return items ? JSON.stringify(items) : undefined;
}

function metadataText(data: RpcTypedData): string | undefined {
  if (typeof data.string === 'string') return data.string;
  if (typeof data.int === 'number') return String(data.int);
  if (typeof data.double === 'number') return String(data.double);
  if (typeof data.json !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(data.json);
    return typeof parsed === 'string' || typeof parsed === 'number' || typeof parsed === 'boolean' ? String(parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** `{DateTime}` as the Functions host formats it: UTC `yyyy-MM-ddTHH-mm-ssZ` (no colons, valid in a blob name). */
export function blobDateTime(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** Resolves the `{…}` tokens of a blob path; an unknown token is an Error naming it (the invocation fails and is retried). */
export function resolveBlobPath(template: string, metadata: BindingMetadata, now: number, newGuid: () => string): string {
  return template.replace(/\{([^{}]+)\}/g, (_match, token: string) => {
    const key = token.trim().toLowerCase();
    if (key === 'rand-guid') return newGuid();
    if (key === 'datetime') return blobDateTime(now);
    const entry = Object.entries(metadata).find(([name]) => name.toLowerCase() === key);
    const text = entry ? metadataText(entry[1]) : undefined;
    if (text === undefined) throw new Error(`blob path "${template}": no trigger value for {${token}}`);
    return text;
  });
}

/** Splits `container/name` and checks the container name; a bad path is a BindingConfigError. */
export function splitBlobPath(path: string, where: string): { container: string; blob: string } {
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  const blob = slash < 0 ? '' : path.slice(slash + 1);
  if (blob === '') throw new BindingConfigError(`${where}: path "${path}" must be "container/blob-name"`);
  if (!/[{}]/.test(container) && !/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(container)) {
    throw new BindingConfigError(`${where}: container "${container}" in path "${path}" is invalid (3–63 lower-case letters, digits and single hyphens)`);
  }
  return { container, blob };
}

/** A blob output whose write also takes the invocation's trigger metadata for `{…}` tokens. */
export class BlobOutput implements OutputBinding {
  private readonly containers = new Map<string, ContainerClient>();

  constructor(
    private readonly connection: StorageConnection,
    private readonly path: string,
    private readonly where: string,
    private readonly now: () => number,
  ) {}

  /** Writes the blob; `metadata` resolves trigger tokens such as `{queueTrigger}`. */
  async write(value: RpcTypedData, metadata: BindingMetadata = {}): Promise<void> {
    const body = blobBody(value);
    if (body === undefined) return;
    const { container, blob } = splitBlobPath(resolveBlobPath(this.path, metadata, this.now(), randomUUID), this.where);
    const client = this.container(container);
    const upload = (): Promise<unknown> => client.getBlockBlobClient(blob).uploadData(body);
    try {
      await upload();
    } catch (error) {
      if (storageStatus(error) !== 404) throw error;
      await client.createIfNotExists();
      await upload();
    }
  }

  private container(name: string): ContainerClient {
    let client = this.containers.get(name);
    if (!client) {
      client = containerClientFor(this.connection, name);
      this.containers.set(name, client);
    }
    return client;
  }
}

/** Creates a blob output: `path` (`container/name`, `%NAME%` resolved), `connection` (empty → AzureWebJobsStorage). */
export function createBlobOutput(binding: BindingDefinition, ctx: HostContext): BlobOutput {
  const where = `binding "${binding.name}" (blob output)`;
  const path = stringOption(binding.options, 'path', ctx.settings, where);
  if (path === undefined || path === '') throw new BindingConfigError(`${where}: "path" is required`);
  splitBlobPath(path, where);
  const connection = storageConnection(binding.options, ctx.settings, 'blob', where);
  return new BlobOutput(connection, path, where, () => ctx.now());
}

/** The `blob` output binding. */
export const blobOutput: OutputBindingDefinition = { type: 'blob', create: createBlobOutput };
