// What kind of app a folder holds, as func decides it for `func new` and `func init --docker-only`:
// v4 when package.json depends on @azure/functions 4 (`^[^0-9]*4`), TypeScript when tsconfig.json
// exists (functions.md §3).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseless, isJsonObject, parseJsonText } from '../../app/json-text.js';
import type { Language, ProgrammingModel } from './catalogue.js';

export interface AppKind {
  readonly model: ProgrammingModel;
  readonly language: Language;
  /** FUNCTIONS_WORKER_RUNTIME from local.settings.json, when set. */
  readonly workerRuntime?: string;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) return undefined;
  const parsed = parseJsonText(readFileSync(path, 'utf8'));
  return 'value' in parsed ? parsed.value : undefined;
}

/** The programming model of the app at `root` (v3 when package.json is missing or names no @azure/functions 4). */
export function detectModel(root: string): ProgrammingModel {
  const pkg = readJson(join(root, 'package.json'));
  const deps = isJsonObject(pkg) ? pkg['dependencies'] : undefined;
  const version = isJsonObject(deps) ? deps['@azure/functions'] : undefined;
  return typeof version === 'string' && /^[^0-9]*4/.test(version) ? 'v4' : 'v3';
}

/** Model, language and worker runtime of the app at `root`. */
export function detectAppKind(root: string): AppKind {
  const settings = readJson(join(root, 'local.settings.json'));
  const values = isJsonObject(settings) ? caseless(settings, 'Values') : undefined;
  const runtime = isJsonObject(values) ? values['FUNCTIONS_WORKER_RUNTIME'] : undefined;
  return {
    model: detectModel(root),
    language: existsSync(join(root, 'tsconfig.json')) ? 'typescript' : 'javascript',
    ...(typeof runtime === 'string' ? { workerRuntime: runtime } : {}),
  };
}
