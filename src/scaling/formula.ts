// scalingModifiers formulas (`spec.advanced.scalingModifiers.formula`): KEDA evaluates them with
// expr-lang/expr over the trigger values by trigger name, wrapped in `float(...)`. This module
// compiles a formula once (lexer → parser → checker → closures) and evaluates it every poll.
// Every failure is a value with a position; nothing throws to the caller.

import { toFloatResult } from './formula-builtins.js';
import { checkFormula } from './formula-check.js';
import { compileNode } from './formula-eval.js';
import { locate, position } from './formula-lexer.js';
import { parseFormula } from './formula-parser.js';
import { FormulaFault, type Evaluator, type Value } from './formula-values.js';

/** Trigger values by trigger name; `null` (or absent) is a trigger failing under fallback `scalingModifiers`. */
export type FormulaValues = Readonly<Record<string, number | null | undefined>>;

/** The outcome of one evaluation: a number, `null` (only for formulas using `??`), or an error. */
export type FormulaResult = { readonly ok: true; readonly value: number | null } | { readonly ok: false; readonly error: string };

export interface CompiledFormula {
  readonly source: string;
  /** Trigger names the formula reads, in first-use order. */
  readonly triggers: readonly string[];
  /** The formula uses `??`, so a nil result is passed on (fallback turns it into replicas × target). */
  readonly allowsNil: boolean;
  /** Runs the formula; a non-finite result (division by zero) is an error. */
  evaluate(values: FormulaValues): FormulaResult;
}

export interface CompileFailure {
  readonly ok: false;
  /** One line: what is wrong, where (`at column 9`), and a hint when there is one. */
  readonly error: string;
  readonly line: number;
  readonly column: number;
}

export type CompileResult = { readonly ok: true; readonly formula: CompiledFormula } | CompileFailure;

/** The value KEDA's webhook gives every trigger when it test-runs a formula. */
export const VALIDATION_VALUE = -1;

/**
 * Compiles a formula over the given trigger names (the `name` of every trigger that is not cpu or
 * memory). Syntax errors, unknown names and type errors are reported with their column.
 */
export function compileFormula(formula: string, variables: readonly string[]): CompileResult {
  return compile(formula, variables);
}

function compile(formula: string, variables: readonly string[]): { ok: true; formula: Formula } | CompileFailure {
  const parsed = parseFormula(formula);
  if (!parsed.ok) return compileError(formula, parsed.problem.message, parsed.problem.pos, parsed.problem.hint);
  try {
    const checked = checkFormula(parsed.node, variables);
    const root = compileNode(parsed.node);
    return { ok: true, formula: new Formula(formula, root, checked.names, checked.coalesces) };
  } catch (error) {
    if (error instanceof FormulaFault) return compileError(formula, error.message, error.pos, error.hint);
    throw error;
  }
}

/**
 * KEDA's admission check: compile with every trigger, run once with each value −1, and reject
 * compile or runtime errors. A non-finite result is accepted here, as in KEDA (`a / (b + 1)` is
 * a valid formula even though −1 makes it divide by zero).
 */
export function validateFormula(formula: string, triggerNames: readonly string[]): CompileResult {
  const compiled = compile(formula, triggerNames);
  if (!compiled.ok) return compiled;
  const values: Record<string, number> = {};
  for (const name of triggerNames) values[name] = VALIDATION_VALUE;
  const outcome = compiled.formula.run(values, false);
  if (outcome.ok) return compiled;
  const { line, column } = position(formula, outcome.pos ?? 0);
  return { ok: false, error: `running the formula with every trigger = ${VALIDATION_VALUE} failed: ${outcome.error}`, line, column };
}

function compileError(source: string, message: string, pos: number, hint: string | undefined): CompileFailure {
  const { line, column } = position(source, pos);
  return { ok: false, error: formatFault(source, message, pos, hint), line, column };
}

function formatFault(source: string, message: string, pos: number, hint: string | undefined): string {
  return `${message} at ${locate(source, pos)}${hint === undefined ? '' : `; ${hint}`}`;
}

type RunOutcome = { ok: true; value: number | null } | { ok: false; error: string; pos?: number };

class Formula implements CompiledFormula {
  constructor(
    readonly source: string,
    private readonly root: Evaluator,
    readonly triggers: readonly string[],
    readonly allowsNil: boolean,
  ) {}

  evaluate(values: FormulaValues): FormulaResult {
    const outcome = this.run(values, true);
    return outcome.ok ? outcome : { ok: false, error: outcome.error };
  }

  /** Evaluates and applies KEDA's float(...) wrapper; `requireFinite` is off for validation only. */
  run(values: FormulaValues, requireFinite: boolean): RunOutcome {
    let value: number;
    try {
      const raw: Value = this.root(values);
      if (raw === null) {
        return this.allowsNil ? { ok: true, value: null } : { ok: false, error: 'the formula returned nil; guard failing triggers with ?? (e.g. a ?? 0)' };
      }
      if (typeof raw === 'boolean') return { ok: false, error: `the formula must return a number, but it returned ${raw}`, pos: 0 };
      value = toFloatResult(raw, { kind: 'nil', pos: 0 });
    } catch (error) {
      if (error instanceof FormulaFault) return { ok: false, error: formatFault(this.source, error.message, error.pos, error.hint), pos: error.pos };
      return { ok: false, error: `the formula failed: ${String(error)}` };
    }
    if (requireFinite && !Number.isFinite(value)) {
      if (Number.isNaN(value)) return { ok: false, error: 'the formula returned NaN; check for 0 / 0 or a NaN trigger value' };
      return { ok: false, error: `the formula returned ${value > 0 ? '+Inf' : '-Inf'}; check for division by zero` };
    }
    // `+ 0` turns -0 into 0 so callers never see a negative zero.
    return { ok: true, value: value + 0 };
  }
}
