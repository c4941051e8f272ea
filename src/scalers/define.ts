// defineScaler: one declaration per scaler type (parameters, cross-field rules, metric name and target)
// and the parse function built from it. Parsing runs once per object generation; it reports every
// problem at once with paths relative to the trigger (`metadata.queueName`, `authParams.password`,
// `metricType`) so callers can prefix `spec.triggers[i].`.

import { hasErrors, problem, warning, type Problem } from '../api/problems.js';
import type { ParamShape, ParamsOf } from './param.js';
import { metricNameWithIndex } from './metric-name.js';
import { resolveParams, unknownKeyWarnings, type Resolution } from './resolve.js';

/** HPA metric target types. */
export type MetricTargetType = 'AverageValue' | 'Value' | 'Utilization';

/** One HPA metric a trigger contributes. */
export interface MetricSpec {
  readonly kind: 'External' | 'Resource' | 'ContainerResource';
  /** External: `s<index>-<normalised name>`; Resource/ContainerResource: the resource (`cpu`, `memory`). */
  readonly metricName: string;
  readonly targetType: MetricTargetType;
  /** Target in milli-units; for Utilization the percentage × 1000. */
  readonly targetMilli: number;
  /** Activation threshold in milli-units: the trigger is active iff its value is greater. */
  readonly activationMilli: number;
  readonly containerName?: string;
}

/** What a trigger gives a scaler to parse. */
export interface ParseInput {
  readonly metadata: Readonly<Record<string, string>>;
  readonly authParams?: Readonly<Record<string, string>>;
  /** Resolved env of the scale target's container (for `<name>FromEnv`). */
  readonly env?: Readonly<Record<string, string>>;
  readonly triggerIndex: number;
  readonly triggerName?: string;
  /** The trigger's `metricType`. */
  readonly metricType?: MetricTargetType;
  /** The ScaledObject has scalingModifiers: the scaler is a metric source and its own target is optional. */
  readonly metricSource?: boolean;
  /** Pod identity provider of the trigger's TriggerAuthentication (`none`, `azure-workload`, …). */
  readonly podIdentity?: string;
  /** Offline validation (`tide validate`): values a TriggerAuthentication or the container env would supply. */
  readonly assume?: { readonly authParams?: boolean; readonly env?: boolean };
}

/** What rules and derive see besides the parameters. */
export interface RuleContext {
  readonly metricSource: boolean;
  readonly metricType: MetricTargetType;
  readonly podIdentity: string | undefined;
  /** Parameters an offline check assumed present; their values are placeholders. */
  readonly assumed: ReadonlySet<string>;
}

/** A cross-field finding, placed at a parameter (its path is where that value came from) or at an explicit path. */
export interface Issue {
  readonly param?: string;
  readonly path?: string;
  readonly message: string;
  readonly severity?: 'error' | 'warning';
}

/** What a rule returns: nothing, one issue or several. */
export type IssueResult = Issue | readonly Issue[] | undefined | false;

/** A cross-field rule; it runs only when every parameter it needs resolved (not failed, not assumed). */
export interface Rule<P> {
  readonly needs: readonly (keyof P)[];
  readonly check: (params: P, ctx: RuleContext) => IssueResult;
}

/** Builds a rule over the parameters it names, giving the check a narrowed view. */
export type RuleFactory<P> = <K extends keyof P>(needs: readonly K[], check: (params: Pick<P, K>, ctx: RuleContext) => IssueResult) => Rule<P>;

/** An External metric's target and activation threshold, in milli-units. */
export interface Target {
  readonly value: number;
  readonly activation?: number;
}

/** Context for scalers that build their own metric specs (cpu, memory). */
export interface SpecContext extends RuleContext {
  readonly triggerIndex: number;
}

/** What `connect` gets besides the parameters. */
export interface ConnectContext {
  /** Aborted when the call times out or the scaler is closed. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** The trigger's raw metadata (the external scaler forwards it as scalerMetadata). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly scaledObject: { readonly name: string; readonly namespace: string };
}

/** What `read` gets besides the connection and parameters. */
export interface ReadContext extends ConnectContext {
  /** Epoch milliseconds of this poll. */
  readonly now: number;
  /** The trigger's External metric name (`s0-azure-queue-orders`). */
  readonly metricName: string;
}

/** One read of a scaler: the metric value as a float, as KEDA's scalers return it, and its own activity when it has one. */
export interface Reading {
  readonly value: number;
  /** Omitted: active iff value > activation target (KEDA's usual rule). */
  readonly active?: boolean;
}

/** A scaler declaration: parameters first, then one small function per concern. */
export interface ScalerDeclaration<S extends ParamShape, D, C = undefined> {
  readonly type: string;
  /** Other trigger types served by the same declaration (KEDA's redis-cluster, redis-sentinel, …). */
  readonly aliases?: readonly string[];
  readonly params: S;
  readonly rules?: (rule: RuleFactory<ParamsOf<S>>) => readonly Rule<ParamsOf<S>>[];
  /** Turns valid parameters into what the metric spec (and later the reader) needs; runs only without errors. */
  readonly derive?: (params: ParamsOf<S>, ctx: RuleContext) => D;
  /** External metric name before the `s<i>-` prefix and normalisation. */
  readonly metricName?: (params: D) => string;
  readonly target?: (params: D) => Target;
  /** Replaces metricName/target for scalers whose metrics are not External. */
  readonly metricSpecs?: (params: D, ctx: SpecContext) => readonly MetricSpec[];
  /** Allowed trigger metricType values (default AverageValue, Value). */
  readonly metricTypes?: readonly MetricTargetType[];
  readonly metricTypeRequired?: boolean;
  /** How docs/scalers.md describes the metric name, when the name function's shape does not show it. */
  readonly metricNameDoc?: string;
  /** Opens the connection reused across polls (omit for scalers that need none, such as cron). */
  readonly connect?: (params: D, ctx: ConnectContext) => Promise<C> | C;
  /** Reads the current value; throwing is a scaler failure (it feeds fallback), never a crash. */
  readonly read?: (connection: C, params: D, ctx: ReadContext) => Promise<Reading> | Reading;
  readonly close?: (connection: C) => Promise<void> | void;
  /** Push scalers: call onActive as soon as the source turns active; returns an unsubscribe function. */
  readonly subscribe?: (connection: C, params: D, onActive: () => void) => () => void;
}

/** Parse outcome: typed parameters and metric specs, or every problem found. */
export type ParseResult<D> =
  | {
      readonly ok: true;
      readonly params: D;
      readonly metricSpecs: readonly MetricSpec[];
      readonly warnings: readonly Problem[];
      readonly assumed: readonly string[];
      /** Values of secret parameters, for scrubbing them from read errors. */
      readonly secrets: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** A declaration with its parse function. */
export interface Scaler<S extends ParamShape = ParamShape, D = unknown, C = undefined> extends ScalerDeclaration<S, D, C> {
  readonly parse: (input: ParseInput) => ParseResult<D>;
}

const EXTERNAL_TYPES: readonly MetricTargetType[] = ['AverageValue', 'Value'];

/** An error-severity issue at a parameter. */
export function issue(param: string, message: string): Issue {
  return { param, message };
}

/** A warning-severity issue at a parameter. */
export function caution(param: string, message: string): Issue {
  return { param, message, severity: 'warning' };
}

/** Declares a scaler type; see src/scalers/azure-queue.ts for the shape of a scaler file. */
export function defineScaler<S extends ParamShape, D = ParamsOf<S>, C = undefined>(declaration: ScalerDeclaration<S, D, C>): Scaler<S, D, C> {
  return { ...declaration, parse: (input) => parseTrigger(declaration, input) };
}

function metricTypeProblems(
  declaration: Pick<ScalerDeclaration<ParamShape, unknown>, 'type' | 'metricTypes' | 'metricTypeRequired'>,
  metricType: MetricTargetType | undefined,
): Problem[] {
  const allowed = declaration.metricTypes ?? EXTERNAL_TYPES;
  if (metricType === undefined) {
    return declaration.metricTypeRequired ? [problem('metricType', `required for ${declaration.type} triggers (${allowed.join(' or ')})`)] : [];
  }
  if (allowed.includes(metricType)) return [];
  if (metricType === 'Utilization') return [problem('metricType', `'Utilization' is not supported for external metrics; use ${allowed.join(' or ')}`)];
  return [problem('metricType', `"${metricType}" is not one of ${allowed.join(', ')}`)];
}

function issuesOf(result: IssueResult): readonly Issue[] {
  if (!result) return [];
  return 'message' in result ? [result] : result;
}

function toProblem(found: Issue, resolution: Resolution): Problem {
  const path = found.path ?? (found.param !== undefined ? (resolution.paths[found.param] ?? `metadata.${found.param}`) : '');
  return found.severity === 'warning' ? warning(path, found.message) : problem(path, found.message);
}

function runRules<P>(rules: readonly Rule<P>[], params: P, resolution: Resolution, ctx: RuleContext): Problem[] {
  const usable = (name: PropertyKey): boolean => {
    const status = resolution.status[String(name)];
    return status === 'ok' || status === 'absent';
  };
  return rules.filter((r) => r.needs.every(usable)).flatMap((r) => issuesOf(r.check(params, ctx)).map((i) => toProblem(i, resolution)));
}

function scrub(problems: readonly Problem[], secrets: readonly string[]): Problem[] {
  const hidden = secrets.filter((s) => s.length >= 3);
  if (hidden.length === 0) return [...problems];
  return problems.map((p) => ({ ...p, message: hidden.reduce((m, s) => m.split(s).join('***'), p.message) }));
}

function externalSpecs<S extends ParamShape, D, C>(declaration: ScalerDeclaration<S, D, C>, params: D, ctx: SpecContext): readonly MetricSpec[] {
  if (declaration.metricSpecs) return declaration.metricSpecs(params, ctx);
  if (!declaration.metricName || !declaration.target) throw new Error(`scaler ${declaration.type} declares neither metricSpecs nor metricName and target`);
  const target = declaration.target(params);
  return [{
    kind: 'External',
    metricName: metricNameWithIndex(ctx.triggerIndex, declaration.metricName(params)),
    targetType: ctx.metricType,
    targetMilli: target.value,
    activationMilli: target.activation ?? 0,
  }];
}

function parseTrigger<S extends ParamShape, D, C>(declaration: ScalerDeclaration<S, D, C>, input: ParseInput): ParseResult<D> {
  const resolution = resolveParams(declaration.params, {
    metadata: input.metadata,
    authParams: input.authParams ?? {},
    env: input.env ?? {},
    metricSource: input.metricSource ?? false,
    ...(input.assume ? { assume: input.assume } : {}),
  });
  const params = resolution.values as ParamsOf<S>;
  const assumed = Object.keys(resolution.status).filter((name) => resolution.status[name] === 'assumed');
  const ctx: SpecContext = {
    metricSource: input.metricSource ?? false,
    metricType: input.metricType ?? 'AverageValue',
    podIdentity: input.podIdentity,
    assumed: new Set(assumed),
    triggerIndex: input.triggerIndex,
  };
  const rules = declaration.rules ? declaration.rules((needs, check) => ({ needs, check })) : [];
  const problems = [
    ...resolution.problems,
    ...metricTypeProblems(declaration, input.metricType),
    ...runRules(rules, params, resolution, ctx),
    ...unknownKeyWarnings(declaration.params, input.metadata),
  ];
  const clean = scrub(problems, resolution.secrets);
  if (hasErrors(clean)) return { ok: false, problems: clean };
  const derived = declaration.derive ? declaration.derive(params, ctx) : (params as unknown as D);
  return { ok: true, params: derived, metricSpecs: externalSpecs(declaration, derived, ctx), warnings: clean, assumed, secrets: resolution.secrets };
}
