// `tide up [DIR] [--scaledobject FILE] [--mode keda|direct] [--output json]`: the function app in DIR,
// scaled from 0 to N and back as local processes by the same scale loop the operator runs.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { scaledObjectSettings } from '../api/defaults.js';
import type { ScaledObject } from '../api/scaled-object.js';
import type { ClusterTriggerAuthentication, TriggerAuthentication } from '../api/trigger-authentication.js';
import { parseKedaObject } from '../api/validate.js';
import { decisionLine } from '../engine/decision-lines.js';
import { DEFAULT_HPA_SYNC_PERIOD_MS } from '../engine/loop.js';
import { findHostBundle } from '../local/host-bundle.js';
import { LiveView } from '../local/live-view.js';
import { explainContext } from '../local/explain.js';
import { LocalUp } from '../local/local-up.js';
import { LocalUpError, planLocalUp, type UpPlan } from '../local/up-plan.js';
import { createLogger, type LogLevel } from '../telemetry/logger.js';
import { numberFlag, outputFormat, outputOption, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { readCheckedScaledObject } from './validate.js';
import { untilSignal } from './signals.js';

const OPTIONS = {
  ...outputOption,
  scaledobject: { type: 'string' },
  name: { type: 'string' },
  mode: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'hpa-sync-period': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

const AUTH_KINDS = new Set(['TriggerAuthentication', 'ClusterTriggerAuthentication']);

interface Given {
  readonly scaledObject: ScaledObject;
  readonly authentications: (TriggerAuthentication | ClusterTriggerAuthentication)[];
}

/** The ScaledObject of --scaledobject (checked as `tide validate` checks it) and the authentications beside it. */
async function readScaledObjectFile(file: string, name: string | undefined, io: CliIO): Promise<Given> {
  const { scaledObject: chosen, others } = await readCheckedScaledObject(file, name, io, `${file} is not valid`, AUTH_KINDS);
  const scaledObject = parseKedaObject('ScaledObject', chosen.value).value as ScaledObject;
  const authentications = others.map((o) => parseKedaObject(o.kind as 'TriggerAuthentication', o.value).value as TriggerAuthentication | ClusterTriggerAuthentication);
  return { scaledObject, authentications };
}

/** The mapped ScaledObject, saved so the run can be replayed with `tide simulate` and kept as a starting point. */
async function saveDerived(plan: UpPlan): Promise<string> {
  const dir = join(plan.app.root, '.tide');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'scaledobject.yaml');
  await writeFile(path, `# Derived by tide up from the app's triggers; give your own with --scaledobject.\n${stringify(plan.scaledObject)}`);
  return path;
}

async function run(argv: readonly string[], io: CliIO, stop?: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 1) throw new UsageError(`one app folder only (got: ${positionals.join(' ')})`);
  const mode = values.mode ?? 'keda';
  if (mode !== 'keda' && mode !== 'direct') throw new UsageError(`--mode must be keda or direct, got "${mode}"`);
  const format = outputFormat(values.output, ['text', 'json']);
  const port = numberFlag('port', values.port, 7071, 1);
  const hpaSyncPeriodMs = numberFlag('hpa-sync-period', values['hpa-sync-period'], DEFAULT_HPA_SYNC_PERIOD_MS / 1000, 1) * 1000;
  const appDir = resolve(io.cwd, positionals[0] ?? '.');
  const given = values.scaledobject !== undefined ? await readScaledObjectFile(values.scaledobject, values.name, io) : undefined;
  let plan: UpPlan;
  try {
    plan = await planLocalUp({ appDir, env: io.env, ...(given ? { scaledObject: given.scaledObject, authentications: given.authentications } : {}) });
  } catch (error) {
    if (error instanceof LocalUpError) throw new InputError(error.message);
    throw error;
  }
  const bundle = findHostBundle(io.env);
  if (bundle === undefined) throw new InputError('the runtime bundle dist/runtime/tide-host.mjs is missing: run "npm run build" (or set TIDE_HOST_BUNDLE)');
  for (const w of plan.warnings) io.stderr(`warning: ${w}\n`);
  for (const n of plan.notes) io.stderr(`note: ${n}\n`);
  const source = values.scaledobject ?? `derived from the app's triggers: ${relative(io.cwd, await saveDerived(plan)) || '.'}`;
  if (plan.source === 'app') io.stderr(`ScaledObject ${source}\n`);

  const json = format === 'json';
  const view = new LiveView({
    write: json ? io.stderr : io.stdout,
    tty: !json && io.isTTY,
    source: values.scaledobject ?? "the app's triggers",
    explain: explainContext(scaledObjectSettings(plan.scaledObject), mode),
    ...(io.isTTY ? { columns: process.stdout.columns } : {}),
  });
  let startedAt = Date.now();
  let up: LocalUp;
  try {
    up = await LocalUp.start(plan, {
      mode,
      port,
      bundle,
      hpaSyncPeriodMs,
      log: createLogger({ level: (io.env.TIDE_LOG_LEVEL ?? 'warn') as LogLevel, name: 'tide-up' }),
      onDecision: (decision) => {
        if (json) io.stdout(`${JSON.stringify(decisionLine(decision, startedAt))}\n`);
        view.decision(decision);
      },
      onEvent: (event) => {
        view.event(event);
      },
      ...(values.verbose === true
        ? {
            onOutput: (replica: string, line: string) => {
              io.stderr(`[${replica}] ${line}\n`);
            },
          }
        : {}),
    });
  } catch (error) {
    if (error instanceof LocalUpError) throw new InputError(error.message);
    throw error;
  }
  startedAt = up.startedAt;
  view.start(() => up.status());
  const signal = await untilSignal(stop);
  io.stderr(`${signal}: draining ${up.status().replicas.length} replica(s)…\n`);
  await up.stop();
  view.stop(up.status());
  io.stderr('stopped: every replica drained\n');
  return ExitCode.ok;
}

export const upCommand: Command = {
  name: 'up',
  summary: 'scale the function app in a folder from 0 to N and back as local processes (local mode)',
  usage: [
    'Usage: tide up [DIR] [--scaledobject FILE [--name NAME]] [--mode keda|direct] [--output json]',
    '               [--port 7071] [--hpa-sync-period 15] [--verbose]',
    '',
    'Runs the app in DIR (default .) with the same scale loop as the operator; replicas are local',
    'processes. Without --scaledobject the ScaledObject is derived from the app\'s triggers (saved to',
    '.tide/scaledobject.yaml). keda mode (default) predicts the cluster: the HPA syncs every',
    '--hpa-sync-period seconds with its limits; direct mode applies the HPA proposal at each poll.',
    'UseDevelopmentStorage=true starts Azurite in process when its ports are free. HTTP functions run',
    'unscaled in one replica on --port. --output json prints one line per decision with the metric',
    'values seen (replay: tide simulate SCALEDOBJECT --trace FILE). Ctrl-C drains every replica.',
    'While it runs, "tide explain DIR" tells why it scaled.',
  ].join('\n'),
  run: (argv, io) => run(argv, io),
};

/** The command with an abort signal instead of process signals (tests). */
export function runUp(argv: readonly string[], io: CliIO, stop: AbortSignal): Promise<number> {
  return run(argv, io, stop);
}
