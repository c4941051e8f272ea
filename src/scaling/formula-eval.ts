// Turns a checked syntax tree into nested closures, built once per formula, so each poll evaluates
// without re-parsing and without allocating on the happy path. Runtime type rules are expr's:
// arithmetic on nil fails (a failing trigger must be guarded with `??`), `/` is float division,
// `%` needs integers and fails on zero, `&&`/`||`/`??`/ternary short-circuit.

import { BUILTINS } from './formula-builtins.js';
import type { BinaryOp, FormulaNode } from './formula-parser.js';
import { FormulaFault, needNumber, operandFault, type Evaluator, type Value } from './formula-values.js';

type Values = Parameters<Evaluator>[0];
type NumberEvaluator = (values: Values) => number;

/** Compiles a node (already checked) to its evaluator. */
export function compileNode(node: FormulaNode): Evaluator {
  switch (node.kind) {
    case 'number':
    case 'string':
    case 'bool': {
      const value = node.value;
      return () => value;
    }
    case 'nil':
      return () => null;
    case 'name': {
      const name = node.name;
      // A trigger missing from the map reads as nil, as a missing key of expr's map environment does.
      return (values) => values[name] ?? null;
    }
    case 'unary':
      return compileUnary(node.op, node.text, node.operand);
    case 'binary':
      return compileBinary(node.op, node.text, node.left, node.right, node.pos);
    case 'conditional':
      return compileConditional(node.cond, compileNode(node.then), compileNode(node.otherwise));
    case 'call': {
      const builtin = BUILTINS.get(node.name);
      if (builtin === undefined) throw new FormulaFault(`unknown function ${JSON.stringify(node.name)}`, node.pos);
      return builtin.compile(node.args.map(compileNode), node.args);
    }
  }
}

function compileUnary(op: '!' | '-' | '+', text: string, operandNode: FormulaNode): Evaluator {
  const operand = compileNode(operandNode);
  const operation = `"${text}"`;
  switch (op) {
    case '-':
      return (values) => -needNumber(operand(values), operation, operandNode);
    case '+':
      return (values) => needNumber(operand(values), operation, operandNode);
    case '!':
      return (values) => !needBool(operand(values), operation, operandNode);
  }
}

function needBool(value: Value, operation: string, node: FormulaNode): boolean {
  if (typeof value === 'boolean') return value;
  throw operandFault(operation, node, value, 'a bool');
}

function compileBinary(op: BinaryOp, text: string, leftNode: FormulaNode, rightNode: FormulaNode, pos: number): Evaluator {
  const l = compileNode(leftNode);
  const r = compileNode(rightNode);
  const operation = `"${text}"`;
  const num = (f: Evaluator, node: FormulaNode): NumberEvaluator => (values) => needNumber(f(values), operation, node);
  switch (op) {
    case '+':
      return compilePlus(l, r, leftNode, rightNode, operation);
    case '-': {
      const [a, b] = [num(l, leftNode), num(r, rightNode)];
      return (values) => a(values) - b(values);
    }
    case '*': {
      const [a, b] = [num(l, leftNode), num(r, rightNode)];
      return (values) => a(values) * b(values);
    }
    case '/': {
      const [a, b] = [num(l, leftNode), num(r, rightNode)];
      return (values) => a(values) / b(values);
    }
    case '**': {
      const [a, b] = [num(l, leftNode), num(r, rightNode)];
      return (values) => a(values) ** b(values);
    }
    case '%':
      return compileModulo(num(l, leftNode), num(r, rightNode), pos);
    case '==':
      return (values) => l(values) === r(values);
    case '!=':
      return (values) => l(values) !== r(values);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compileOrder(op, l, r, leftNode, rightNode, operation);
    case '&&':
      return (values) => needBool(l(values), operation, leftNode) && needBool(r(values), operation, rightNode);
    case '||':
      return (values) => needBool(l(values), operation, leftNode) || needBool(r(values), operation, rightNode);
    case '??':
      return (values) => l(values) ?? r(values);
  }
}

function compilePlus(l: Evaluator, r: Evaluator, leftNode: FormulaNode, rightNode: FormulaNode, operation: string): Evaluator {
  return (values) => {
    const a = l(values);
    const b = r(values);
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    throw typeof a === 'number' || typeof a === 'string' ? operandFault(operation, rightNode, b) : operandFault(operation, leftNode, a);
  };
}

function compileModulo(a: NumberEvaluator, b: NumberEvaluator, pos: number): Evaluator {
  return (values) => {
    const x = a(values);
    const y = b(values);
    if (!Number.isInteger(x) || !Number.isInteger(y)) throw new FormulaFault(`"%" needs integers, got ${x} and ${y}`, pos);
    if (y === 0) throw new FormulaFault('integer divide by zero', pos);
    // `+ 0` turns JavaScript's -0 into Go's integer 0.
    return (x % y) + 0;
  };
}

function compileOrder(op: '<' | '<=' | '>' | '>=', l: Evaluator, r: Evaluator, leftNode: FormulaNode, rightNode: FormulaNode, operation: string): Evaluator {
  const compare = (values: Values): number => {
    const a = l(values);
    const b = r(values);
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    throw typeof a === 'number' || typeof a === 'string' ? operandFault(operation, rightNode, b) : operandFault(operation, leftNode, a);
  };
  // NaN compares false every way, as in Go.
  switch (op) {
    case '<':
      return (values) => compare(values) < 0;
    case '<=':
      return (values) => compare(values) <= 0;
    case '>':
      return (values) => compare(values) > 0;
    case '>=':
      return (values) => compare(values) >= 0;
  }
}

function compileConditional(condNode: FormulaNode, then: Evaluator, otherwise: Evaluator): Evaluator {
  const cond = compileNode(condNode);
  return (values) => (needBool(cond(values), 'the ternary condition', condNode) ? then(values) : otherwise(values));
}
