// Where timers keep shared state in AzureWebJobsStorage, in the host's layout (container
// `azure-webjobs-hosts`): status blobs `timers/<hostId>/<timerName>/status` and listener locks
// `locks/<hostId>/<timerName>.Listener`, timerName being `Host.Functions.<function>` as the host
// names script functions. Replicas of one app must share a host id and different apps on one
// storage account must not, so the id comes from `AzureFunctionsWebHost__hostid` (set it per app),
// else WEBSITE_SITE_NAME, else a hash of the script root (the same in every replica of one image).
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { storageStatus } from '../storage-connection.js';
import type { TimerSchedule } from './timer-schedule.js';
import { parseStatusJson, statusJson, type ScheduleStatus, type ScheduleStatusStore } from './timer-status.js';

/** The host's name for a script function's timer and locks. */
export function timerName(functionName: string): string {
  return `Host.Functions.${functionName}`;
}

/** The host id: the `AzureFunctionsWebHost__hostid` setting, else WEBSITE_SITE_NAME, else `tide-<hash of AzureWebJobsScriptRoot>`; lower case, at most 32 characters. */
export function timerHostId(settings: Readonly<Record<string, string | undefined>>): string {
  const configured = Object.entries(settings).find(([key, value]) => key.toLowerCase() === 'azurefunctionswebhost__hostid' && value)?.[1];
  const site = settings['WEBSITE_SITE_NAME'];
  const raw = configured ?? (site ? site : `tide-${createHash('sha256').update(settings['AzureWebJobsScriptRoot'] ?? '').digest('hex').slice(0, 16)}`);
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 32).replace(/-+$/, '');
  return cleaned === '' ? 'tide' : cleaned;
}

/** The status blob's name. */
export function statusBlobName(hostId: string, timer: string): string {
  return `timers/${hostId}/${timer}/status`;
}

/** Statuses as blobs in `azure-webjobs-hosts`, readable by the Functions host and by other replicas. */
export class BlobStatusStore implements ScheduleStatusStore {
  private containerReady: Promise<unknown> | undefined;

  constructor(
    private readonly container: ContainerClient,
    private readonly hostId: string,
    private readonly schedule: TimerSchedule,
  ) {}

  /** The recorded status; undefined when none was written (or it is unreadable). */
  async read(timer: string): Promise<ScheduleStatus | undefined> {
    try {
      const body = await this.container.getBlockBlobClient(statusBlobName(this.hostId, timer)).downloadToBuffer();
      return parseStatusJson(body.toString('utf8'));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Writes the status (creating the container once). */
  async write(timer: string, status: ScheduleStatus): Promise<void> {
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = undefined;
      throw error;
    });
    await this.containerReady;
    const text = statusJson(this.schedule, status);
    await this.container.getBlockBlobClient(statusBlobName(this.hostId, timer)).upload(text, Buffer.byteLength(text), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }
}
