// Kubernetes Events on ScaledObjects as KEDA's recorder writes them (source keda-operator); an
// event repeated within ten minutes bumps the first one's count, as client-go's correlator does, so a
// failing object does not flood the API server.
import { randomBytes } from 'node:crypto';
import type { KubeApi, KubeObject } from '../kube/api.js';
import type { Logger } from '../telemetry/logger.js';
import { kubeTime } from './status.js';

const REPEAT_WINDOW_MS = 10 * 60_000;
const REMEMBERED = 4096;

export interface EventInput {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: number;
  last: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  /** Events sent (created or bumped), for tests. */
  sent = 0;

  constructor(private readonly api: KubeApi, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** Records an event on `object`; never throws (an event that cannot be written is logged). */
  async record(object: KubeObject, event: EventInput): Promise<void> {
    const meta = object.metadata;
    const namespace = meta.namespace ?? 'default';
    const key = `${meta.uid ?? ''}|${event.type}|${event.reason}|${event.message}`;
    const now = this.now();
    const previous = this.seen.get(key);
    try {
      this.sent++;
      if (previous !== undefined && now - previous.last < REPEAT_WINDOW_MS) {
        previous.count++;
        previous.last = now;
        await this.api.mergePatch('v1', 'Event', previous.namespace, previous.name, { count: previous.count, lastTimestamp: kubeTime(now) });
        return;
      }
      const name = `${meta.name ?? 'object'}.${now.toString(16)}${randomBytes(2).toString('hex')}`;
      await this.api.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: meta.name, namespace, uid: meta.uid, resourceVersion: meta.resourceVersion },
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: { component: 'keda-operator' },
        reportingComponent: 'keda-operator',
        firstTimestamp: kubeTime(now),
        lastTimestamp: kubeTime(now),
        count: 1,
      });
      if (this.seen.size >= REMEMBERED) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(key, { name, namespace, count: 1, first: now, last: now });
    } catch (error) {
      this.log.warn('could not record an event', { reason: event.reason, object: `${namespace}/${meta.name ?? ''}`, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
