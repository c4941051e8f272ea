// Azure Storage clients for the queue trigger and the queue/blob output bindings. The connection a
// binding names is an app setting (empty → AzureWebJobsStorage, as the Functions host does); the
// string is read by the same small parser the scalers use, so `UseDevelopmentStorage=true`, account
// keys, explicit endpoints and SAS strings mean the same thing everywhere. Errors name the setting,
// never its value (it carries the account key).
import { AnonymousCredential, QueueClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-queue';
import { ContainerClient, StorageSharedKeyCredential as BlobSharedKeyCredential, AnonymousCredential as BlobAnonymousCredential } from '@azure/storage-blob';
import { parseStorageConnection, resourceUrl, type StorageEndpoint, type StorageService } from '../../scalers/azure-connection.js';
import { BindingConfigError } from './contract.js';
import { connectionSetting, stringOption } from './settings.js';

/** The setting Storage bindings use when `connection` is empty or absent. */
export const DEFAULT_STORAGE_SETTING = 'AzureWebJobsStorage';

// A few quick tries: a listener backs off on its own, and settling must not hang a drain for minutes.
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 30_000 } };

/** A resolved Storage connection: the setting it came from and the service endpoint. */
export interface StorageConnection {
  readonly setting: string;
  readonly endpoint: StorageEndpoint;
}

/** Resolves a binding's `connection` option to an endpoint of `service`; a missing or unusable setting is a BindingConfigError naming it. */
export function storageConnection(
  options: Readonly<Record<string, unknown>>,
  settings: Readonly<Record<string, string | undefined>>,
  service: StorageService,
  where: string,
): StorageConnection {
  const name = stringOption(options, 'connection', settings, where);
  const setting = name !== undefined && name !== '' ? name : DEFAULT_STORAGE_SETTING;
  const value = connectionSetting(setting, settings, where);
  const endpoint = parseStorageConnection(value, service);
  if ('error' in endpoint) throw new BindingConfigError(`${where}: connection setting "${setting}": ${endpoint.error}`);
  return { setting, endpoint };
}

/** A queue client on the connection; requests go through a short retry pipeline. */
export function queueClientFor(connection: StorageConnection, queueName: string): QueueClient {
  const { endpoint } = connection;
  const url = resourceUrl(endpoint, queueName);
  const { credential } = endpoint;
  return credential.kind === 'key'
    ? new QueueClient(url, new StorageSharedKeyCredential(credential.accountName, credential.accountKey), PIPELINE)
    : new QueueClient(url, new AnonymousCredential(), PIPELINE);
}

/** A blob container client on the connection. */
export function containerClientFor(connection: StorageConnection, container: string): ContainerClient {
  const { endpoint } = connection;
  const url = resourceUrl(endpoint, container);
  const { credential } = endpoint;
  return credential.kind === 'key'
    ? new ContainerClient(url, new BlobSharedKeyCredential(credential.accountName, credential.accountKey), PIPELINE)
    : new ContainerClient(url, new BlobAnonymousCredential(), PIPELINE);
}

/** The HTTP status a Storage call was answered with, or undefined when no answer came (network, abort). */
export function storageStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

/** The service's error code (`QueueNotFound`, `ContainerNotFound`, …) when it sent one. */
export function storageErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
