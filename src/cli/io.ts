// What a command may touch of the outside world, injected so commands are testable in-process:
// stdout carries only the result; stderr carries logs, warnings and summaries.

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout is a terminal (charts and colours only then). */
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's real streams. */
export function processIO(): CliIO {
  // A closed pipe (`tide simulate … | head`) ends the output quietly, as other command-line tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Exit codes shared by every command (DESIGN.md, command-line conventions). */
export const ExitCode = {
  ok: 0,
  invalid: 1,
  usage: 2,
  unreachable: 3,
} as const;

/** A mistake in how the command was called (unknown flag, missing argument): exit 2 with usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A user mistake in the input (file, YAML, trace): exit 1, message printed without a stack trace. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
