// What a Dockerfile asks for, in the subset tide builds without a container engine: FROM (one stage),
// ARG, ENV, WORKDIR, COPY, EXPOSE, LABEL, USER, ENTRYPOINT, CMD, and RUN only for `npm install`,
// `npm ci` and `npm run build`, which tide runs locally before packaging. Anything else is refused with
// the line, so a build never silently differs from what `docker build` would make.
import { posix } from 'node:path';
import type { Instruction } from './dockerfile.js';
import { ImageInputError } from './errors.js';
import { pairs, substitute, words } from './words.js';

/** The runtime part of an image config (Docker's `config` object), as far as tide changes it. */
export interface RuntimeConfig {
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  [other: string]: unknown;
}

export interface CopyStep {
  /** Context-relative sources as written (after substitution). */
  readonly sources: readonly string[];
  /** Absolute destination; a trailing `/` means "into this directory". */
  readonly dest: string;
  readonly uid: number;
  readonly gid: number;
  readonly chmod?: number;
  readonly line: number;
}

export interface BuildPlan {
  readonly config: RuntimeConfig;
  readonly copies: readonly CopyStep[];
  /** `RUN npm install|ci`: production node_modules go to `<workdir>/node_modules`. */
  readonly npmInstall?: { readonly command: 'install' | 'ci'; readonly workdir: string };
  /** `RUN npm run build` appeared (run locally before packaging). */
  readonly npmBuild: boolean;
  /** Directories WORKDIR created. */
  readonly workdirs: readonly string[];
}

const NPM_OPTION = /^--?[a-z][\w-]*(=\S*)?$/;

function refuse(step: Instruction, file: string, why: string): never {
  throw new ImageInputError(`${file}:${step.line}: ${step.text} — ${why}`);
}

/** The base image named by the one FROM, with ARGs declared before it substituted. */
export function readFrom(instructions: readonly Instruction[], file: string): { base: string; platform?: string; rest: Instruction[]; args: Map<string, string> } {
  const args = new Map<string, string>();
  const index = instructions.findIndex((step) => step.keyword === 'FROM');
  for (const step of instructions.slice(0, index < 0 ? instructions.length : index)) {
    if (step.keyword !== 'ARG') refuse(step, file, 'only ARG may come before FROM');
    declareArgs(step, args, file);
  }
  const from = instructions[index];
  if (from === undefined) throw new ImageInputError(`${file}: no FROM instruction; the first instruction must be FROM <base image>`);
  const rest = instructions.slice(index + 1);
  const second = rest.find((step) => step.keyword === 'FROM');
  if (second) refuse(second, file, 'multi-stage builds need Docker; tide builds one stage on one base image');
  const [base] = words(from.args, args);
  if (base === undefined) refuse(from, file, 'FROM needs an image');
  const platform = from.flags.platform;
  return platform === undefined ? { base, rest, args } : { base, platform: substitute(platform, args), rest, args };
}

function declareArgs(step: Instruction, args: Map<string, string>, file: string): void {
  const list = pairs(step.args, args, false) ?? refuse(step, file, 'cannot read ARG');
  for (const [key, value] of list) if (!args.has(key) || value !== undefined) args.set(key, value ?? args.get(key) ?? '');
}

function commandOf(step: Instruction): string[] {
  return step.json !== undefined ? [...step.json] : ['/bin/sh', '-c', step.args];
}

/** Classifies one `&&`-separated part of a RUN. */
function npmCommand(part: string): 'install' | 'ci' | 'build' | 'prune' | undefined {
  const [tool, verb, ...rest] = part.trim().split(/\s+/);
  if (tool !== 'npm') return undefined;
  const options = rest.every((word) => NPM_OPTION.test(word));
  if ((verb === 'install' || verb === 'i') && options) return 'install';
  if (verb === 'ci' && options) return 'ci';
  if (verb === 'prune' && options) return 'prune';
  if ((verb === 'run' || verb === 'run-script') && rest[0] === 'build' && rest.slice(1).every((word) => NPM_OPTION.test(word))) return 'build';
  return undefined;
}

function copyStep(step: Instruction, vars: Map<string, string>, workdir: string, file: string): CopyStep {
  for (const flag of Object.keys(step.flags)) {
    if (flag === 'from') refuse(step, file, 'COPY --from needs a multi-stage build, which needs Docker');
    if (flag !== 'chown' && flag !== 'chmod' && flag !== 'link') refuse(step, file, `COPY --${flag} is not supported without Docker`);
  }
  const list = step.json !== undefined ? step.json.map((word) => substitute(word, vars)) : words(step.args, vars);
  if (list.length < 2) refuse(step, file, 'COPY needs at least one source and a destination');
  const dest = list[list.length - 1] ?? '';
  const absolute = posix.isAbsolute(dest) ? dest : `${workdir.replace(/\/$/, '')}/${dest}`;
  let uid = 0;
  let gid = 0;
  const chown = step.flags.chown;
  if (chown !== undefined) {
    const ids = /^(\d+)(?::(\d+))?$/.exec(substitute(chown, vars));
    if (!ids) refuse(step, file, 'COPY --chown takes numeric ids without Docker (user names need the image\'s /etc/passwd), e.g. --chown=1000:1000');
    uid = Number(ids[1]);
    gid = ids[2] === undefined ? uid : Number(ids[2]);
  }
  const base = { sources: list.slice(0, -1), dest: absolute.endsWith('/') || dest === '.' ? `${posix.normalize(absolute).replace(/\/$/, '')}/` : posix.normalize(absolute), uid, gid, line: step.line };
  const chmod = step.flags.chmod;
  if (chmod === undefined) return base;
  if (!/^[0-7]{3,4}$/.test(chmod)) refuse(step, file, 'COPY --chmod takes an octal mode, e.g. --chmod=755');
  return { ...base, chmod: parseInt(chmod, 8) };
}

interface PlanState {
  config: RuntimeConfig;
  env: Map<string, string>;
  args: Map<string, string>;
  copies: CopyStep[];
  workdirs: string[];
  npmInstall?: { command: 'install' | 'ci'; workdir: string };
  npmBuild: boolean;
  entrypointSet: boolean;
  cmdSet: boolean;
}

function vars(state: PlanState): Map<string, string> {
  return new Map([...state.args, ...state.env]);
}

function applyRun(step: Instruction, state: PlanState, file: string): void {
  const text = step.json !== undefined ? step.json.join(' ') : step.args;
  const explain = 'tide builds without Docker and runs only "npm install", "npm ci" and "npm run build" (locally, before packaging); move this step into the base image, or build with a running Docker engine';
  for (const part of text.split('&&')) {
    const command = npmCommand(part);
    if (command === undefined) refuse(step, file, `cannot run "${part.trim()}": ${explain}`);
    if (command === 'install' || command === 'ci') state.npmInstall = { command, workdir: state.config.WorkingDir ?? '/' };
    if (command === 'build') state.npmBuild = true;
  }
}

function applyStep(step: Instruction, state: PlanState, file: string): void {
  const { config } = state;
  const workdir = config.WorkingDir ?? '/';
  switch (step.keyword) {
    case 'ARG':
      declareArgs(step, state.args, file);
      return;
    case 'ENV':
      for (const [key, value] of pairs(step.args, vars(state)) ?? refuse(step, file, 'ENV needs key=value')) state.env.set(key, value ?? '');
      config.Env = [...state.env].map(([key, value]) => `${key}=${value}`);
      return;
    case 'LABEL':
      config.Labels = { ...config.Labels, ...Object.fromEntries((pairs(step.args, vars(state)) ?? refuse(step, file, 'LABEL needs key=value')).map(([k, v]) => [k, v ?? ''])) };
      return;
    case 'WORKDIR':
      config.WorkingDir = posix.resolve(workdir, substitute(step.args, vars(state)));
      state.workdirs.push(config.WorkingDir);
      return;
    case 'USER':
      config.User = substitute(step.args, vars(state));
      return;
    case 'EXPOSE':
      config.ExposedPorts = { ...config.ExposedPorts, ...Object.fromEntries(words(step.args, vars(state)).map((port) => [port.includes('/') ? port.toLowerCase() : `${port}/tcp`, {}])) };
      return;
    case 'ENTRYPOINT':
      config.Entrypoint = commandOf(step);
      // As Docker: an ENTRYPOINT resets the CMD inherited from the base image.
      if (!state.cmdSet) config.Cmd = null;
      state.entrypointSet = true;
      return;
    case 'CMD':
      config.Cmd = commandOf(step);
      state.cmdSet = true;
      return;
    case 'COPY':
      state.copies.push(copyStep(step, vars(state), workdir, file));
      return;
    case 'RUN':
      applyRun(step, state, file);
      return;
    case 'ADD':
      return refuse(step, file, 'ADD is not supported without Docker; use COPY for files of the app');
    default:
      return refuse(step, file, `${step.keyword} is not supported without Docker (supported: FROM, ARG, ENV, WORKDIR, COPY, EXPOSE, LABEL, USER, ENTRYPOINT, CMD, RUN npm install|ci|run build)`);
  }
}

/** Applies the instructions after FROM to the base image's runtime config. */
export function planBuild(rest: readonly Instruction[], baseConfig: RuntimeConfig, args: ReadonlyMap<string, string>, file: string): BuildPlan {
  const config: RuntimeConfig = structuredClone(baseConfig);
  const env = new Map((config.Env ?? []).map((entry) => { const eq = entry.indexOf('='); return [eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? '' : entry.slice(eq + 1)] as [string, string]; }));
  const state: PlanState = { config, env, args: new Map(args), copies: [], workdirs: [], npmBuild: false, entrypointSet: false, cmdSet: false };
  for (const step of rest) applyStep(step, state, file);
  const plan = { config, copies: state.copies, npmBuild: state.npmBuild, workdirs: state.workdirs };
  return state.npmInstall === undefined ? plan : { ...plan, npmInstall: state.npmInstall };
}
