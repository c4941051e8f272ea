// A recorded run replayed through the simulator: the metric values a live scale loop observed (its
// decision lines) become a trace, and `simulate` answers "what would the other mode have done?".
import type { ScaledObject } from '../api/scaled-object.js';
import { decisionLine } from './decision-lines.js';
import type { LoopDecision } from './loop-decisions.js';
import { simulate, type SimulationMode, type SimulationStep } from './simulate.js';
import { buildSimulationModel } from './simulation-model.js';
import { summarize, type SimulationSummary } from './simulation-summary.js';
import { parseTrace } from './trace.js';

export interface ReplayOptions {
  readonly mode: SimulationMode;
  readonly hpaSyncPeriodSeconds: number;
  /** Seconds from a replica being added to it counting as ready (measured live: the replicas' start time). */
  readonly readyDelaySeconds: number;
}

export type ReplayResult = { ok: true; steps: SimulationStep[]; summary: SimulationSummary } | { ok: false; errors: string[] };

/** Replays recorded decisions (time order) of `so` in `options.mode`. */
export function replayDecisions(so: ScaledObject, decisions: readonly LoopDecision[], options: ReplayOptions): ReplayResult {
  const first = decisions[0];
  if (first === undefined) return { ok: false, errors: ['no decisions to replay'] };
  const text = decisions.map((d) => JSON.stringify(decisionLine(d, first.at))).join('\n');
  const trace = parseTrace(text, 'recorded decisions');
  if (!trace.ok) return { ok: false, errors: trace.errors };
  const model = buildSimulationModel(so, trace.trace, 'recorded decisions');
  if (!model.ok) return { ok: false, errors: model.errors };
  const steps = simulate(model.model, trace.trace, { ...options, start: first.at });
  const end = trace.trace.samples.at(-1)?.t ?? 0;
  return { ok: true, steps, summary: summarize(steps, model.model.initialReplicas, end) };
}
