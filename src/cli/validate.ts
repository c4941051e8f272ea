// `tide validate <file…> [--output json]`: every keda.sh object in the files, checked offline.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadYaml, placeProblems, type LoadProblem, type LoadedObject } from '../api/load.js';
import { checkObject } from '../engine/check-object.js';
import { outputFormat, outputOption, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';

/** A problem with the object it belongs to, ready to print. */
export interface ReportedProblem extends LoadProblem {
  readonly kind?: string;
  readonly name?: string;
}

/** Reads and checks one file: load problems (syntax, kinds) and every object's problems. */
export async function validateFile(file: string, cwd: string): Promise<ReportedProblem[]> {
  const source = await readSource(file, cwd);
  const loaded = loadYaml(file, source);
  const problems: ReportedProblem[] = [...loaded.problems];
  for (const object of loaded.objects) problems.push(...objectProblems(object));
  return problems;
}

/** Problems of one loaded object, placed in its file and labelled with its kind and name. */
export function objectProblems(object: LoadedObject): ReportedProblem[] {
  return placeProblems(object, checkObject(object.kind, object.value)).map((p) => ({ ...p, kind: object.kind, name: object.name ?? '<unnamed>' }));
}

/** Reads a file the user named, turning file-system errors into a clear InputError. */
export async function readSource(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new InputError(`${file}: cannot read: ${why}`);
  }
}

/** `<file>: <Kind>/<name>: <field path>: <message>`, or `<file>:<line>:<col>: <message>` outside any object. */
/** The one ScaledObject of a file (the one named `name` when given); a clear error otherwise. */
export function pickScaledObject(objects: readonly LoadedObject[], file: string, name: string | undefined): LoadedObject {
  const candidates = objects.filter((o) => o.kind === 'ScaledObject');
  const chosen = name === undefined ? candidates : candidates.filter((o) => o.name === name);
  const names = candidates.map((o) => o.name ?? '<unnamed>').join(', ');
  if (chosen.length === 1 && chosen[0]) return chosen[0];
  if (candidates.length === 0) throw new InputError(`${file}: no ScaledObject (keda.sh/v1alpha1) in the file`);
  if (name !== undefined) throw new InputError(`${file}: no ScaledObject named "${name}" (found: ${names})`);
  throw new InputError(`${file}: ${candidates.length} ScaledObjects (${names}); pick one with --name`);
}

/**
 * Reads `file` for a command that runs one ScaledObject: syntax errors, then the ScaledObject picked
 * by `name` and the objects of `alsoKinds` beside it, checked as `tide validate` checks them
 * (warnings to stderr, errors as one InputError under `heading`).
 */
export async function readCheckedScaledObject(
  file: string,
  name: string | undefined,
  io: CliIO,
  heading: string,
  alsoKinds: ReadonlySet<string> = new Set(),
): Promise<{ scaledObject: LoadedObject; others: LoadedObject[] }> {
  const loaded = loadYaml(file, await readSource(file, io.cwd));
  const syntax = loaded.problems.filter((p) => p.severity === 'error');
  if (syntax.length > 0) throw new InputError(syntax.map((p) => formatProblem(p)).join('\n'));
  const scaledObject = pickScaledObject(loaded.objects, file, name);
  const others = loaded.objects.filter((o) => alsoKinds.has(o.kind));
  const problems = [scaledObject, ...others].flatMap((o) => objectProblems(o));
  for (const p of problems.filter((p) => p.severity === 'warning')) io.stderr(`warning: ${formatProblem(p)}\n`);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new InputError(`${heading}:\n${errors.map((p) => formatProblem(p)).join('\n')}`);
  return { scaledObject, others };
}

export function formatProblem(p: ReportedProblem): string {
  if (p.kind === undefined) {
    const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col ?? 1}` : p.file;
    return `${where}: ${p.path !== '' ? `${p.path}: ` : ''}${p.message}`;
  }
  return `${p.file}: ${p.kind}/${p.name ?? '<unnamed>'}: ${p.path !== '' ? `${p.path}: ` : ''}${p.message}`;
}

/** The files to read: named files, and the *.yaml / *.yml / *.json files of named directories. */
async function expand(paths: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(resolve(cwd, path)).catch(() => undefined);
    if (!info?.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = (await readdir(resolve(cwd, path))).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    files.push(...entries.map((f) => join(path, f)));
  }
  return files;
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...outputOption });
  const format = outputFormat(values.output, ['text', 'json']);
  if (positionals.length === 0) throw new UsageError('name at least one file');
  const problems: ReportedProblem[] = [];
  let unreadable = false;
  for (const file of await expand(positionals, io.cwd)) {
    try {
      problems.push(...(await validateFile(file, io.cwd)));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      unreadable = true;
      io.stderr(`${error.message}\n`);
    }
  }
  for (const p of problems) {
    if (format === 'json') io.stdout(`${JSON.stringify(p)}\n`);
    else if (p.severity === 'warning') io.stderr(`warning: ${formatProblem(p)}\n`);
    else io.stdout(`${formatProblem(p)}\n`);
  }
  const failed = unreadable || problems.some((p) => p.severity === 'error');
  return failed ? ExitCode.invalid : ExitCode.ok;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check ScaledObjects, ScaledJobs and TriggerAuthentications offline, as KEDA would',
  usage: [
    'Usage: tide validate <file|dir>… [--output text|json]',
    '',
    'Checks every keda.sh/v1alpha1 object in the files (other kinds are skipped): the schema, the rules',
    "of KEDA's admission webhook that need no cluster, each trigger's metadata and scalingModifiers formulas.",
    'Exit 0 when all are valid (warnings go to stderr), 1 otherwise, one line per problem:',
    '  <file>: <Kind>/<name>: <field path>: <message>',
  ].join('\n'),
  run,
};
