// `tide explain [DIR] [--since 5m]`: asks the `tide up` running for the app in DIR why it scaled, and
// says it in plain words (the address comes from DIR/.tide/up.json).
import { resolve } from 'node:path';
import type { LoopDecision } from '../engine/loop-decisions.js';
import { explainDecision, notableDecisions } from '../local/explain.js';
import type { UpStatus } from '../local/local-up.js';
import { readUpState } from '../local/up-state.js';
import { outputFormat, outputOption, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';

const OPTIONS = { ...outputOption, since: { type: 'string' }, all: { type: 'boolean' } } as const;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1h`, `1m30s`, or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new UsageError(`--${flag} must be a duration such as 30s, 5m or 1h, got "${text}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 1000), 0);
}

interface DecisionsResponse {
  readonly status: UpStatus;
  readonly decisions: LoopDecision[];
}

async function fetchDecisions(adminUrl: string, since: number): Promise<DecisionsResponse> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl}/decisions?since=${since}`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new UnreachableError(`tide up does not answer at ${adminUrl} (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!response.ok) throw new UnreachableError(`tide up at ${adminUrl} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as DecisionsResponse;
}

class UnreachableError extends Error {}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 1) throw new UsageError(`one app folder only (got: ${positionals.join(' ')})`);
  const format = outputFormat(values.output, ['text', 'json']);
  const sinceMs = parseDuration(values.since ?? '5m', 'since');
  const appDir = resolve(io.cwd, positionals[0] ?? '.');
  const found = await readUpState(appDir);
  if ('problem' in found) throw new InputError(found.problem);
  let answer: DecisionsResponse;
  try {
    answer = await fetchDecisions(found.state.adminUrl, Date.now() - sinceMs);
  } catch (error) {
    if (!(error instanceof UnreachableError)) throw error;
    io.stderr(`tide explain: ${error.message}\n`);
    return ExitCode.unreachable;
  }
  const { status, decisions } = answer;
  const shown = values.all === true ? decisions : notableDecisions(decisions);
  if (format === 'json') {
    for (const d of shown) io.stdout(`${JSON.stringify({ ...d, explanation: explainDecision(d, status.explain) })}\n`);
    return ExitCode.ok;
  }
  const so = status.scaledObject;
  const lines = [`ScaledObject ${so.namespace}/${so.name} · ${status.mode} mode · ${status.replicas.length} replica(s) now · ${decisions.length} decision(s) in the last ${values.since ?? '5m'}`];
  if (shown.length === 0) lines.push(status.lastDecision ? `  no decision in that window; the last: ${explainDecision(status.lastDecision, status.explain)}` : '  no decision yet');
  for (const d of shown) lines.push(`  ${explainDecision(d, status.explain)}`);
  io.stdout(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'say in plain words why a running tide up scaled as it did',
  usage: [
    'Usage: tide explain [DIR] [--since 5m] [--all] [--output json]',
    '',
    'Reads DIR/.tide/up.json (written by "tide up DIR"), asks that run for its decisions of the last',
    '--since (30s, 5m, 1h; default 5m) and prints the changes and the new reasons in words; --all prints',
    'every step. Exit 1 when no tide up runs for DIR, 3 when it does not answer.',
  ].join('\n'),
  run,
};
