// `tide init [DIR]`: a new Node function app with the files `func init` writes (functions.md §3),
// optionally a Dockerfile on tide's runtime image (or Microsoft's with --image-base azure), and
// `npm install` for v4 apps, as func runs it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Language, ProgrammingModel } from '../functions/templates/catalogue.js';
import { detectAppKind } from '../functions/templates/app-kind.js';
import { DOCKERIGNORE, dockerfile, type ImageBase } from '../functions/templates/dockerfile.js';
import { projectFiles, type BundleChannel } from '../functions/templates/project-files.js';
import { existingPaths, writeProjectFiles } from '../functions/templates/write-files.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';

const OPTIONS = {
  'worker-runtime': { type: 'string' },
  language: { type: 'string', short: 'l' },
  model: { type: 'string', short: 'm' },
  docker: { type: 'boolean' },
  'docker-only': { type: 'boolean' },
  'image-base': { type: 'string' },
  'skip-npm-install': { type: 'boolean' },
  'no-bundle': { type: 'boolean' },
  'bundles-channel': { type: 'string', short: 'c' },
  force: { type: 'boolean' },
  javascript: { type: 'boolean' },
  typescript: { type: 'boolean' },
  node: { type: 'boolean' },
} as const;

/** func's worker runtime names that mean Node, and the language some of them imply. */
const NODE_RUNTIMES: Readonly<Record<string, Language | undefined>> = { node: undefined, js: 'javascript', javascript: 'javascript', ts: 'typescript', typescript: 'typescript' };

/** `--language` (case-insensitive; js/ts accepted) or undefined. */
export function languageFlag(value: string | undefined): Language | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'javascript' || lower === 'js') return 'javascript';
  if (lower === 'typescript' || lower === 'ts') return 'typescript';
  throw new UsageError(`--language must be javascript or typescript, got "${value}"`);
}

function modelFlag(value: string | undefined): ProgrammingModel {
  if (value === undefined) return 'v4';
  const lower = value.toLowerCase();
  if (lower === 'v3' || lower === 'v4') return lower;
  throw new UsageError(`--model must be V3 or V4, got "${value}"`);
}

function channelFlag(value: string | undefined): BundleChannel {
  const channels: readonly BundleChannel[] = ['GA', 'Preview', 'Experimental'];
  const found = channels.find((c) => c.toLowerCase() === (value ?? 'GA').toLowerCase());
  if (!found) throw new UsageError(`--bundles-channel must be GA, Preview or Experimental, got "${value ?? ''}"`);
  return found;
}

function imageBaseFlag(value: string | undefined): ImageBase {
  if (value === undefined || value === 'tide') return 'tide';
  if (value === 'azure') return 'azure';
  throw new UsageError(`--image-base must be tide or azure, got "${value}"`);
}

/** The language from --language, the shortcuts and --worker-runtime (which must be a Node runtime). */
function resolveLanguage(values: { language?: string | undefined; 'worker-runtime'?: string | undefined; javascript?: boolean | undefined; typescript?: boolean | undefined }): Language | undefined {
  const runtime = values['worker-runtime']?.toLowerCase();
  if (runtime !== undefined && !(runtime in NODE_RUNTIMES)) {
    throw new UsageError(`--worker-runtime "${values['worker-runtime'] ?? ''}" is not supported: tide runs Node apps (node, javascript, typescript)`);
  }
  if (values.javascript && values.typescript) throw new UsageError('--javascript and --typescript exclude each other');
  const shortcut = values.typescript ? 'typescript' : values.javascript ? 'javascript' : undefined;
  return languageFlag(values.language) ?? shortcut ?? (runtime === undefined ? undefined : NODE_RUNTIMES[runtime]);
}

/** Runs `npm install` in `dir`, npm's output on stderr; a missing npm or a failed install is an InputError. */
export async function npmInstall(dir: string, io: CliIO): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  io.stderr(`Running npm install in ${dir}\n`);
  const code = await new Promise<number | string>((done) => {
    const child = spawn(npm, ['install'], { cwd: dir, env: { ...io.env }, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    const forward = (chunk: Buffer): void => {
      io.stderr(chunk.toString());
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (error: NodeJS.ErrnoException) => {
      done(error.code ?? error.message);
    });
    child.on('close', (exit) => {
      done(exit ?? 1);
    });
  });
  if (code === 0) return;
  const why = code === 'ENOENT' ? 'npm was not found on PATH' : `npm install exited with ${String(code)}`;
  throw new InputError(`${why}; the app's files are written in ${dir}: run "npm install" there yourself, or pass --skip-npm-install`);
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.join(' ')}`);
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  const explicitLanguage = resolveLanguage(values);
  const model = modelFlag(values.model);
  const base = imageBaseFlag(values['image-base']);
  const dockerOnly = values['docker-only'] === true;
  if (values['image-base'] !== undefined && !values.docker && !dockerOnly) throw new UsageError('--image-base needs --docker or --docker-only');

  let files: Record<string, string> = {};
  let folders: readonly string[] = [];
  let language = explicitLanguage ?? 'javascript';
  if (dockerOnly) {
    if (!existsSync(dir)) throw new InputError(`${dir}: no such folder (--docker-only adds a Dockerfile to an existing app)`);
    // func picks the TypeScript Dockerfile only when told; tide also recognises the app's tsconfig.json.
    language = explicitLanguage ?? detectAppKind(dir).language;
  } else {
    const project = projectFiles({ language, model, bundle: values['no-bundle'] !== true, bundlesChannel: channelFlag(values['bundles-channel']) });
    files = project.files;
    folders = project.folders;
  }
  if (values.docker || dockerOnly) files = { ...files, Dockerfile: dockerfile(language, base), '.dockerignore': DOCKERIGNORE };

  const existing = existingPaths(dir, Object.keys(files));
  if (existing.length > 0 && values.force !== true) {
    throw new InputError(`${existing.map((p) => resolve(dir, p)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (pass --force to overwrite)`);
  }
  await writeProjectFiles(dir, files, folders, (path) => {
    io.stderr(`Writing ${path}\n`);
  });
  if (!dockerOnly && model === 'v4' && values['skip-npm-install'] !== true) await npmInstall(dir, io);
  return ExitCode.ok;
}

export const initCommand: Command = {
  name: 'init',
  summary: 'create a Node function app (the files func init writes), optionally with a Dockerfile',
  usage: [
    'Usage: tide init [DIR] [--worker-runtime node] [--language javascript|typescript] [--model V3|V4]',
    '                 [--docker | --docker-only] [--image-base tide|azure] [--skip-npm-install]',
    '                 [--no-bundle] [--bundles-channel GA|Preview|Experimental] [--force]',
    '',
    'Writes package.json, host.json, local.settings.json, .funcignore, .gitignore, .vscode/extensions.json',
    '(and tsconfig.json for TypeScript) into DIR (default: the current folder), as `func init` does.',
    'V4 is the default model; v4 apps get an empty src/functions/ and `npm install` is run.',
    '  --docker            also write a Dockerfile and .dockerignore',
    "  --docker-only       only the Dockerfile and .dockerignore, for an existing app",
    "  --image-base tide   the Dockerfile's base: tide's function runtime image (default), or azure for",
    "                      Microsoft's mcr.microsoft.com/azure-functions/node image",
    '  --force             overwrite existing files (otherwise tide refuses and writes nothing)',
    'Shortcuts: --javascript, --typescript, --node.',
  ].join('\n'),
  run,
};
