// azure-blob: scale on the number of blobs in an Azure Storage container (under a prefix, or matching a glob).

import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import { defineScaler, issue, type ConnectContext, type IssueResult } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { checkCloud, checkStorageCredential, storageEndpointSuffix, storageParams, unsupportedIdentity } from './azure-storage.js';
import { parseStorageConnection, resourceUrl } from './azure-connection.js';
import { answeredStatus, storageErrorMessage } from './azure-storage-errors.js';
import { compileGlob, globMatches } from './azure-glob.js';
import { loadFor, loadStorageBlob } from './client-libraries.js';

// One try per call: the SDK's first retry waits 4 s, past the 3 s budget of a poll.
const CLIENT_OPTIONS: StoragePipelineOptions = { retryOptions: { maxTries: 1 } };
// The service's largest page: fewest round trips per count.
const PAGE_SIZE = 5000;

/** An open container: the client and the endpoint host for messages. */
export interface ContainerConnection {
  readonly client: ContainerClient;
  readonly host: string;
  readonly containerName: string;
}

/** What a blob count needs: the derived listing parameters. */
export interface BlobListing {
  readonly blobDelimiter: string;
  readonly blobPrefix: string | undefined;
  readonly globPattern: string | undefined;
}

/** The azure-blob scaler declaration. */
export const azureBlob = defineScaler({
  type: 'azure-blob',
  params: {
    blobContainerName: param.string().required(),
    blobCount: param.int().default(5),
    activationBlobCount: param.int().default(0),
    blobDelimiter: param.string().default('/'),
    blobPrefix: param.string(),
    recursive: param.bool().default(false),
    globPattern: param.string(),
    connection: param.string().from('authParams', 'fromEnv', 'metadata').secret(),
    ...storageParams,
  },
  rules: (rule) => [
    rule(['connection', 'accountName'], (p, ctx) => checkStorageCredential('azure-blob', p, ctx.podIdentity)),
    rule(['cloud', 'endpointSuffix'], checkCloud),
    rule(['globPattern'], (p) => checkGlob(p.globPattern)),
  ],
  derive: (p) => {
    // recursive listing is a flat listing: no delimiter; a prefix then names a "folder" ending in the delimiter.
    const delimiter = p.recursive ? '' : p.blobDelimiter;
    const prefix = p.blobPrefix !== undefined && delimiter !== '' ? p.blobPrefix + delimiter : p.blobPrefix;
    return { ...p, blobDelimiter: delimiter, blobPrefix: prefix, endpointSuffix: storageEndpointSuffix('blob', p) };
  },
  metricName: (p) => `azure-blob-${p.blobContainerName}`,
  target: (p) => ({ value: milliFromInt(p.blobCount), activation: milliFromInt(p.activationBlobCount) }),
  connect: (p, ctx) => openContainer(p, ctx),
  read: async (c, p, ctx) => ({ value: await countBlobs(c, p, ctx.signal) }),
});

/** Rejects glob patterns gobwas/glob fails to compile (unclosed `[` or `{`, empty or backwards classes). */
export function checkGlob(pattern: string | undefined): IssueResult {
  if (pattern === undefined) return undefined;
  const compiled = compileGlob(pattern);
  return 'error' in compiled ? issue('globPattern', `"${pattern}" is not a valid glob pattern (${compiled.error})`) : undefined;
}

/** Builds the container client and checks the endpoint answers (any HTTP status), so an unreachable account fails the connect. */
export async function openContainer(
  p: { blobContainerName: string; connection: string | undefined; accountName: string | undefined; endpointSuffix: string },
  ctx: Pick<ConnectContext, 'signal'>,
): Promise<ContainerConnection> {
  if (p.connection === undefined) throw new Error(unsupportedIdentity('azure-blob', p.accountName, p.endpointSuffix));
  const endpoint = parseStorageConnection(p.connection, 'blob');
  if ('error' in endpoint) throw new Error(endpoint.error);
  const url = resourceUrl(endpoint, p.blobContainerName);
  const { credential } = endpoint;
  const { AnonymousCredential, ContainerClient, StorageSharedKeyCredential } = await loadFor(loadStorageBlob, ctx.signal);
  const client =
    credential.kind === 'key'
      ? new ContainerClient(url, new StorageSharedKeyCredential(credential.accountName, credential.accountKey), CLIENT_OPTIONS)
      : new ContainerClient(url, new AnonymousCredential(), CLIENT_OPTIONS);
  try {
    await client.getProperties({ abortSignal: ctx.signal });
  } catch (error) {
    // A missing container or a refused key is reported by the read, as KEDA does; only silence fails here.
    if (answeredStatus(error) === undefined) throw new Error(storageErrorMessage(error, { kind: 'container', name: p.blobContainerName }, endpoint.host));
  }
  return { client, host: endpoint.host, containerName: p.blobContainerName };
}

/**
 * KEDA's blob count: with a glob, a flat listing under the prefix counting names that match; otherwise
 * the blobs (not the virtual folders) one level under the prefix, or all below it when the delimiter
 * is empty (recursive).
 */
export async function countBlobs(c: ContainerConnection, p: BlobListing, signal: AbortSignal, pageSize = PAGE_SIZE): Promise<number> {
  const glob = p.globPattern !== undefined ? compileGlob(p.globPattern) : undefined;
  if (glob !== undefined && 'error' in glob) throw new Error(`globPattern: ${glob.error}`);
  const options = { abortSignal: signal, ...(p.blobPrefix !== undefined ? { prefix: p.blobPrefix } : {}) };
  let count = 0;
  try {
    if (glob !== undefined) {
      for await (const page of c.client.listBlobsFlat(options).byPage({ maxPageSize: pageSize })) {
        count += page.segment.blobItems.filter((b) => globMatches(glob, b.name, p.blobPrefix)).length;
      }
    } else if (p.blobDelimiter === '') {
      for await (const page of c.client.listBlobsFlat(options).byPage({ maxPageSize: pageSize })) count += page.segment.blobItems.length;
    } else {
      for await (const page of c.client.listBlobsByHierarchy(p.blobDelimiter, options).byPage({ maxPageSize: pageSize })) {
        count += page.segment.blobItems.length;
      }
    }
  } catch (error) {
    throw new Error(storageErrorMessage(error, { kind: 'container', name: c.containerName }, c.host));
  }
  return count;
}
