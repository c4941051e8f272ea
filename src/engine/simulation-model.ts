// What `simulate` needs of a ScaledObject, resolved once: executor and HPA specs with KEDA's defaults
// applied, and each trigger's metric spec with where its value comes from (a trace column or, for
// cron, a function of the clock).

import type { EvaluateInput, TriggerObservation, TriggerResult } from '../scaling/evaluate.js';
import type { ExecutorSpec } from '../scaling/executor.js';
import type { HpaSpec } from '../scaling/hpa.js';

export interface SimulatedTrigger {
  /** For messages: `trigger "orders" (azure-queue)`. */
  readonly label: string;
  /** Index into a trace sample's values; undefined for computed triggers. */
  readonly column?: number | undefined;
  readonly observation: Omit<TriggerObservation, 'result'>;
  /** A value that is a pure function of time (cron); epoch milliseconds in. */
  readonly compute?: ((now: number) => TriggerResult) | undefined;
}

export interface MetricTarget {
  readonly targetType: 'AverageValue' | 'Value';
  readonly targetMilli: number;
}

export interface SimulationModel {
  readonly name: string;
  readonly initialReplicas: number;
  /** Seconds. */
  readonly pollingInterval: number;
  readonly executor: ExecutorSpec;
  readonly hpa: HpaSpec;
  readonly fallback: EvaluateInput['fallback'];
  readonly scalingModifiers: EvaluateInput['scalingModifiers'];
  readonly triggers: readonly SimulatedTrigger[];
  /** HPA target of every metric the HPA is served, by metric name (including composite-metric). */
  readonly targets: ReadonlyMap<string, MetricTarget>;
}
