// Azurite's queue and blob services started inside this process: in memory, on 127.0.0.1, on free
// ports unless told otherwise (~0.8 s, no child process to leak, no files written). Local mode starts
// it for `UseDevelopmentStorage=true`; tests start their own. `require('azurite')` itself needs
// `vscode`, so the two servers are loaded from their own modules, which ship no types: the small
// interfaces below are all tide uses of them.
import { createRequire } from 'node:module';
import { DEV_ACCOUNT } from '../scalers/azure-connection.js';

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
  /** Stops the GC timers and stores that start() set up before listening. */
  afterClose(): Promise<void>;
  /** The node HTTP server; close() stops it without waiting for the port to be released. */
  readonly httpServer: { readonly listening: boolean; once(event: 'close', listener: () => void): unknown };
}

/** Closes a server and resolves once its port is free again (Azurite's close() does not wait for that). */
async function closeFully(server: AzuriteServer): Promise<void> {
  const http = server.httpServer;
  const released = new Promise<void>((resolve) => {
    http.once('close', resolve);
  });
  await server.close();
  if (http.listening) await Promise.race([released, new Promise((r) => setTimeout(r, 5000))]);
}
type ServerClass = new (configuration: unknown) => AzuriteServer;
// Positional constructor of QueueConfiguration and BlobConfiguration (Azurite 3.35):
// host, port, keepAliveTimeout, metadataDBPath, extentDBPath, persistencePathArray, enableAccessLog,
// accessLogWriteStream, enableDebugLog, debugLogFilePath, loose, skipApiVersionCheck, cert, key, pwd,
// oauth, disableProductStyleUrl, isMemoryPersistence.
type ConfigurationClass = new (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);

function load(service: 'queue' | 'blob'): { Server: ServerClass; Configuration: ConfigurationClass } {
  const name = service === 'queue' ? 'Queue' : 'Blob';
  const server = require(`azurite/dist/src/${service}/${name}Server`) as { default: ServerClass };
  const configuration = require(`azurite/dist/src/${service}/${name}Configuration`) as { default: ConfigurationClass };
  return { Server: server.default, Configuration: configuration.default };
}

async function startService(service: 'queue' | 'blob', port: number): Promise<{ server: AzuriteServer; port: number }> {
  const { Server, Configuration } = load(service);
  // skipApiVersionCheck: current SDKs send API versions newer than Azurite knows.
  const configuration = new Configuration(
    '127.0.0.1', port, undefined, undefined, undefined, undefined, false, undefined, false, undefined, false, true, '', '', '', undefined, false, true,
  );
  const server = new Server(configuration);
  try {
    await server.start();
  } catch (error) {
    // A failed listen leaves the server "closed" with its GC timer running: stop what start() began.
    await server.afterClose().catch(() => undefined);
    throw error;
  }
  return { server, port: Number(new URL(server.getHttpServerAddress()).port) };
}

/** A running Azurite: ports, connection strings (account key of devstoreaccount1) and stop(). */
export interface Azurite {
  readonly queuePort: number;
  readonly blobPort: number;
  readonly queueEndpoint: string;
  readonly blobEndpoint: string;
  /** Account key connection string with both endpoints. */
  readonly connection: string;
  stop(): Promise<void>;
}

/** Starts Azurite's queue and blob services (port 0 = a free port); rejects, leaving nothing running, when a port is taken. */
export async function startAzurite(ports: { queue?: number; blob?: number } = {}): Promise<Azurite> {
  const blob = await startService('blob', ports.blob ?? 0);
  let queue: Awaited<ReturnType<typeof startService>>;
  try {
    queue = await startService('queue', ports.queue ?? 0);
  } catch (error) {
    await blob.server.close();
    throw error;
  }
  const queueEndpoint = `http://127.0.0.1:${queue.port}/${DEV_ACCOUNT.name}`;
  const blobEndpoint = `http://127.0.0.1:${blob.port}/${DEV_ACCOUNT.name}`;
  return {
    queuePort: queue.port,
    blobPort: blob.port,
    queueEndpoint,
    blobEndpoint,
    connection: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT.name};AccountKey=${DEV_ACCOUNT.key};QueueEndpoint=${queueEndpoint};BlobEndpoint=${blobEndpoint}`,
    stop: async () => {
      await Promise.allSettled([closeFully(queue.server), closeFully(blob.server)]);
    },
  };
}

/** True when the error says a port was taken (the default-port tests skip then). */
export function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE';
}
