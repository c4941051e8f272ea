// `tide start` (like `func start`: local.settings.json, port 7071, key checks off unless --enableAuth)
// and `tide host` (the container entry: AzureWebJobsScriptRoot, port 80 / PORT, key checks on).
import { resolve } from 'node:path';
import { findScriptRoot } from '../app/load-app.js';
import { containerListen, runHostUntilSignal } from '../functions/host/entry.js';
import { HostStartError } from '../functions/host/host.js';
import { createLogger, type LogLevel } from '../telemetry/logger.js';
import { numberFlag, parseFlags } from './args.js';
import type { Command } from './command.js';
import { InputError, UsageError, type CliIO } from './io.js';

const START_OPTIONS = {
  port: { type: 'string', short: 'p' },
  address: { type: 'string' },
  'script-root': { type: 'string' },
  functions: { type: 'string', multiple: true },
  cors: { type: 'string' },
  'cors-credentials': { type: 'boolean' },
  timeout: { type: 'string', short: 't' },
  enableAuth: { type: 'boolean' },
  'keys-dir': { type: 'string' },
} as const;

function logger(io: CliIO) {
  const level = (io.env.TIDE_LOG_LEVEL ?? 'info') as LogLevel;
  return createLogger({ level, name: 'tide-host' });
}

/** Values of local.settings.json become environment variables unless already set (as func does). */
function applyToProcessEnv(settings: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(settings)) if (process.env[key] === undefined) process.env[key] = value;
}

async function run(start: () => Promise<number>): Promise<number> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof HostStartError) throw new InputError(`cannot start the host:\n${error.message}`);
    throw error;
  }
}

async function runStart(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, START_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
  const root = values['script-root'] !== undefined ? resolve(io.cwd, values['script-root']) : findScriptRoot(io.cwd);
  if (root === undefined) throw new InputError(`no function app here: ${io.cwd} and its parents have no host.json (run tide init, or pass --script-root)`);
  const env: Record<string, string | undefined> = { ...io.env, AZURE_FUNCTIONS_ENVIRONMENT: 'Development' };
  (values.functions ?? []).flatMap((f) => f.split(/\s+/)).filter((f) => f !== '').forEach((name, i) => {
    env[`AzureFunctionsJobHost__functions__${i}`] = name;
  });
  const log = logger(io);
  return run(() =>
    runHostUntilSignal(
      {
        scriptRoot: root,
        env,
        localSettings: true,
        port: numberFlag('port', values.port, 7071),
        address: values.address ?? '127.0.0.1',
        authEnabled: values.enableAuth === true,
        ...(values['keys-dir'] !== undefined ? { keysDirectory: resolve(io.cwd, values['keys-dir']) } : {}),
        ...(values.cors !== undefined ? { cors: { origins: values.cors.split(',').map((o) => o.trim()), credentials: values['cors-credentials'] === true } } : {}),
        drainGraceMs: numberFlag('timeout', values.timeout, 20) * 1000,
        log,
        onSettings: applyToProcessEnv,
      },
      (line) => {
        io.stdout(`${line}\n`);
      },
      log,
    ),
  );
}

async function runHost(argv: readonly string[], io: CliIO): Promise<number> {
  const { positionals } = parseFlags(argv, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"`);
  const log = logger(io);
  const listen = containerListen(io.env);
  return run(() =>
    runHostUntilSignal(
      { scriptRoot: io.env.AzureWebJobsScriptRoot ?? '/home/site/wwwroot', env: io.env, localSettings: false, ...listen, address: '0.0.0.0', authEnabled: true, log },
      (line) => {
        io.stderr(`${line}\n`);
      },
      log,
    ),
  );
}

export const startCommand: Command = {
  name: 'start',
  summary: 'run the function app in this folder locally (like func start)',
  usage: [
    'Usage: tide start [--port 7071] [--address 127.0.0.1] [--script-root DIR] [--functions f1 f2 …]',
    '                  [--cors origins] [--cors-credentials] [-t/--timeout seconds] [--enableAuth] [--keys-dir DIR]',
    '',
    'local.settings.json Values become environment variables (existing ones win). Function keys are',
    'only checked with --enableAuth. Ctrl+C drains in-flight invocations (up to --timeout) and exits.',
  ].join('\n'),
  run: runStart,
};

export const hostCommand: Command = {
  name: 'host',
  summary: 'the container entry of a function app image (AzureWebJobsScriptRoot, port 80 or PORT)',
  usage: 'Usage: tide host\n\nServes the app in $AzureWebJobsScriptRoot (default /home/site/wwwroot) on $PORT (or ASPNETCORE_URLS, default 80)\nwith function keys checked; SIGTERM drains in-flight invocations and exits 0.',
  run: runHost,
};
