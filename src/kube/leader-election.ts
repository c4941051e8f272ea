// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it
// (controller-runtime's `--leader-elect`): candidates read the Lease every retry period; one whose
// holder has not renewed within the lease duration — measured on our own clock from when we last saw
// the record change, so clock skew between nodes does not matter — takes it with an update guarded
// by resourceVersion (a 409 means another candidate won). The leader renews every retry period and
// gives up as soon as it sees another holder, or when it could not renew for the renew deadline —
// which is shorter than the lease duration, so it stops before anyone else may start.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isConflict, type KubeApi, type KubeObject } from './api.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  /** The Lease's name (KEDA: operator.keda.sh). */
  readonly name: string;
  /** holderIdentity; default `<hostname>_<uuid>` as controller-runtime. */
  readonly identity?: string;
  /** controller-runtime's defaults: 15 s, 10 s, 2 s. */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** We became the leader. */
  readonly onStartedLeading: () => void;
  /** We were the leader and are no more (lease lost, or taken). Not called after stop(). */
  readonly onStoppedLeading: () => void;
  /** A renew or acquire attempt failed (for logs). */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [field: string]: unknown;
}

type Attempt = 'held' | 'taken' | 'failed';

const LEASE_API = 'coordination.k8s.io/v1';

/** A MicroTime as the API server writes it: RFC 3339 with six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** controller-runtime's holderIdentity: `<hostname>_<uuid>`. */
export function defaultLeaderIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private observedJson = '';
  private observedAt = 0;
  private observedHolder = '';
  private leading = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(private readonly api: KubeApi, private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? defaultLeaderIdentity();
    this.leaseMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
    this.now = options.now ?? Date.now;
    if (!(this.renewDeadlineMs < this.leaseMs)) throw new Error('leader election: the renew deadline must be shorter than the lease duration');
    if (!(this.retryMs * 1.2 < this.renewDeadlineMs)) throw new Error('leader election: the retry period (× 1.2 jitter) must be shorter than the renew deadline');
  }

  /** True while we hold the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last saw ('' when none). */
  leader(): string {
    return this.observedHolder;
  }

  /** Campaigns until leading, then renews until the lease is lost or stop() is called. */
  start(): void {
    this.running ??= this.run().catch((error: unknown) => { this.options.onError?.(error); });
  }

  /** Stops campaigning or renewing; a leader releases the lease so another candidate takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sleeping !== undefined) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
    await this.running;
    if (this.leading) {
      this.leading = false;
      await this.release().catch((error: unknown) => { this.options.onError?.(error); });
    }
  }

  private async run(): Promise<void> {
    while (!this.halted()) {
      if ((await this.attempt()) === 'taken') break;
      await this.sleep(this.retryMs * (1 + Math.random() * 0.2)); // client-go's JitterFactor 1.2
    }
    if (this.halted()) return;
    this.leading = true;
    this.options.onStartedLeading();
    let renewed = this.now();
    while (!this.halted()) {
      await this.sleep(this.retryMs);
      if (this.halted()) return;
      const left = renewed + this.renewDeadlineMs - this.now();
      const result = left <= 0 ? 'failed' : await this.withDeadline(this.attempt(), left);
      if (this.halted()) return;
      if (result === 'taken') {
        renewed = this.now();
        continue;
      }
      // Someone else holds it, or we could not renew within the deadline: we are not the leader any more.
      if (result === 'held' || this.now() - renewed >= this.renewDeadlineMs) {
        this.leading = false;
        this.options.onStoppedLeading();
        return;
      }
    }
  }

  /** One read and, when the lease is free, expired or ours, one guarded write. */
  private async attempt(): Promise<Attempt> {
    try {
      const now = this.now();
      const lease = await this.api.get(LEASE_API, 'Lease', this.options.namespace, this.options.name);
      if (lease === undefined) {
        const created = await this.api.create({
          apiVersion: LEASE_API, kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: this.record(undefined, now),
        });
        this.observe(created, this.now());
        return 'taken';
      }
      this.observe(lease, now);
      const spec = (lease['spec'] ?? {}) as LeaseSpec;
      const holder = spec.holderIdentity ?? '';
      const durationMs = (spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
      if (holder !== '' && holder !== this.identity && this.observedAt + durationMs > now) return 'held';
      const updated = await this.api.replace({ ...lease, apiVersion: LEASE_API, kind: 'Lease', spec: this.record(spec, now) });
      this.observe(updated, this.now());
      return 'taken';
    } catch (error) {
      if (!isConflict(error)) this.options.onError?.(error);
      return 'failed';
    }
  }

  /** Our record: taking over sets acquireTime and bumps the transitions (a new Lease starts at 0); a renewal only moves renewTime. */
  private record(previous: LeaseSpec | undefined, now: number): LeaseSpec {
    const renewing = previous?.holderIdentity === this.identity;
    const transitions = previous === undefined ? 0 : (previous.leaseTransitions ?? 0) + (renewing ? 0 : 1);
    return {
      ...previous,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: renewing ? previous.acquireTime ?? microTime(now) : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: transitions,
    };
  }

  /** Remembers when the record last changed, on our clock. */
  private observe(lease: KubeObject, at: number): void {
    const json = JSON.stringify(lease['spec'] ?? {});
    if (json !== this.observedJson) {
      this.observedJson = json;
      this.observedAt = at;
    }
    this.observedHolder = ((lease['spec'] ?? {}) as LeaseSpec).holderIdentity ?? '';
  }

  /** client-go's release: an empty holder with a one-second lease, so the next candidate need not wait. */
  private async release(): Promise<void> {
    const lease = await this.api.get(LEASE_API, 'Lease', this.options.namespace, this.options.name);
    const spec = (lease?.['spec'] ?? {}) as LeaseSpec;
    if (lease === undefined || spec.holderIdentity !== this.identity) return;
    const now = microTime(this.now());
    await this.api.replace({ ...lease, apiVersion: LEASE_API, kind: 'Lease', spec: { leaseTransitions: spec.leaseTransitions ?? 0, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } });
  }

  /** A method, not the field: TypeScript would keep its narrowing across the awaits. */
  private halted(): boolean {
    return this.stopped;
  }

  private withDeadline(attempt: Promise<Attempt>, ms: number): Promise<Attempt> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Attempt>((done) => { timer = setTimeout(() => { done('failed'); }, ms); });
    return Promise.race([attempt, deadline]).finally(() => { clearTimeout(timer); });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      const timer = setTimeout(() => {
        this.sleeping = undefined;
        wake();
      }, ms);
      timer.unref();
      this.sleeping = { timer, wake };
    });
  }
}
