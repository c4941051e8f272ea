import type { CliIO } from './io.js';

/** One `tide` subcommand: its help text and its entry point, returning the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}
