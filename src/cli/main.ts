// `tide` entry: dispatch to one command, and turn user mistakes into messages and exit codes.
import { createRequire } from 'node:module';
import type { Command } from './command.js';
import { devCommand } from './dev.js';
import { initCommand } from './init.js';
import { explainCommand } from './explain.js';
import { ExitCode, InputError, UsageError, processIO, type CliIO } from './io.js';
import { kubernetesCommand } from './kubernetes.js';
import { metricsServerCommand } from './metrics-server.js';
import { newCommand } from './new.js';
import { operatorCommand } from './operator.js';
import { scalerCommand } from './scaler.js';
import { hostCommand, startCommand } from './start.js';
import { settingsCommand } from './settings.js';
import { simulateCommand } from './simulate.js';
import { upCommand } from './up.js';
import { validateCommand } from './validate.js';
import { webhooksCommand } from './webhooks.js';

const COMMANDS: readonly Command[] = [startCommand, hostCommand, validateCommand, simulateCommand, scalerCommand, upCommand, explainCommand, devCommand, initCommand, newCommand, settingsCommand, kubernetesCommand, operatorCommand, webhooksCommand, metricsServerCommand];

function version(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `tide — event-driven serverless for Kubernetes\n\nUsage: tide <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "tide <command> --help" for a command's options.\n`;
}

/** Runs the CLI with `argv` (without node and script) and returns the process exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(help());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(`${version()}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`tide: unknown command "${name}"\n\n${help()}`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tide ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return ExitCode.usage;
    }
    if (error instanceof InputError) {
      io.stderr(`tide ${command.name}: ${error.message}\n`);
      return ExitCode.invalid;
    }
    throw error;
  }
}
