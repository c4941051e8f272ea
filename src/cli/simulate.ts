// `tide simulate <scaledobject.yaml> --trace <file>`: a deterministic what-if run of the scaling engine.
import { stringify } from 'yaml';
import { parseKedaObject } from '../api/validate.js';
import type { ScaledObject } from '../api/scaled-object.js';
import { simulate, type SimulationOptions, type SimulationStep } from '../engine/simulate.js';
import { buildSimulationModel, type SimulationModel } from '../engine/simulation-model.js';
import { summarize, type SimulationSummary } from '../engine/simulation-summary.js';
import { parseTrace, type Trace } from '../engine/trace.js';
import { numberFlag, outputFormat, outputOption, parseFlags, type OutputFormat } from './args.js';
import { formatSeconds, renderStepChart } from './chart.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { readCheckedScaledObject, readSource } from './validate.js';

const DEFAULT_START = '2026-01-01T00:00:00Z';

const OPTIONS = {
  ...outputOption,
  trace: { type: 'string' },
  mode: { type: 'string' },
  start: { type: 'string' },
  name: { type: 'string' },
  'hpa-sync-period': { type: 'string' },
  'ready-delay': { type: 'string' },
} as const;

interface Flags {
  readonly file: string;
  readonly traceFile: string;
  readonly name: string | undefined;
  readonly format: OutputFormat;
  readonly options: SimulationOptions;
}

function readFlags(argv: readonly string[]): Flags {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('name the ScaledObject file');
  if (extra.length > 0) throw new UsageError(`one ScaledObject file only (got also: ${extra.join(' ')})`);
  if (values.trace === undefined) throw new UsageError('--trace <file> is required (CSV "t,<trigger>…" or JSON)');
  const mode = values.mode ?? 'keda';
  if (mode !== 'keda' && mode !== 'direct') throw new UsageError(`--mode must be keda or direct, got "${mode}"`);
  const startText = values.start ?? DEFAULT_START;
  const start = Date.parse(startText);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(startText) || Number.isNaN(start)) {
    throw new UsageError(`--start must be an ISO time such as ${DEFAULT_START}, got "${startText}"`);
  }
  return {
    file,
    traceFile: values.trace,
    name: values.name,
    format: outputFormat(values.output),
    options: {
      mode: mode,
      start,
      hpaSyncPeriodSeconds: numberFlag('hpa-sync-period', values['hpa-sync-period'], 15, 1),
      readyDelaySeconds: numberFlag('ready-delay', values['ready-delay'], 0),
    },
  };
}

async function loadModel(flags: Flags, io: CliIO): Promise<{ model: SimulationModel; trace: Trace }> {
  const { scaledObject: object } = await readCheckedScaledObject(flags.file, flags.name, io, 'the ScaledObject is not valid');
  const so = parseKedaObject('ScaledObject', object.value).value as ScaledObject;
  const trace = parseTrace(await readSource(flags.traceFile, io.cwd), flags.traceFile);
  if (!trace.ok) throw new InputError(trace.errors.join('\n'));
  const model = buildSimulationModel(so, trace.trace, flags.traceFile);
  if (!model.ok) throw new InputError(model.errors.join('\n'));
  for (const warning of model.warnings) io.stderr(`warning: ${warning}\n`);
  return { model: model.model, trace: trace.trace };
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const flags = readFlags(argv);
  const { model, trace } = await loadModel(flags, io);
  const steps = simulate(model, trace, flags.options);
  const end = trace.samples.at(-1)?.t ?? 0;
  const summary = summarize(steps, model.initialReplicas, end);
  const heading = describeRun(model, flags.options, end);
  if (flags.format === 'json') for (const step of steps) io.stdout(`${JSON.stringify(stepLine(step))}\n`);
  else if (flags.format === 'yaml') io.stdout(stringify(steps.map(stepLine)));
  else {
    const points = [{ t: 0, value: model.initialReplicas }, ...steps.map((s) => ({ t: s.t, value: s.replicas }))];
    io.stdout(`${heading}\n\n${renderStepChart(points, { end, title: 'replicas' })}\n${summaryText(summary).join('\n')}\n`);
    return ExitCode.ok;
  }
  io.stderr(`${heading}\n${summaryText(summary).join('\n')}\n`);
  return ExitCode.ok;
}

/** The JSON line of one step, with the documented keys in order. */
function stepLine(step: SimulationStep): Record<string, unknown> {
  return { t: step.t, replicas: step.replicas, desired: step.desired, active: step.active, reason: step.reason, step: step.step };
}

function describeRun(model: SimulationModel, options: SimulationOptions, end: number): string {
  const cadence =
    options.mode === 'keda'
      ? `KEDA polls every ${model.pollingInterval}s, the HPA syncs every ${options.hpaSyncPeriodSeconds}s`
      : `every ${model.pollingInterval}s poll goes straight to the HPA proposal`;
  return `ScaledObject/${model.name} · ${options.mode} mode · ${cadence} · ${formatSeconds(end)} of trace`;
}

/** Summary lines; times are seconds from the start of the trace. */
export function summaryText(s: SimulationSummary): string[] {
  const at = (t: number | null, none: string): string => (t === null ? none : `t=${t}s`);
  const since = (t: number | null, from: number | null): string => (t !== null && from !== null ? ` (${t - from}s after first activity)` : '');
  return [
    `first activity seen:  ${at(s.firstActiveAt, 'never')}`,
    `time to first replica: ${at(s.firstReplicaAt, 'n/a (did not start at zero or never scaled out)')}${since(s.firstReplicaAt, s.firstActiveAt)}`,
    `time to peak:          ${s.peakAt === null ? 'n/a' : `${s.peakReplicas} replicas at t=${s.peakAt}s`}${since(s.peakAt, s.firstActiveAt)}`,
    `time back to zero:     ${at(s.backToZeroAt, 'did not return to zero')}${s.backToZeroAt !== null && s.lastActiveAt !== null ? ` (${s.backToZeroAt - s.lastActiveAt}s after the last activity at t=${s.lastActiveAt}s)` : ''}`,
    `final replicas:        ${s.finalReplicas}`,
    `replica-seconds:       ${s.replicaSeconds}`,
  ];
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'replay a metric trace through the scaling rules and show replicas over time',
  usage: [
    'Usage: tide simulate <scaledobject.yaml> --trace <file> [--mode keda|direct] [--start <ISO time>]',
    '                     [--hpa-sync-period 15] [--ready-delay 0] [--name <ScaledObject>] [--output text|json|yaml]',
    '',
    'Trace: CSV with a header "t,<trigger>…" (t in seconds; a column per trigger name, or index when',
    'unnamed) or JSON [{"t":0,"<trigger>":123}, …]. Values hold until the next sample; an empty cell or',
    'null is a scaler error. cron triggers are computed from --start (default 2026-01-01T00:00:00Z).',
    '  keda    KEDA polls for 0↔1, the HPA syncs every --hpa-sync-period seconds (as on a cluster)',
    "  direct  tide's own: each poll goes straight to the HPA proposal, no scale-up rate limit",
    'JSON output: one line per evaluation {"t","replicas","desired","active","reason"}; summary on stderr.',
  ].join('\n'),
  run,
};
