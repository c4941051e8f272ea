// `tide scaler check|get <type> [--metadata k=v]… [--auth k=v]… [--env K=V]…`: one trigger, by hand.
// `check` parses as the operator would (no connection) and prints the metric specs; `get` connects and
// prints the values the HPA would be served.
import { stringify } from 'yaml';
import { formatQuantity } from '../api/quantity.js';
import type { MetricSpec, MetricTargetType } from '../scalers/define.js';
import { lookupScaler, type AnyScaler } from '../scalers/index.js';
import { ScalerError, ScalerInstance } from '../scalers/instance.js';
import { numberFlag, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, UsageError, type CliIO } from './io.js';

const OPTIONS = {
  metadata: { type: 'string', multiple: true },
  auth: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  'metric-type': { type: 'string' },
  name: { type: 'string' },
  index: { type: 'string' },
  timeout: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

const METRIC_TYPES: readonly MetricTargetType[] = ['AverageValue', 'Value', 'Utilization'];

/** Splits repeatable `key=value` flags on the first `=` only, so values may hold `=` and `,`. */
export function keyValues(flag: string, values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes key=value, got "${item}"`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

interface Request {
  readonly scaler: AnyScaler;
  readonly type: string;
  readonly metadata: Record<string, string>;
  readonly authParams: Record<string, string>;
  readonly env: Record<string, string>;
  readonly metricType: MetricTargetType | undefined;
  readonly name: string | undefined;
  readonly index: number;
  readonly timeoutMs: number;
  readonly format: 'json' | 'yaml';
}

function readRequest(argv: readonly string[], io: CliIO): Request {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  const [type, ...extra] = positionals;
  if (type === undefined) throw new UsageError('name the scaler type, e.g. azure-queue');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra.join(' ')}"`);
  const found = lookupScaler(type);
  if ('error' in found) throw new UsageError(found.error);
  const metricType = values['metric-type'];
  if (metricType !== undefined && !METRIC_TYPES.includes(metricType as MetricTargetType)) {
    throw new UsageError(`--metric-type must be one of ${METRIC_TYPES.join(', ')}, got "${metricType}"`);
  }
  const format = values.output ?? 'json';
  if (format !== 'json' && format !== 'yaml') throw new UsageError(`--output must be json or yaml, got "${format}"`);
  // `*FromEnv` reads --env first, then the process environment.
  const processEnv = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    scaler: found.scaler,
    type,
    metadata: keyValues('metadata', values.metadata),
    authParams: keyValues('auth', values.auth),
    env: { ...processEnv, ...keyValues('env', values.env) },
    metricType: metricType as MetricTargetType | undefined,
    name: values.name,
    index: numberFlag('index', values.index, 0),
    timeoutMs: numberFlag('timeout', values.timeout, 3, 0.001) * 1000,
    format,
  };
}

function parse(request: Request, io: CliIO) {
  const parsed = request.scaler.parse({
    metadata: request.metadata,
    authParams: request.authParams,
    env: request.env,
    triggerIndex: request.index,
    ...(request.name !== undefined ? { triggerName: request.name } : {}),
    ...(request.metricType !== undefined ? { metricType: request.metricType } : {}),
  });
  const problems = parsed.ok ? parsed.warnings : parsed.problems;
  for (const p of problems) io.stderr(`${p.severity === 'warning' ? 'warning: ' : ''}trigger ${request.index} (${request.type}): ${p.path}: ${p.message}\n`);
  return parsed.ok ? parsed : undefined;
}

function print(io: CliIO, format: 'json' | 'yaml', rows: readonly Record<string, unknown>[]): void {
  if (format === 'yaml') io.stdout(stringify(rows));
  else for (const row of rows) io.stdout(`${JSON.stringify(row)}\n`);
}

function specRow(spec: MetricSpec): Record<string, unknown> {
  return {
    metricName: spec.metricName,
    target: formatQuantity(spec.targetMilli),
    activationTarget: formatQuantity(spec.activationMilli),
    metricType: spec.targetType,
    ...(spec.kind !== 'External' ? { kind: spec.kind } : {}),
    ...(spec.containerName !== undefined ? { containerName: spec.containerName } : {}),
  };
}

function check(argv: readonly string[], io: CliIO): number {
  const request = readRequest(argv, io);
  const parsed = parse(request, io);
  if (!parsed) return ExitCode.invalid;
  print(io, request.format, parsed.metricSpecs.map(specRow));
  return ExitCode.ok;
}

async function get(argv: readonly string[], io: CliIO): Promise<number> {
  const request = readRequest(argv, io);
  const parsed = parse(request, io);
  if (!parsed) return ExitCode.invalid;
  const instance = new ScalerInstance(request.scaler, parsed, {
    trigger: { index: request.index, type: request.type, name: request.name },
    metadata: request.metadata,
    scaledObject: { name: 'tide-scaler-get', namespace: 'default' },
    timeoutMs: request.timeoutMs,
  });
  try {
    const reading = await instance.getMetricsAndActivity(Date.now());
    const spec = instance.metricSpecs[0];
    print(io, request.format, [{ metricName: reading.metricName, value: reading.valueMilli / 1000, target: (spec?.targetMilli ?? 0) / 1000, active: reading.active }]);
    return ExitCode.ok;
  } catch (error) {
    if (!(error instanceof ScalerError)) throw error;
    io.stderr(`${error.message}\n`);
    return error.kind === 'unreachable' ? ExitCode.unreachable : ExitCode.invalid;
  } finally {
    await instance.close();
  }
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'check') return Promise.resolve(check(rest, io));
  if (sub === 'get') return get(rest, io);
  throw new UsageError(sub === undefined ? 'say check or get' : `unknown subcommand "${sub}" (check or get)`);
}

export const scalerCommand: Command = {
  name: 'scaler',
  summary: 'check one trigger\'s metadata (check) or read its current value (get)',
  usage: [
    'Usage: tide scaler check|get <type> [--metadata key=value]… [--auth key=value]… [--env NAME=value]…',
    '                             [--metric-type AverageValue|Value|Utilization] [--name N] [--index I]',
    '                             [--timeout seconds] [--output json|yaml]',
    '',
    '  check  parse the metadata as KEDA would, without connecting; one JSON line per metric spec:',
    '         {"metricName":"s0-azure-queue-q","target":"5","activationTarget":"0","metricType":"AverageValue"}',
    '  get    connect and read; one JSON line per metric: {"metricName":…,"value":37,"target":5,"active":true}',
    '',
    '--auth sets TriggerAuthentication parameters; *FromEnv keys read --env first, then the environment.',
    'Exit 1 for invalid metadata, 3 when the source cannot be reached.',
  ].join('\n'),
  run,
};
