// The numeric builtins of expr-lang/expr that make sense in a scalingModifiers formula, with expr's
// argument rules (checked before the formula runs) and its runtime behaviour (round half away from
// zero, int() truncating, min/max returning the winning argument unchanged).

import type { FormulaNode } from './formula-parser.js';
import { FormulaFault, isNumberType, needNumber, operandFault, type Evaluator, type StaticType, type Value } from './formula-values.js';

export interface Builtin {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The result type for these argument types, or the message explaining which argument is wrong. */
  readonly type: (args: readonly StaticType[]) => StaticType | { readonly error: string; readonly arg: number };
  /** Builds the evaluator from the compiled arguments. */
  readonly compile: (args: readonly Evaluator[], nodes: readonly FormulaNode[]) => Evaluator;
}

type UnaryRun = (value: Value, node: FormulaNode) => Value;

const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_INT = /^[+-]?\d+$/;

function unary(name: string, accepts: readonly StaticType[], result: (t: StaticType) => StaticType, run: UnaryRun): Builtin {
  return {
    minArgs: 1,
    maxArgs: 1,
    type: ([t = 'any']) => (t === 'any' || accepts.includes(t) ? result(t) : { error: `invalid argument for ${name} (type ${t})`, arg: 0 }),
    compile: ([arg], [node]) => {
      if (arg === undefined || node === undefined) throw new Error(`${name} compiled without its argument`);
      return (values) => run(arg(values), node);
    },
  };
}

/** Type rule of the variadic number builtins: at least one argument, every one a number. */
function numbersOnly(name: string, result: (types: readonly StaticType[]) => StaticType): Builtin['type'] {
  return (types) => {
    const bad = types.findIndex((t) => t !== 'any' && !isNumberType(t));
    return bad >= 0 ? { error: `invalid argument for ${name} (type ${types[bad] ?? 'any'})`, arg: bad } : result(types);
  };
}

function pick(name: string, wantMax: boolean): Builtin {
  return {
    minArgs: 1,
    maxArgs: Infinity,
    type: numbersOnly(name, pickType),
    compile: (args, nodes) => compilePick(name, args, nodes, wantMax),
  };
}

function aggregate(name: string, fold: (numbers: readonly number[]) => number): Builtin {
  const operation = `${name}()`;
  return {
    minArgs: 1,
    maxArgs: Infinity,
    type: numbersOnly(name, () => 'float'),
    compile: (args, nodes) => (values) => fold(args.map((arg, i) => needNumber(arg(values), operation, nodes[i] ?? missingNode))),
  };
}

const missingNode: FormulaNode = { kind: 'nil', pos: 0 };

/** min/max without allocating: this runs on every poll. */
function compilePick(name: string, args: readonly Evaluator[], nodes: readonly FormulaNode[], wantMax: boolean): Evaluator {
  const operation = `${name}()`;
  return (values) => {
    let best = needNumber((args[0] ?? nilEvaluator)(values), operation, nodes[0] ?? missingNode);
    for (let i = 1; i < args.length; i++) {
      const value = needNumber((args[i] ?? nilEvaluator)(values), operation, nodes[i] ?? missingNode);
      if (wantMax ? value > best : value < best) best = value;
    }
    return best;
  };
}

const nilEvaluator: Evaluator = () => null;

function pickType(types: readonly StaticType[]): StaticType {
  if (types.every((t) => t === 'int')) return 'int';
  if (types.every((t) => t === 'float')) return 'float';
  return 'any';
}

/** Go's math.Round: halves go away from zero (JavaScript's Math.round sends -2.5 to -2). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) + 0 : Math.round(x);
}

function toInt(value: Value, node: FormulaNode): number {
  if (typeof value === 'number') return Math.trunc(value) + 0;
  if (typeof value === 'string' && DECIMAL_INT.test(value)) return Number(value);
  if (typeof value === 'string') throw new FormulaFault(`int() cannot parse ${JSON.stringify(value)}`, node.pos);
  throw operandFault('int()', node, value, 'a number or string');
}

function toFloat(value: Value, node: FormulaNode): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (DECIMAL_FLOAT.test(text)) return Number(text);
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
    if (special !== null) return special[2]?.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
    throw new FormulaFault(`float() cannot parse ${JSON.stringify(value)}`, node.pos);
  }
  throw operandFault('float()', node, value, 'a number or string');
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? NaN) + upper) / 2;
}

const numeric: readonly StaticType[] = ['int', 'float'];
const numericOrString: readonly StaticType[] = ['int', 'float', 'string'];
const same = (t: StaticType): StaticType => t;
const float = (): StaticType => 'float';

/** Builtins by name. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['abs', unary('abs', numeric, same, (v, n) => Math.abs(needNumber(v, 'abs()', n)))],
  ['ceil', unary('ceil', numeric, float, (v, n) => Math.ceil(needNumber(v, 'ceil()', n)) + 0)],
  ['floor', unary('floor', numeric, float, (v, n) => Math.floor(needNumber(v, 'floor()', n)))],
  ['round', unary('round', numeric, float, (v, n) => roundHalfAway(needNumber(v, 'round()', n)))],
  ['int', unary('int', numericOrString, () => 'int', toInt)],
  ['float', unary('float', numericOrString, float, toFloat)],
  ['min', pick('min', false)],
  ['max', pick('max', true)],
  ['mean', aggregate('mean', (xs) => xs.reduce((a, b) => a + b, 0) / xs.length)],
  ['median', aggregate('median', median)],
]);

/** Applies KEDA's `float(...)` wrapper to the formula's result. */
export const toFloatResult = toFloat;
