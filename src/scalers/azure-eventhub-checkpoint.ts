// Where each Event Hubs consumer framework keeps its per-partition checkpoint in blob storage, and how
// to read the sequence number from it — KEDA's checkpoint strategies:
// - azureFunction (also: no blobContainer): container `azure-webjobs-eventhub`, blob
//   `<namespace host>/<hub>/<consumerGroup>/<partition>`, JSON `{"SequenceNumber": n}`
// - blobMetadata (the Azure SDKs' BlobCheckpointStore, also used by Functions extension v5+ with
//   blobContainer azure-webjobs-eventhub): `<namespace host>/<hub>/<consumergroup lower-cased>/checkpoint/<partition>`,
//   blob metadata `sequencenumber`
// - goSdk: `<partition>`, JSON `{"checkpoint": {"sequenceNumber": n}}`; dapr: `dapr-<hub>-<consumerGroup>-<partition>`, same JSON
// - anything else with a blobContainer: `<consumerGroup>/<partition>`, JSON `SequenceNumber` or `sequence_number`

import type { ContainerClient } from '@azure/storage-blob';

/** The strategies KEDA knows; another value with a blobContainer is the legacy C#/Java/Python layout. */
export const CHECKPOINT_STRATEGIES = ['azureFunction', 'blobMetadata', 'goSdk', 'dapr'] as const;

/** What locates a checkpoint. */
export interface CheckpointLocation {
  readonly strategy: string | undefined;
  readonly blobContainer: string | undefined;
  /** Namespace host as written in the connection string's Endpoint (`ns.servicebus.windows.net`). */
  readonly namespace: string;
  readonly hub: string;
  readonly consumerGroup: string;
}

type Layout = 'jsonPascal' | 'metadata' | 'goSdk' | 'legacy';

/** The container, blob name and format of a partition's checkpoint. */
export function checkpointBlob(loc: CheckpointLocation, partition: string): { container: string; blob: string; layout: Layout } {
  const container = loc.blobContainer ?? '';
  switch (loc.strategy) {
    case 'goSdk':
      return { container, blob: partition, layout: 'goSdk' };
    case 'dapr':
      return { container, blob: `dapr-${loc.hub}-${loc.consumerGroup}-${partition}`, layout: 'goSdk' };
    case 'blobMetadata':
      return { container, blob: `${loc.namespace}/${loc.hub}/${loc.consumerGroup.toLowerCase()}/checkpoint/${partition}`, layout: 'metadata' };
    default:
      if (loc.strategy === 'azureFunction' || container === '') {
        return { container: 'azure-webjobs-eventhub', blob: `${loc.namespace}/${loc.hub}/${loc.consumerGroup}/${partition}`, layout: 'jsonPascal' };
      }
      return { container, blob: `${loc.consumerGroup}/${partition}`, layout: 'legacy' };
  }
}

/** JSON with integers past 2^53 kept exact: long literals become strings before parsing. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as unknown;
  } catch {
    throw new Error('failed to decode blob data: not JSON');
  }
}

/** Go's encoding/json matches field names case-insensitively. */
function field(object: unknown, name: string): unknown {
  if (typeof object !== 'object' || object === null) return undefined;
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (object as Record<string, unknown>)[key];
}

/** An absent number reads 0, as Go's zero value; a non-integer is an error. */
function int64Of(value: unknown, what: string): bigint {
  if (value === undefined || value === null) return 0n;
  if ((typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value))) return BigInt(value);
  throw new Error(`failed to decode blob data: ${what} is not an integer`);
}

/** The sequence number in a checkpoint blob's body (layouts other than metadata). */
export function sequenceFromBody(layout: Exclude<Layout, 'metadata'>, text: string): bigint {
  const json = parseJson(text);
  if (layout === 'goSdk') return int64Of(field(field(json, 'checkpoint'), 'sequenceNumber'), 'checkpoint.sequenceNumber');
  const pascal = int64Of(field(json, 'SequenceNumber'), 'SequenceNumber');
  // KEDA merges the Python SDK's snake_case checkpoint into the zero fields of the C# one.
  return layout === 'legacy' && pascal === 0n ? int64Of(field(json, 'sequence_number'), 'sequence_number') : pascal;
}

/** The sequence number in blob metadata (`sequencenumber`, or `Sequencenumber`). */
export function sequenceFromMetadata(metadata: Readonly<Record<string, string>>): bigint {
  const text = metadata.sequencenumber ?? metadata.Sequencenumber;
  if (text === undefined) throw new Error('sequencenumber on blob not found');
  if (!/^-?\d+$/.test(text)) throw new Error('sequencenumber is not a valid int64 value');
  return BigInt(text);
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return statusCode === 404 || code === 'BlobNotFound' || code === 'ContainerNotFound';
}

/** A partition's checkpoint sequence number, or undefined when its blob or container does not exist. */
export async function readCheckpoint(
  container: (name: string) => ContainerClient,
  loc: CheckpointLocation,
  partition: string,
  signal: AbortSignal,
): Promise<bigint | undefined> {
  const where = checkpointBlob(loc, partition);
  const blob = container(where.container).getBlobClient(where.blob);
  try {
    if (where.layout === 'metadata') return sequenceFromMetadata((await blob.getProperties({ abortSignal: signal })).metadata ?? {});
    const body = await blob.downloadToBuffer(0, undefined, { abortSignal: signal });
    return sequenceFromBody(where.layout, body.toString('utf8'));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`unable to get checkpoint of partition ${partition} from ${where.container}/${where.blob}: ${message ?? ''}`);
  }
}
