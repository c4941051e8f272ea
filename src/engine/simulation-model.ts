// What `simulate` needs of a ScaledObject, resolved once: executor and HPA specs with KEDA's defaults
// applied, and each trigger's metric spec with where its value comes from (a trace column or, for
// cron, a function of the clock).

import { scaledObjectSettings, type TriggerSettings } from '../api/defaults.js';
import { nearest } from '../api/nearest.js';
import { COMPOSITE_METRIC_NAME, type ScaledObject } from '../api/scaled-object.js';
import { cronActivity, type CronWindow } from '../scalers/cron.js';
import { scalerFor } from '../scalers/index.js';
import type { EvaluateInput, TriggerObservation, TriggerResult } from '../scaling/evaluate.js';
import type { ExecutorSpec } from '../scaling/executor.js';
import type { HpaSpec } from '../scaling/hpa.js';
import { executorSpec, hpaSpec, metricTarget, modifiersInput, triggerObservation, type MetricTarget } from './scaled-object-specs.js';
import type { Trace } from './trace.js';

export type { MetricTarget } from './scaled-object-specs.js';

export interface SimulatedTrigger {
  /** For messages: `trigger "orders" (azure-queue)`. */
  readonly label: string;
  /** Index into a trace sample's values; undefined for computed triggers. */
  readonly column?: number | undefined;
  readonly observation: Omit<TriggerObservation, 'result'>;
  /** A value that is a pure function of time (cron); epoch milliseconds in. */
  readonly compute?: ((now: number) => TriggerResult) | undefined;
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

export type ModelResult = { ok: true; model: SimulationModel; warnings: string[] } | { ok: false; errors: string[] };

/**
 * Resolves a (checked) ScaledObject against a trace: each trigger's metric spec from its scaler,
 * its trace column (trigger name, or index when unnamed), cron triggers computed from the clock.
 */
export function buildSimulationModel(so: ScaledObject, trace: Trace, traceFile: string): ModelResult {
  const settings = scaledObjectSettings(so);
  const errors: string[] = [];
  const warnings: string[] = [];
  const modifiers = settings.scalingModifiers ? modifiersInput(settings.scalingModifiers, settings.triggers, errors) : undefined;
  const targets = new Map<string, MetricTarget>();
  const used = new Set<number>();
  const triggers: SimulatedTrigger[] = [];
  for (const trigger of settings.triggers) {
    const built = simulatedTrigger(trigger, modifiers !== undefined, trace, traceFile, errors, warnings);
    if (!built) continue;
    if (built.column !== undefined) used.add(built.column);
    const o = built.observation;
    targets.set(o.metricName, metricTarget(o));
    triggers.push(built);
  }
  if (modifiers) targets.set(COMPOSITE_METRIC_NAME, { targetType: modifiers.metricType, targetMilli: modifiers.targetMilli });
  trace.columns.forEach((column, i) => {
    if (used.has(i)) return;
    const names = settings.triggers.map((t) => t.name ?? String(t.index));
    const hint = nearest(column, names);
    errors.push(`${traceFile}: column "${column}" matches no trigger${hint ? `; did you mean "${hint}"?` : ''} (triggers: ${names.join(', ')})`);
  });
  if (errors.length > 0) return { ok: false, errors };
  const model: SimulationModel = {
    name: settings.name,
    initialReplicas: settings.idleReplicaCount ?? settings.minReplicaCount,
    pollingInterval: settings.pollingIntervalSeconds,
    executor: executorSpec(settings),
    hpa: hpaSpec(settings),
    fallback: settings.fallback,
    scalingModifiers: modifiers,
    triggers,
    targets,
  };
  return { ok: true, model, warnings };
}

function simulatedTrigger(
  trigger: TriggerSettings,
  metricSource: boolean,
  trace: Trace,
  traceFile: string,
  errors: string[],
  warnings: string[],
): SimulatedTrigger | undefined {
  const column = trigger.name ?? String(trigger.index);
  const label = `trigger "${column}" (${trigger.type})`;
  const scaler = scalerFor(trigger.type);
  if (!scaler) return void errors.push(`${label}: tide has no "${trigger.type}" scaler, so it cannot simulate this trigger`);
  const parsed = scaler.parse({
    metadata: trigger.metadata,
    triggerIndex: trigger.index,
    ...(trigger.name !== undefined ? { triggerName: trigger.name } : {}),
    ...(trigger.metricType !== undefined ? { metricType: trigger.metricType } : {}),
    metricSource,
    // The trace stands in for the source, so connection settings need not resolve.
    assume: { authParams: true, env: true },
  });
  if (!parsed.ok) return void errors.push(...parsed.problems.map((p) => `${label}: ${p.path}: ${p.message}`));
  const spec = parsed.metricSpecs[0];
  if (!spec) return void errors.push(`${label}: the scaler declares no metric`);
  const observation = triggerObservation(trigger, spec);
  const columnIndex = findColumn(trace, trigger);
  if (trigger.type === 'cron') {
    if (columnIndex !== undefined) warnings.push(`${traceFile}: column "${column}" is ignored: cron values are computed from --start`);
    const window = parsed.params as CronWindow;
    const compute = (now: number): TriggerResult => {
      const { active, value } = cronActivity(window, now);
      return { valueMilli: value * 1000, active };
    };
    return { label, observation, compute, ...(columnIndex !== undefined ? { column: columnIndex } : {}) };
  }
  if (columnIndex === undefined) {
    return void errors.push(`${traceFile}: no column for ${label}; the header has: t${trace.columns.map((c) => `,${c}`).join('')}`);
  }
  return { label, observation, column: columnIndex };
}

/** A trigger's column: its name, or its index ("0", "1", …) — the index works for named triggers too. */
function findColumn(trace: Trace, trigger: TriggerSettings): number | undefined {
  const byName = trigger.name !== undefined ? trace.columns.indexOf(trigger.name) : -1;
  const index = byName >= 0 ? byName : trace.columns.indexOf(String(trigger.index));
  return index >= 0 ? index : undefined;
}
