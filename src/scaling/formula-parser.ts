// Parser for scalingModifiers formulas: precedence climbing with expr-lang/expr's operator table,
// so `??` binds tighter than `*`, `**` is right-associative, comparisons chain (`1 < a < 3`) and
// the ternary is only recognised at the top of an expression, exactly as KEDA's evaluator reads them.

import { lex, locate, type SyntaxProblem, type Token } from './formula-lexer.js';

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '**'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||' | '??';

export type UnaryOp = '-' | '+' | '!';

/** A node of the formula's syntax tree; `pos` is the source offset used in error messages. */
export type FormulaNode =
  | { readonly kind: 'number'; readonly value: number; readonly isInt: boolean; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: number }
  | { readonly kind: 'nil'; readonly pos: number }
  | { readonly kind: 'name'; readonly name: string; readonly pos: number }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly text: string; readonly operand: FormulaNode; readonly pos: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly text: string; readonly left: FormulaNode; readonly right: FormulaNode; readonly pos: number }
  | { readonly kind: 'conditional'; readonly cond: FormulaNode; readonly then: FormulaNode; readonly otherwise: FormulaNode; readonly pos: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly FormulaNode[]; readonly pos: number };

export type ParseResult = { ok: true; node: FormulaNode } | { ok: false; problem: SyntaxProblem };

interface OperatorInfo {
  readonly precedence: number;
  readonly right: boolean;
  readonly op: BinaryOp;
}

const BINARY: ReadonlyMap<string, OperatorInfo> = new Map<string, OperatorInfo>([
  ['||', { precedence: 10, right: false, op: '||' }],
  ['or', { precedence: 10, right: false, op: '||' }],
  ['&&', { precedence: 15, right: false, op: '&&' }],
  ['and', { precedence: 15, right: false, op: '&&' }],
  ['==', { precedence: 20, right: false, op: '==' }],
  ['!=', { precedence: 20, right: false, op: '!=' }],
  ['<', { precedence: 20, right: false, op: '<' }],
  ['<=', { precedence: 20, right: false, op: '<=' }],
  ['>', { precedence: 20, right: false, op: '>' }],
  ['>=', { precedence: 20, right: false, op: '>=' }],
  ['+', { precedence: 30, right: false, op: '+' }],
  ['-', { precedence: 30, right: false, op: '-' }],
  ['*', { precedence: 60, right: false, op: '*' }],
  ['/', { precedence: 60, right: false, op: '/' }],
  ['%', { precedence: 60, right: false, op: '%' }],
  ['**', { precedence: 100, right: true, op: '**' }],
  ['^', { precedence: 100, right: true, op: '**' }],
  ['??', { precedence: 500, right: false, op: '??' }],
]);

const COMPARISON = 20;

const UNARY: ReadonlyMap<string, { precedence: number; op: UnaryOp }> = new Map([
  ['not', { precedence: 50, op: '!' as const }],
  ['!', { precedence: 50, op: '!' as const }],
  ['-', { precedence: 90, op: '-' as const }],
  ['+', { precedence: 90, op: '+' as const }],
]);

/** expr features outside the arithmetic subset, named so the error says why they fail. */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['in', 'the "in" operator'], ['matches', 'the "matches" operator'], ['contains', 'the "contains" operator'],
  ['startsWith', 'the "startsWith" operator'], ['endsWith', 'the "endsWith" operator'], ['..', 'ranges ("..")'],
  ['|', 'pipes ("|")'], ['let', 'variable declarations ("let")'], ['.', 'member access (".")'],
  ['?.', 'member access ("?.")'], ['[', 'indexing and arrays ("[")'], ['{', 'maps ("{")'],
  ['#', 'predicates ("#")'], ['::', 'the "::" operator'],
]);

class ParseError extends Error {
  constructor(readonly problem: SyntaxProblem) {
    super(problem.message);
  }
}

/** Parses a formula into a syntax tree, or the first syntax problem. */
export function parseFormula(source: string): ParseResult {
  const lexed = lex(source);
  if (!lexed.ok) return lexed;
  const parser = new Parser(source, lexed.tokens);
  try {
    return { ok: true, node: parser.formula() };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, problem: error.problem };
    throw error;
  }
}

/** How a token is named in messages. */
export function describeToken(token: Token): string {
  if (token.kind === 'eof') return 'end of formula';
  if (token.kind === 'string') return `string ${JSON.stringify(token.value)}`;
  return JSON.stringify(token.value);
}

class Parser {
  private index = 0;
  current: Token;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {
    this.current = tokens[0] ?? { kind: 'eof', value: '', pos: 0 };
  }

  private next(): void {
    this.index = Math.min(this.index + 1, this.tokens.length - 1);
    this.current = this.tokens[this.index] ?? this.current;
  }

  private is(value: string): boolean {
    return (this.current.kind === 'operator' || this.current.kind === 'bracket') && this.current.value === value;
  }

  /** The whole formula: one expression and nothing after it. */
  formula(): FormulaNode {
    if (this.current.kind === 'eof') throw new ParseError({ message: 'the formula is empty', pos: 0 });
    const node = this.expression(0);
    const rest: Token = this.current;
    if (rest.kind !== 'eof') this.fail(rest);
    return node;
  }

  private fail(token: Token, expected?: string): never {
    const unsupported = token.kind === 'operator' || token.kind === 'bracket' ? UNSUPPORTED.get(token.value) : undefined;
    if (unsupported !== undefined && expected === undefined) {
      throw new ParseError({ message: `not supported in scalingModifiers formulas: ${unsupported}`, pos: token.pos });
    }
    const message = `unexpected ${describeToken(token)}`;
    throw new ParseError(expected === undefined ? { message, pos: token.pos } : { message, pos: token.pos, hint: `expected ${expected}` });
  }

  private expect(value: string, expected: string): void {
    if (!this.is(value)) this.fail(this.current, expected);
    this.next();
  }

  /** Binary operators at or above `precedence`; the ternary only at precedence 0, as in expr. */
  expression(precedence: number): FormulaNode {
    let left = this.primary();
    let previous = '';
    for (;;) {
      const token = this.current;
      if (token.kind !== 'operator') break;
      const info = BINARY.get(token.value);
      if (info === undefined) {
        if (UNSUPPORTED.has(token.value)) this.fail(token);
        break;
      }
      if (info.precedence < precedence) break;
      if (previous === '??' && info.op !== '??') {
        throw new ParseError({
          message: `operator "${token.value}" and "??" cannot be mixed`,
          pos: token.pos,
          hint: `wrap either side in parentheses, e.g. (a ?? b) ${token.value} c`,
        });
      }
      this.next();
      if (info.precedence === COMPARISON) {
        left = this.comparison(left, token, info.op);
      } else {
        const right = this.expression(info.right ? info.precedence : info.precedence + 1);
        left = { kind: 'binary', op: info.op, text: token.value, left, right, pos: token.pos };
      }
      previous = info.op;
    }
    return precedence === 0 ? this.conditional(left) : left;
  }

  /** `a < b < c` means `a < b && b < c` in expr. */
  private comparison(first: FormulaNode, firstToken: Token, firstOp: BinaryOp): FormulaNode {
    let root: FormulaNode | undefined;
    let left = first;
    let token = firstToken;
    let op = firstOp;
    for (;;) {
      const right = this.expression(COMPARISON + 1);
      const node: FormulaNode = { kind: 'binary', op, text: token.value, left, right, pos: token.pos };
      root = root === undefined ? node : { kind: 'binary', op: '&&', text: '&&', left: root, right: node, pos: token.pos };
      left = right;
      token = this.current;
      const info = token.kind === 'operator' ? BINARY.get(token.value) : undefined;
      if (info?.precedence !== COMPARISON) return root;
      op = info.op;
      this.next();
    }
  }

  private conditional(cond: FormulaNode): FormulaNode {
    let node = cond;
    while (this.is('?')) {
      const pos = this.current.pos;
      this.next();
      let then: FormulaNode;
      if (this.is(':')) {
        // `a ?: b` (elvis) reuses the condition as the first branch.
        this.next();
        then = node;
      } else {
        then = this.expression(0);
        this.expect(':', '":" of the ternary "cond ? a : b"');
      }
      const otherwise = this.expression(0);
      node = { kind: 'conditional', cond: node, then, otherwise, pos };
    }
    return node;
  }

  private primary(): FormulaNode {
    const token = this.current;
    if (token.kind === 'operator') {
      const unary = UNARY.get(token.value);
      if (unary === undefined) this.fail(token);
      this.next();
      const operand = this.expression(unary.precedence);
      return this.noPostfix({ kind: 'unary', op: unary.op, text: token.value, operand, pos: token.pos });
    }
    if (this.is('(')) {
      this.next();
      const inner = this.expression(0);
      if (!this.is(')')) this.fail(this.current, `")" to close the "(" at ${locate(this.source, token.pos)}`);
      this.next();
      return this.noPostfix(inner);
    }
    return this.noPostfix(this.operand(token));
  }

  private operand(token: Token): FormulaNode {
    switch (token.kind) {
      case 'number':
        this.next();
        return numberNode(token);
      case 'string':
        this.next();
        return { kind: 'string', value: token.value, pos: token.pos };
      case 'identifier':
        this.next();
        return this.identifier(token);
      default:
        return this.fail(token);
    }
  }

  private identifier(token: Token): FormulaNode {
    switch (token.value) {
      case 'true':
      case 'false':
        return { kind: 'bool', value: token.value === 'true', pos: token.pos };
      case 'nil':
        return { kind: 'nil', pos: token.pos };
      case '$env':
        return this.environmentLookup();
      default:
        return this.is('(') ? this.call(token) : { kind: 'name', name: token.value, pos: token.pos };
    }
  }

  /** `$env["queue-a"]` / `$env.queue_a`: the only way to name a trigger that is not an identifier. */
  private environmentLookup(): FormulaNode {
    if (this.is('[')) {
      this.next();
      const key = this.current;
      if (key.kind !== 'string') this.fail(key, 'a quoted trigger name');
      this.next();
      this.expect(']', '"]"');
      return { kind: 'name', name: key.value, pos: key.pos };
    }
    if (this.is('.')) {
      this.next();
      const key = this.current;
      if (key.kind !== 'identifier') this.fail(key, 'a trigger name');
      this.next();
      return { kind: 'name', name: key.value, pos: key.pos };
    }
    return this.fail(this.current, '$env["<trigger name>"]');
  }

  private call(token: Token): FormulaNode {
    this.next(); // (
    const args: FormulaNode[] = [];
    while (!this.is(')')) {
      if (args.length > 0) {
        this.expect(',', '"," or ")"');
        if (this.is(')')) break;
      }
      if (this.current.kind === 'eof') this.fail(this.current, `")" to close the call of ${token.value}`);
      args.push(this.expression(0));
    }
    this.next(); // )
    return { kind: 'call', name: token.value, args, pos: token.pos };
  }

  /** expr allows `.field`, `?.` and `[i]` after any operand; none has a meaning for numbers. */
  private noPostfix(node: FormulaNode): FormulaNode {
    if (this.is('.') || this.is('?.') || this.is('[')) this.fail(this.current);
    return node;
  }
}

function numberNode(token: Token): FormulaNode {
  const text = token.value.replaceAll('_', '');
  const radix = /^0[xob]/i.test(text);
  const isInt = radix || !/[.eE]/.test(text);
  return { kind: 'number', value: Number(text), isInt, pos: token.pos };
}
