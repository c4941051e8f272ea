// Every decision of a scale loop, kept in a bounded ring: local mode prints them, `tide explain`
// reads them, and `tide up --output json` writes them (with the values seen) for `tide simulate`.

/** One trigger as seen by a step. */
export interface TriggerRecord {
  /** triggers[].name, else the index ("0", "1", …): the trace column `tide simulate` reads. */
  readonly name: string;
  readonly type: string;
  readonly metricName: string;
  /** The value the scaler returned (before any fallback); absent on error. */
  readonly valueMilli?: number;
  readonly targetMilli: number;
  readonly targetType: string;
  /** The scaler's own activity; absent on error. */
  readonly active?: boolean;
  readonly error?: string;
  /** How long the scaler took to answer (keda_scaler_metrics_latency_seconds). */
  readonly latencyMs?: number;
}

/** One step of the loop and what it decided. */
export interface LoopDecision {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Timer steps: the epoch milliseconds the step was due (`at` runs a little later on a busy machine). */
  readonly due?: number;
  /** A KEDA poll (executor, plus the HPA in direct mode) or an HPA sync (keda mode). */
  readonly step: 'poll' | 'hpa';
  /** What woke the step. */
  readonly cause: 'timer' | 'push' | 'manual';
  readonly replicasBefore: number;
  readonly replicasAfter: number;
  /** The unclamped HPA proposal; 0 when no metric is valid. */
  readonly desired: number;
  readonly active: boolean;
  /** KEDA's or the HPA's word for the outcome (KEDAScaleTargetActivated, ScaleUpLimit, …), as `tide simulate` reports it. */
  readonly reason: string;
  /** The executor's own reason (polls): TriggerError, ScalerCooldown, FallbackPending, … */
  readonly executorReason?: string;
  /** The HPA's own reason (syncs, and polls in direct mode). */
  readonly hpaReason?: string;
  /** Set when writing the target failed. */
  readonly error?: string;
  readonly triggers: readonly TriggerRecord[];
}

/** A fixed-size ring of decisions, oldest dropped first. */
export class DecisionLog {
  private readonly items: LoopDecision[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`decision log capacity must be a positive integer, got ${capacity}`);
  }

  /** Adds one decision, overwriting the oldest when full. */
  add(decision: LoopDecision): void {
    if (this.items.length < this.capacity) this.items.push(decision);
    else this.items[this.next] = decision;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Decisions in time order, those at or after `since` (epoch ms) when given. */
  list(since?: number): LoopDecision[] {
    const ordered = this.items.length < this.capacity ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
    return since === undefined ? ordered : ordered.filter((d) => d.at >= since);
  }
}
