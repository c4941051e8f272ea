// Values and types shared by the formula checker, the builtins and the evaluator.

import type { FormulaNode } from './formula-parser.js';

/** A value at evaluation time; `null` is expr's `nil` (a trigger failing under fallback). */
export type Value = number | boolean | string | null;

/**
 * What the checker knows before running, as expr's checker does with KEDA's float64 trigger map:
 * `int` and `float` differ only for `%` (integers only) and the builtins' result types.
 */
export type StaticType = 'int' | 'float' | 'bool' | 'string' | 'nil' | 'any';

/** Compiled form of a node: reads trigger values, returns a value or throws a FormulaFault. */
export type Evaluator = (values: Readonly<Record<string, number | null | undefined>>) => Value;

/** An evaluation failure at a position; caught at the API boundary and returned as a value. */
export class FormulaFault extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** True for `int` and `float`. */
export const isNumberType = (t: StaticType): boolean => t === 'int' || t === 'float';

/** The name of a runtime value's type in messages. */
export function typeOfValue(value: Value): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** The fault for an operand of the wrong type; a nil trigger gets the `??` advice. */
export function operandFault(operation: string, node: FormulaNode, value: Value, expected = 'a number'): FormulaFault {
  if (value === null && node.kind === 'name') {
    return new FormulaFault(
      `${node.name} is nil (its trigger has no value) and ${operation} needs ${expected}`,
      node.pos,
      `give it a default with (${node.name} ?? 0)`,
    );
  }
  return new FormulaFault(`${operation} needs ${expected}, got ${typeOfValue(value)}`, node.pos);
}

/** The operand as a number, or a fault naming the operation. */
export function needNumber(value: Value, operation: string, node: FormulaNode): number {
  if (typeof value === 'number') return value;
  throw operandFault(operation, node, value);
}
