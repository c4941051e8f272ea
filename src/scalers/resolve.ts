// Resolution of declared parameters against one trigger: find each value in its allowed sources in
// KEDA's order (metadata, TriggerAuthentication parameters, `<name>FromEnv`), convert it, and report
// every problem with the path of the field the user has to change. Secret values never reach a message.

import { nearest } from '../api/nearest.js';
import { problem, warning, type Problem } from '../api/problems.js';
import type { AnyParam, ParamShape, ParamSpec, Source } from './param.js';

/** The raw inputs of one trigger. */
export interface TriggerValues {
  readonly metadata: Readonly<Record<string, string>>;
  readonly authParams: Readonly<Record<string, string>>;
  /** Resolved env of the scale target's container, for `<name>FromEnv`. */
  readonly env: Readonly<Record<string, string>>;
  /** Offline validation: count values a TriggerAuthentication or the container env would supply as present. */
  readonly assume?: { readonly authParams?: boolean; readonly env?: boolean };
  /** scalingModifiers present: parameters declared requiredUnlessMetricSource may be absent. */
  readonly metricSource: boolean;
}

/** Per-parameter outcome; rules run only over parameters that are `ok`. */
export type ParamStatus = 'ok' | 'absent' | 'failed' | 'assumed';

/** Everything resolution learned about a trigger's parameters. */
export interface Resolution {
  readonly values: Record<string, unknown>;
  /** Path of the field each parameter came from (or should be set in), relative to the trigger. */
  readonly paths: Record<string, string>;
  readonly status: Record<string, ParamStatus>;
  readonly problems: Problem[];
  /** Values of secret parameters, so callers can scrub them from any message. */
  readonly secrets: string[];
}

interface Found {
  readonly text: string;
  readonly path: string;
  readonly envName?: string;
}

const FROM_ENV = 'FromEnv';

function names(name: string, spec: ParamSpec): string[] {
  return [name, ...spec.aliases];
}

function trimmed(map: Readonly<Record<string, string>>, key: string): string | undefined {
  const value = Object.hasOwn(map, key) ? map[key]?.trim() : undefined;
  return value === undefined || value === '' ? undefined : value;
}

function findIn(source: Source, key: string, input: TriggerValues): Found | undefined {
  if (source === 'metadata') {
    const text = trimmed(input.metadata, key);
    return text === undefined ? undefined : { text, path: `metadata.${key}` };
  }
  if (source === 'authParams') {
    const text = trimmed(input.authParams, key);
    return text === undefined ? undefined : { text, path: `authParams.${key}` };
  }
  const envName = trimmed(input.metadata, key + FROM_ENV);
  const text = envName === undefined ? undefined : trimmed(input.env, envName);
  return text === undefined || envName === undefined ? undefined : { text, path: `metadata.${key}${FROM_ENV}`, envName };
}

/** The first non-empty value of a parameter in its sources' order, trying every accepted name per source. */
export function findValue(name: string, spec: ParamSpec, input: TriggerValues): Found | undefined {
  for (const source of spec.sources) {
    for (const key of names(name, spec)) {
      const found = findIn(source, key, input);
      if (found) return found;
    }
  }
  return undefined;
}

/** Where the user should set a missing parameter, for the problem's path. */
function homePath(name: string, spec: ParamSpec): string {
  if (spec.sources.includes('metadata')) return `metadata.${name}`;
  if (spec.sources.includes('authParams')) return `authParams.${name}`;
  return `metadata.${name}${FROM_ENV}`;
}

/** "metadata.x, metadata.xFromEnv or a TriggerAuthentication parameter "x"" — every place a value may be set. */
export function placesToSet(name: string, spec: ParamSpec): string {
  const places: string[] = [];
  if (spec.sources.includes('metadata')) places.push(`metadata.${name}`);
  if (spec.sources.includes('fromEnv')) places.push(`metadata.${name}${FROM_ENV}`);
  if (spec.sources.includes('authParams')) places.push(`a TriggerAuthentication parameter "${name}"`);
  if (places.length === 1) return places[0] ?? '';
  return `${places.slice(0, -1).join(', ')} or ${places[places.length - 1] ?? ''}`;
}

function describe(found: Found, spec: ParamSpec): string {
  if (spec.secret) return 'the value (not shown: secret)';
  const from = found.envName === undefined ? '' : ` (env var ${found.envName})`;
  return `"${found.text}"${from}`;
}

/** A FromEnv key whose env var is missing: the value a TriggerAuthentication-less offline check cannot see. */
function dangling(name: string, spec: ParamSpec, input: TriggerValues): { path: string; envName: string } | undefined {
  if (!spec.sources.includes('fromEnv')) return undefined;
  for (const key of names(name, spec)) {
    const envName = trimmed(input.metadata, key + FROM_ENV);
    if (envName !== undefined) return { path: `metadata.${key}${FROM_ENV}`, envName };
  }
  return undefined;
}

/** Where an offline check assumes the value comes from, and the placeholder text standing in for it. */
function assumable(name: string, spec: ParamSpec, input: TriggerValues): { path: string; placeholder: string } | undefined {
  const hole = input.assume?.env ? dangling(name, spec, input) : undefined;
  if (hole) return { path: hole.path, placeholder: `$(${hole.envName})` };
  if (input.assume?.authParams && spec.sources.includes('authParams')) return { path: `authParams.${name}`, placeholder: `$(${name})` };
  return undefined;
}

/** Stand-in value of an assumed parameter: readable text for strings, else the default or zero value. */
function placeholderValue(spec: ParamSpec, placeholder: string): unknown {
  if (spec.kind === 'string') return placeholder;
  if (spec.kind === 'list') return [placeholder];
  return spec.defaultValue ?? spec.zero;
}

interface Outcome {
  readonly status: ParamStatus;
  readonly value: unknown;
  readonly path: string;
  readonly problems: readonly Problem[];
}

function absent(name: string, spec: ParamSpec, input: TriggerValues): Outcome {
  const path = homePath(name, spec);
  const assumed = assumable(name, spec, input);
  if (assumed) return { status: 'assumed', value: placeholderValue(spec, assumed.placeholder), path: assumed.path, problems: [] };
  const hole = dangling(name, spec, input);
  const unset = hole ? [warning(hole.path, `env var "${hole.envName}" is not set or empty in the scale target's container; ${name} keeps its default`)] : [];
  if (spec.presence === 'default') return { status: 'ok', value: spec.defaultValue, path, problems: unset };
  if (spec.presence === 'requiredUnlessMetricSource' && input.metricSource) return { status: 'ok', value: spec.zero, path, problems: unset };
  if (spec.presence === 'optional') return { status: 'absent', value: undefined, path, problems: unset };
  if (hole) {
    return { status: 'failed', value: undefined, path: hole.path, problems: [problem(hole.path, `env var "${hole.envName}" is not set or empty in the scale target's container, and ${name} is required`)] };
  }
  return { status: 'failed', value: undefined, path, problems: [problem(path, `required (set ${placesToSet(name, spec)})`)] };
}

/** Resolves one declared parameter. */
export function resolveParam(name: string, declared: AnyParam, input: TriggerValues): Outcome {
  const spec = declared.spec;
  const found = findValue(name, spec, input);
  if (!found) return absent(name, spec, input);
  if (spec.removed !== undefined) {
    return { status: 'failed', value: undefined, path: found.path, problems: [problem(found.path, `is no longer supported: ${spec.removed}`)] };
  }
  const converted = spec.convert(found.text);
  if ('error' in converted) {
    return { status: 'failed', value: undefined, path: found.path, problems: [problem(found.path, `${describe(found, spec)} ${converted.error}`)] };
  }
  const problems = spec.deprecated !== undefined ? [warning(found.path, `is deprecated: ${spec.deprecated}`)] : [];
  return { status: 'ok', value: converted.value, path: found.path, problems: [...problems, ...shadowed(name, spec, input, found)] };
}

/** KEDA silently takes the first source holding a value; say so when the user set more than one. */
function shadowed(name: string, spec: ParamSpec, input: TriggerValues, used: Found): Problem[] {
  const others = spec.sources
    .flatMap((source) => names(name, spec).map((key) => findIn(source, key, input)))
    .filter((f): f is Found => f !== undefined && f.path !== used.path);
  if (others.length === 0) return [];
  const all = [used, ...others].map((f) => f.path).join(' and ');
  return [warning(used.path, `${name} is set in ${all}; the value from ${used.path} is used (KEDA's lookup order)`)];
}

/** Resolves every declared parameter of a trigger. */
export function resolveParams(shape: ParamShape, input: TriggerValues): Resolution {
  const resolution: Resolution = { values: {}, paths: {}, status: {}, problems: [], secrets: [] };
  for (const [name, declared] of Object.entries(shape)) {
    const outcome = resolveParam(name, declared, input);
    resolution.values[name] = outcome.value;
    resolution.paths[name] = outcome.path;
    resolution.status[name] = outcome.status;
    resolution.problems.push(...outcome.problems);
    if (declared.spec.secret) {
      const found = findValue(name, declared.spec, input);
      if (found) resolution.secrets.push(found.text);
    }
  }
  return resolution;
}

function knownKeys(shape: ParamShape): { metadata: Set<string>; all: Map<string, ParamSpec> } {
  const metadata = new Set<string>();
  const all = new Map<string, ParamSpec>();
  for (const [name, declared] of Object.entries(shape)) {
    for (const key of names(name, declared.spec)) {
      all.set(key, declared.spec);
      if (declared.spec.sources.includes('metadata')) metadata.add(key);
      if (declared.spec.sources.includes('fromEnv')) metadata.add(key + FROM_ENV);
    }
  }
  return { metadata, all };
}

function unknownKeyMessage(key: string, known: ReturnType<typeof knownKeys>): string {
  const base = key.endsWith(FROM_ENV) ? key.slice(0, -FROM_ENV.length) : undefined;
  const baseSpec = base === undefined ? undefined : known.all.get(base);
  if (base !== undefined && baseSpec) return `${base} cannot be read from the container environment; "${key}" is ignored`;
  const spec = known.all.get(key);
  if (spec) return `"${key}" is not read from metadata; set ${placesToSet(key, spec)}`;
  const suggestion = nearest(key, known.metadata);
  return suggestion === undefined ? `unknown metadata key "${key}"` : `unknown metadata key "${key}"; did you mean "${suggestion}"?`;
}

/** Warnings for metadata keys the scaler does not read, each with the nearest known name when there is one. */
export function unknownKeyWarnings(shape: ParamShape, metadata: Readonly<Record<string, string>>): Problem[] {
  const known = knownKeys(shape);
  return Object.keys(metadata)
    .filter((key) => !known.metadata.has(key))
    .map((key) => warning(`metadata.${key}`, unknownKeyMessage(key, known)));
}
