// The JSON line of one scale-loop decision (`tide up --output json`), and the way back: a file of such
// lines read as a metric trace, so `tide simulate` can replay what a live run observed.
import type { LoopDecision } from './loop-decisions.js';
import type { Trace, TraceSample } from './trace.js';

/** One trigger in a decision line; `value` and `target` in the metric's own units. */
export interface TriggerLine {
  readonly name: string;
  readonly type: string;
  readonly metricName: string;
  readonly value: number | null;
  readonly target: number;
  readonly targetType: string;
  readonly active?: boolean;
  readonly error?: string;
}

/** One decision as printed: wall time, seconds since the run started, and what the step saw and did. */
export interface DecisionLine {
  readonly at: string;
  readonly t: number;
  /** Timer steps: seconds the step ran after it was due (a replay puts the sample back on its due time). */
  readonly late?: number;
  readonly step: LoopDecision['step'];
  readonly cause: LoopDecision['cause'];
  readonly replicasBefore: number;
  readonly replicasAfter: number;
  readonly desired: number;
  readonly active: boolean;
  readonly reason: string;
  readonly executorReason?: string;
  readonly hpaReason?: string;
  readonly error?: string;
  readonly triggers: readonly TriggerLine[];
}

/** The printed form of a decision; `startMs` is the start of the run (t = 0). */
export function decisionLine(decision: LoopDecision, startMs: number): DecisionLine {
  return {
    at: new Date(decision.at).toISOString(),
    t: Math.round(decision.at - startMs) / 1000,
    ...(decision.due !== undefined ? { late: Math.max(0, Math.round(decision.at - decision.due)) / 1000 } : {}),
    step: decision.step,
    cause: decision.cause,
    replicasBefore: decision.replicasBefore,
    replicasAfter: decision.replicasAfter,
    desired: decision.desired,
    active: decision.active,
    reason: decision.reason,
    ...(decision.executorReason !== undefined ? { executorReason: decision.executorReason } : {}),
    ...(decision.hpaReason !== undefined ? { hpaReason: decision.hpaReason } : {}),
    ...(decision.error !== undefined ? { error: decision.error } : {}),
    triggers: decision.triggers.map((t) => ({
      name: t.name,
      type: t.type,
      metricName: t.metricName,
      value: t.valueMilli === undefined ? null : t.valueMilli / 1000,
      target: t.targetMilli / 1000,
      targetType: t.targetType,
      ...(t.active !== undefined ? { active: t.active } : {}),
      ...(t.error !== undefined ? { error: t.error } : {}),
    })),
  };
}

/** True when the text looks like decision lines (one JSON object a line, each with a triggers list). */
export function looksLikeDecisionLines(text: string): boolean {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  if (!first.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(first);
    return typeof value === 'object' && value !== null && Array.isArray((value as { triggers?: unknown }).triggers);
  } catch {
    return false;
  }
}

/**
 * Reads decision lines as a trace: one sample per decision at the time it was due (`t` less `late`,
 * shifted so the first is t=0), one column per trigger name, a failed read as null (it feeds fallback,
 * as it did live). Due times, not run times: a step that ran a few ms late must still be the sample the
 * simulator's step on the same grid point reads, or a one-poll spike falls between two grid points.
 */
export function traceFromDecisionLines(text: string, file: string, errors: string[]): Trace | undefined {
  const rows: { t: number; values: Map<string, number | null> }[] = [];
  const columns: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      errors.push(`${where}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const row = value as Partial<DecisionLine> | null;
    if (typeof row !== 'object' || row === null || typeof row.t !== 'number' || !Array.isArray(row.triggers)) {
      errors.push(`${where}: expected a decision line with "t" and "triggers" (as \`tide up --output json\` prints)`);
      return;
    }
    const values = new Map<string, number | null>();
    for (const trigger of row.triggers as unknown[]) {
      const t = trigger as Partial<TriggerLine> | null;
      if (typeof t !== 'object' || t === null || typeof t.name !== 'string' || (t.value !== null && typeof t.value !== 'number')) {
        errors.push(`${where}: each trigger needs a "name" and a numeric or null "value"`);
        continue;
      }
      if (!columns.includes(t.name)) columns.push(t.name);
      values.set(t.name, t.value ?? null);
    }
    const late = typeof row.late === 'number' && row.late > 0 ? row.late : 0;
    rows.push({ t: Math.round((row.t - late) * 1000) / 1000, values });
  });
  // A push step can fall between a late timer step's due time and the time it ran: keep time order.
  rows.sort((a, b) => a.t - b.t);
  const first = rows[0];
  if (first === undefined) {
    if (errors.length === 0) errors.push(`${file}: no decision lines`);
    return undefined;
  }
  const samples: TraceSample[] = rows.map((row) => ({
    t: Math.round((row.t - first.t) * 1000) / 1000,
    values: columns.map((c) => row.values.get(c) ?? null),
  }));
  return { columns, samples };
}
