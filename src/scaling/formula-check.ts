// Static checks of a parsed formula, following expr's checker with KEDA's environment (every trigger
// a float64): unknown names, operand types (`%` wants integers, `&&` wants bools), ternary
// conditions, builtin arguments, and a result that KEDA's `float(...)` wrapper accepts.

import { nearest } from '../api/nearest.js';
import { BUILTINS } from './formula-builtins.js';
import type { BinaryOp, FormulaNode } from './formula-parser.js';
import { FormulaFault, isNumberType, type StaticType } from './formula-values.js';

export interface CheckedFormula {
  readonly type: StaticType;
  /** Trigger names the formula reads, in first-use order. */
  readonly names: readonly string[];
  /** The formula uses `??`, so a nil result is meaningful (fallback behavior scalingModifiers). */
  readonly coalesces: boolean;
}

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/** Checks a formula against the trigger names; throws a FormulaFault for the first problem. */
export function checkFormula(root: FormulaNode, variables: readonly string[]): CheckedFormula {
  const checker = new Checker(new Set(variables), variables);
  const type = checker.typeOf(root);
  if (type === 'bool') {
    throw new FormulaFault('the formula must return a number, but it returns a bool', root.pos, 'turn a condition into a number with a ternary, e.g. (cond ? 1 : 0)');
  }
  if (type === 'nil' && !checker.coalesces) throw new FormulaFault('the formula always returns nil', root.pos);
  return { type, names: [...checker.names], coalesces: checker.coalesces };
}

class Checker {
  readonly names = new Set<string>();
  coalesces = false;

  constructor(
    private readonly variables: ReadonlySet<string>,
    private readonly variableList: readonly string[],
  ) {}

  typeOf(node: FormulaNode): StaticType {
    switch (node.kind) {
      case 'number':
        return node.isInt ? 'int' : 'float';
      case 'string':
        return 'string';
      case 'bool':
        return 'bool';
      case 'nil':
        return 'nil';
      case 'name':
        return this.name(node.name, node.pos);
      case 'unary':
        return this.unary(node.op, node.text, this.typeOf(node.operand), node.pos);
      case 'binary':
        return this.binary(node.op, node.text, node.left, node.right, node.pos);
      case 'conditional':
        return this.conditional(node.cond, node.then, node.otherwise);
      case 'call':
        return this.call(node.name, node.args, node.pos);
    }
  }

  private name(name: string, pos: number): StaticType {
    if (this.variables.has(name)) {
      this.names.add(name);
      return 'float';
    }
    throw new FormulaFault(`unknown name ${JSON.stringify(name)}`, pos, this.unknownNameHint(name));
  }

  private unknownNameHint(name: string): string {
    if (BUILTINS.has(name)) return `${name} is a function; call it as ${name}(…)`;
    const triggers = this.variableList.length === 0
      ? 'no trigger has a name (cpu and memory triggers cannot be used in formulas)'
      : `triggers are: ${this.variableList.join(', ')}`;
    const suggestion = nearest(name, this.variableList);
    const dashed = this.variableList.find((v) => !IDENTIFIER.test(v) && v.split(/[^\p{L}\p{N}_$]/u).includes(name));
    if (dashed !== undefined) return `trigger ${JSON.stringify(dashed)} is not an identifier; write $env[${JSON.stringify(dashed)}]; ${triggers}`;
    return suggestion === undefined ? triggers : `did you mean ${JSON.stringify(suggestion)}? ${triggers}`;
  }

  private unary(op: '!' | '-' | '+', text: string, t: StaticType, pos: number): StaticType {
    if (op === '!' && (t === 'bool' || t === 'any')) return 'bool';
    if (op !== '!' && (isNumberType(t) || t === 'any')) return t;
    throw new FormulaFault(`invalid operation: ${text} ${t}`, pos, op === '!' ? `${text} needs a bool` : `${text} needs a number`);
  }

  private binary(op: BinaryOp, text: string, leftNode: FormulaNode, rightNode: FormulaNode, pos: number): StaticType {
    if (op === '??') this.coalesces = true;
    const l = this.typeOf(leftNode);
    const r = this.typeOf(rightNode);
    const result = binaryType(op, l, r);
    if (result !== undefined) return result;
    throw new FormulaFault(`invalid operation: ${l} ${text} ${r} (mismatched types)`, pos, mismatchHint(op, leftNode, l));
  }

  private conditional(cond: FormulaNode, then: FormulaNode, otherwise: FormulaNode): StaticType {
    const c = this.typeOf(cond);
    if (c !== 'bool' && c !== 'any') {
      throw new FormulaFault(`non-bool expression (type ${c}) used as condition`, cond.pos, 'compare it, e.g. queue > 0 ? a : b');
    }
    const a = this.typeOf(then);
    const b = this.typeOf(otherwise);
    if (a === 'nil') return b;
    if (b === 'nil' || a === b) return a;
    return 'any';
  }

  private call(name: string, args: readonly FormulaNode[], pos: number): StaticType {
    const builtin = BUILTINS.get(name);
    if (builtin === undefined) {
      if (this.variables.has(name)) throw new FormulaFault(`${name} is a trigger, not a function`, pos);
      const suggestion = nearest(name, BUILTINS.keys());
      const available = `functions are: ${[...BUILTINS.keys()].join(', ')}`;
      throw new FormulaFault(`unknown function ${JSON.stringify(name)}`, pos, suggestion === undefined ? available : `did you mean ${suggestion}? ${available}`);
    }
    const types = args.map((arg) => this.typeOf(arg));
    if (args.length < builtin.minArgs) throw new FormulaFault(`not enough arguments to call ${name}`, pos);
    if (args.length > builtin.maxArgs) {
      throw new FormulaFault(`too many arguments to call ${name} (expected ${builtin.maxArgs}, got ${args.length})`, pos);
    }
    const result = builtin.type(types);
    if (typeof result === 'string') return result;
    throw new FormulaFault(result.error, (args[result.arg] ?? { pos }).pos);
  }
}

const isBool = (t: StaticType): boolean => t === 'bool';
const isInt = (t: StaticType): boolean => t === 'int';
const isNumberOrString = (t: StaticType): boolean => isNumberType(t) || t === 'string';

/** expr's rule for a pair where one side is not known yet: any with a fitting side, or any with any. */
function either(l: StaticType, r: StaticType, fits: (t: StaticType) => boolean): boolean {
  return (l === 'any' && (r === 'any' || fits(r))) || (r === 'any' && fits(l));
}

const combined = (l: StaticType, r: StaticType): StaticType => (l === 'int' && r === 'int' ? 'int' : 'float');

/** Result type of a binary operator, or undefined when expr rejects the operand types. */
function binaryType(op: BinaryOp, l: StaticType, r: StaticType): StaticType | undefined {
  const numbers = isNumberType(l) && isNumberType(r);
  switch (op) {
    case '==':
    case '!=':
      return numbers || l === 'nil' || r === 'nil' || l === r || l === 'any' || r === 'any' ? 'bool' : undefined;
    case '&&':
    case '||':
      return (isBool(l) && isBool(r)) || either(l, r, isBool) ? 'bool' : undefined;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return numbers || (l === 'string' && r === 'string') || either(l, r, isNumberOrString) ? 'bool' : undefined;
    case '+':
      if (l === 'string' && r === 'string') return 'string';
      return numbers ? combined(l, r) : either(l, r, isNumberOrString) ? 'any' : undefined;
    case '-':
    case '*':
      return numbers ? combined(l, r) : either(l, r, isNumberType) ? 'any' : undefined;
    case '/':
    case '**':
      return numbers || either(l, r, isNumberType) ? 'float' : undefined;
    case '%':
      return isInt(l) && isInt(r) ? 'int' : either(l, r, isInt) ? 'any' : undefined;
    case '??':
      if (l === 'nil') return r;
      return r === 'nil' || l === r ? l : 'any';
  }
}

function mismatchHint(op: BinaryOp, left: FormulaNode, l: StaticType): string | undefined {
  if (op === '%') {
    const example = left.kind === 'name' ? `int(${left.name}) % 2` : 'int(x) % 2';
    return `% works on integers and trigger values are floats; convert first, e.g. ${example}`;
  }
  if ((op === '&&' || op === '||') && l !== 'bool') return `${op} joins conditions; compare numbers first, e.g. a > 0 ${op} b > 0`;
  return undefined;
}
