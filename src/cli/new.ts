// `tide new --template T [--name N]`: one function from func's templates (or tide's RabbitMQ, Kafka and
// Redis ones) in the app of the current folder: a v3 folder with function.json, or a v4 file under
// src/functions, as the app's package.json says (functions.md §4).
import { findScriptRoot } from '../app/load-app.js';
import { findTemplate, templatesFor, type ProgrammingModel } from '../functions/templates/catalogue.js';
import { detectAppKind } from '../functions/templates/app-kind.js';
import { v3Files, type AuthLevel } from '../functions/templates/v3-writer.js';
import { v4Files } from '../functions/templates/v4-writer.js';
import { existingPaths, writeProjectFiles } from '../functions/templates/write-files.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';
import { languageFlag } from './init.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';

const OPTIONS = {
  name: { type: 'string', short: 'n' },
  template: { type: 'string', short: 't' },
  language: { type: 'string', short: 'l' },
  authlevel: { type: 'string', short: 'a' },
  file: { type: 'string', short: 'f' },
  force: { type: 'boolean' },
} as const;

/** The names the Functions host accepts for a function. */
const FUNCTION_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,127}$/;
const AUTH_LEVELS: readonly AuthLevel[] = ['function', 'anonymous', 'admin'];

function authLevelFlag(value: string | undefined): AuthLevel | undefined {
  if (value === undefined) return undefined;
  const level = AUTH_LEVELS.find((l) => l === value.toLowerCase());
  if (!level) throw new UsageError(`--authlevel must be function, anonymous or admin, got "${value}"`);
  return level;
}

function templateList(model: ProgrammingModel): string {
  return templatesFor(model)
    .map((t) => `  ${t.name}`)
    .join('\n');
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}" (name the function with --name)`);
  const root = findScriptRoot(io.cwd);
  if (root === undefined) throw new InputError(`no function app in ${io.cwd} or above (no host.json or local.settings.json): run "tide init" first`);
  const kind = detectAppKind(root);
  if (kind.workerRuntime !== undefined && kind.workerRuntime.toLowerCase() !== 'node') {
    throw new InputError(`${root}/local.settings.json: FUNCTIONS_WORKER_RUNTIME is "${kind.workerRuntime}"; tide creates Node functions only`);
  }
  if (values.template === undefined) throw new UsageError(`--template is required; ${kind.model} templates:\n${templateList(kind.model)}`);
  const found = findTemplate(values.template, kind.model);
  if ('error' in found) throw new InputError(found.error);
  const { template } = found;
  const language = languageFlag(values.language) ?? kind.language;
  const authLevel = authLevelFlag(values.authlevel);
  const name = values.name ?? template[kind.model]?.defaultName ?? template.id;
  if (!FUNCTION_NAME.test(name)) throw new UsageError(`--name "${name}" is not a valid function name (a letter, then letters, digits, "_" or "-", at most 128)`);

  let files: Record<string, string>;
  if (kind.model === 'v3') {
    if (authLevel !== undefined && template.id !== 'HttpTrigger') throw new UsageError(`--authlevel applies to the HTTP trigger template only, not "${template.name}"`);
    files = v3Files(template, { name, language, ...(authLevel ? { authLevel } : {}) });
  } else {
    if (authLevel !== undefined) io.stderr('note: --authlevel is ignored for v4 apps (set authLevel in the app.http options), as func does\n');
    if (values.file !== undefined && !/^[\w.-]+$/.test(values.file)) throw new UsageError(`--file "${values.file}" must be a file name without folders`);
    files = v4Files(template, { name, language, ...(values.file !== undefined ? { file: values.file.replace(/\.(js|ts|mjs|cjs)$/, '') } : {}) });
  }
  const existing = existingPaths(root, Object.keys(files));
  if (existing.length > 0 && values.force !== true) {
    throw new InputError(`${existing.map((p) => `${root}/${p}`).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (pick another --name, or pass --force to overwrite)`);
  }
  await writeProjectFiles(root, files, [], (path) => {
    io.stderr(`Writing ${path}\n`);
  });
  io.stderr(`The function "${name}" was created successfully from the "${template.name}" template.\n`);
  return ExitCode.ok;
}

export const newCommand: Command = {
  name: 'new',
  summary: "add a function to the app from func's templates (v3 folder or v4 file)",
  usage: [
    'Usage: tide new --template <template> [--name <name>] [--language javascript|typescript]',
    '                [--authlevel function|anonymous|admin] [--file <file>] [--force]',
    '',
    'Adds one function to the app in the current folder (or the nearest folder above with host.json or',
    'local.settings.json): a v3 app gets <name>/function.json and index.js|ts, a v4 app (package.json',
    'depends on @azure/functions ^4) gets src/functions/<name>.js|ts. Template names ignore case and spaces',
    '("HttpTrigger" = "HTTP trigger"). --name defaults to the template\'s default name.',
    '',
    'Templates (v4 RabbitMQ, Kafka and Redis ones are tide\'s, registered with app.generic):',
    ...templatesFor('v4').map((t) => `  ${t.name}${t.v3 ? '' : ' (v4 apps only)'}`),
  ].join('\n'),
  run,
};
