// Metric traces for `tide simulate`: what each trigger's scaler would have returned over time.
// CSV (`t,<trigger>…`) or JSON (`[{"t":0,"<trigger>":123}, …]`); a value holds until the next sample;
// an empty cell or null means the scaler failed at that time (it feeds fallback). The decision lines
// of `tide up --output json` are read as a trace too, so a live run can be replayed.
import { looksLikeDecisionLines, traceFromDecisionLines } from './decision-lines.js';

/** One sample row: seconds from start, then one value per column (null = scaler error). */
export interface TraceSample {
  readonly t: number;
  readonly values: readonly (number | null)[];
}

export interface Trace {
  /** Column names after `t`, in file order: trigger names or trigger indexes ("0", "1", …). */
  readonly columns: readonly string[];
  readonly samples: readonly TraceSample[];
}

export type TraceResult = { ok: true; trace: Trace } | { ok: false; errors: string[] };

/** Parses a trace file's text; errors name the file and the line (CSV) or sample (JSON). */
export function parseTrace(text: string, file: string): TraceResult {
  const errors: string[] = [];
  const trace = looksLikeDecisionLines(text)
    ? traceFromDecisionLines(text, file, errors)
    : /^[[{]/.test(text.trimStart())
      ? parseJsonTrace(text, file, errors)
      : parseCsvTrace(text, file, errors);
  if (trace && errors.length === 0) checkTimes(trace, file, errors);
  return trace && errors.length === 0 ? { ok: true, trace } : { ok: false, errors };
}

function parseCsvTrace(text: string, file: string, errors: string[]): Trace | undefined {
  const rows = text.split(/\r?\n/).map((line, i) => ({ line: i + 1, cells: line.split(',').map((c) => c.trim()) }));
  const content = rows.filter((r) => r.cells.join('') !== '' && !r.cells[0]?.startsWith('#'));
  const header = content.shift();
  if (!header || header.cells[0] !== 't') {
    errors.push(`${file}:${header?.line ?? 1}: the first line must be a header "t,<trigger>,…" (got "${header?.cells.join(',') ?? ''}")`);
    return undefined;
  }
  const columns = header.cells.slice(1);
  checkColumnNames(columns, `${file}:${header.line}`, errors);
  const samples: TraceSample[] = [];
  for (const { line, cells } of content) {
    const where = `${file}:${line}`;
    if (cells.length !== header.cells.length) {
      errors.push(`${where}: expected ${header.cells.length} cells like the header, got ${cells.length}`);
      continue;
    }
    const t = Number(cells[0]);
    if (cells[0] === '' || !Number.isFinite(t)) errors.push(`${where}: t must be a number of seconds, got "${cells[0] ?? ''}"`);
    const values = cells.slice(1).map((cell, i) => {
      if (cell === '' || cell === 'null') return null;
      const value = Number(cell);
      if (!Number.isFinite(value)) errors.push(`${where}: column "${columns[i] ?? ''}" must be a number or empty, got "${cell}"`);
      return value;
    });
    samples.push({ t, values });
  }
  return { columns, samples };
}

function parseJsonTrace(text: string, file: string, errors: string[]): Trace | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    errors.push(`${file}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (!Array.isArray(data)) {
    errors.push(`${file}: a JSON trace must be an array of samples like {"t":0,"<trigger>":123}`);
    return undefined;
  }
  const rows = data as unknown[];
  const columns = [...new Set(rows.flatMap((row) => (isRecord(row) ? Object.keys(row).filter((k) => k !== 't') : [])))];
  checkColumnNames(columns, file, errors);
  const samples: TraceSample[] = [];
  let previous: (number | null)[] = [];
  rows.forEach((row, index) => {
    const where = `${file}: sample [${index}]`;
    if (!isRecord(row)) return errors.push(`${where}: must be an object like {"t":0,"<trigger>":123}`);
    if (typeof row.t !== 'number' || !Number.isFinite(row.t)) errors.push(`${where}: t must be a number of seconds`);
    // A column missing from a sample keeps its previous value, so sparse traces stay short.
    const values = columns.map((column, i) => {
      if (!(column in row)) {
        if (index === 0) errors.push(`${where}: column "${column}" needs a value in the first sample`);
        return previous[i] ?? null;
      }
      const value = row[column];
      if (value === null || (typeof value === 'number' && Number.isFinite(value))) return value;
      errors.push(`${where}: "${column}" must be a number or null, got ${JSON.stringify(value)}`);
      return null;
    });
    previous = values;
    samples.push({ t: typeof row.t === 'number' ? row.t : 0, values });
    return undefined;
  });
  return { columns, samples };
}

function checkColumnNames(columns: readonly string[], where: string, errors: string[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '') errors.push(`${where}: a column has no name`);
    else if (seen.has(column)) errors.push(`${where}: column "${column}" appears twice`);
    seen.add(column);
  }
}

function checkTimes(trace: Trace, file: string, errors: string[]): void {
  const first = trace.samples[0];
  if (!first) return void errors.push(`${file}: the trace has no samples`);
  if (first.t !== 0) errors.push(`${file}: the first sample must be at t=0 (got t=${first.t}), so every value is known from the start`);
  trace.samples.forEach((sample, i) => {
    const before = trace.samples[i - 1];
    if (before && sample.t < before.t) errors.push(`${file}: sample at t=${sample.t} comes after t=${before.t}; times must not decrease`);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a trace forward in time: the value of each column at t (the latest sample at or before t). */
export class TraceCursor {
  private index = 0;

  constructor(private readonly trace: Trace) {}

  /** Values of every column at time t; calls must not go back in time. */
  at(t: number): readonly (number | null)[] {
    const samples = this.trace.samples;
    while (this.index + 1 < samples.length && (samples[this.index + 1]?.t ?? Infinity) <= t) this.index++;
    return samples[this.index]?.values ?? [];
  }

  /** Time of the last sample: the end of the run. */
  get end(): number {
    return this.trace.samples.at(-1)?.t ?? 0;
  }
}
