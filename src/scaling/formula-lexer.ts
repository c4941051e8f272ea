// Tokens of the scalingModifiers formula language, the subset of expr-lang/expr
// (github.com/expr-lang/expr) that KEDA users write. Word operators (`and`, `not`, …) are
// operators as in expr, so a trigger named `and` cannot be referenced by name.

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'bracket' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text (numbers, operators) or the decoded value (strings). */
  readonly value: string;
  /** Offset of the first character in the formula (UTF-16 code units). */
  readonly pos: number;
}

/** A lexing or parsing failure: what went wrong and where. */
export interface SyntaxProblem {
  readonly message: string;
  readonly pos: number;
  readonly hint?: string;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; problem: SyntaxProblem };

const WORD_OPERATORS = new Set(['not', 'and', 'or', 'in', 'matches', 'contains', 'startsWith', 'endsWith', 'let']);
const TWO_CHAR_OPERATORS = new Set(['**', '??', '?.', '==', '!=', '<=', '>=', '&&', '||', '..', '::']);
const ONE_CHAR_OPERATORS = '+-*/%^<>!?:,.|#=;';
const BRACKETS = '()[]{}';
const IDENTIFIER = /[\p{L}_$][\p{L}\p{N}_$]*/uy;
const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', '"': '"', "'": "'", '`': '`' };

/** 1-based line and column (in characters) of a source offset. */
export function position(source: string, pos: number): { line: number; column: number } {
  const before = source.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  // Columns count characters, not UTF-16 units: drop the second half of each surrogate pair.
  const column = before.slice(lineStart).replace(/[\uDC00-\uDFFF]/g, '').length + 1;
  return { line: before.split('\n').length, column };
}

/** "column 7", or "line 2, column 3" for multi-line formulas (YAML block scalars). */
export function locate(source: string, pos: number): string {
  const { line, column } = position(source, pos);
  return source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}

class LexError extends Error {
  constructor(readonly problem: SyntaxProblem) {
    super(problem.message);
  }
}

/** Splits a formula into tokens; the last token is always `eof`. */
export function lex(source: string): LexResult {
  const tokens: Token[] = [];
  try {
    let i = 0;
    while (i < source.length) {
      const next = skipSpaceAndComments(source, i);
      if (next >= source.length) break;
      i = next;
      const token = readToken(source, i);
      tokens.push(token.token);
      i = token.end;
    }
  } catch (error) {
    if (error instanceof LexError) return { ok: false, problem: error.problem };
    throw error;
  }
  tokens.push({ kind: 'eof', value: '', pos: source.length });
  return { ok: true, tokens };
}

function skipSpaceAndComments(source: string, start: number): number {
  let i = start;
  for (;;) {
    const c = source[i];
    if (c !== undefined && /\s/.test(c)) {
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new LexError({ message: 'unterminated comment "/*"', pos: i });
      i = end + 2;
    } else {
      return i;
    }
  }
}

function readToken(source: string, i: number): { token: Token; end: number } {
  const c = source[i] ?? '';
  if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) return readNumber(source, i);
  if (c === '"' || c === "'") return readQuoted(source, i, c);
  if (c === '`') return readRaw(source, i);
  IDENTIFIER.lastIndex = i;
  const word = IDENTIFIER.exec(source);
  if (word !== null) {
    const value = word[0];
    const kind: TokenKind = WORD_OPERATORS.has(value) ? 'operator' : 'identifier';
    return { token: { kind, value, pos: i }, end: i + value.length };
  }
  const two = source.slice(i, i + 2);
  if (TWO_CHAR_OPERATORS.has(two)) return { token: { kind: 'operator', value: two, pos: i }, end: i + 2 };
  if (ONE_CHAR_OPERATORS.includes(c)) return { token: { kind: 'operator', value: c, pos: i }, end: i + 1 };
  if (BRACKETS.includes(c)) return { token: { kind: 'bracket', value: c, pos: i }, end: i + 1 };
  const char = String.fromCodePoint(source.codePointAt(i) ?? 0);
  throw new LexError({ message: `unexpected character ${JSON.stringify(char)}`, pos: i });
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function readNumber(source: string, start: number): { token: Token; end: number } {
  let i = start;
  const radix = /^0[xXoObB]/.test(source.slice(i, i + 2));
  if (radix) {
    i += 2;
    while (/[0-9a-fA-F_]/.test(source[i] ?? '')) i++;
  } else {
    while (/[0-9_]/.test(source[i] ?? '')) i++;
    // `1..3` is expr's range operator, not a float followed by `.3`.
    if (source[i] === '.' && source[i + 1] !== '.') {
      i++;
      while (/[0-9_]/.test(source[i] ?? '')) i++;
    }
    if (source[i] === 'e' || source[i] === 'E') {
      i++;
      if (source[i] === '+' || source[i] === '-') i++;
      while (/[0-9_]/.test(source[i] ?? '')) i++;
    }
  }
  while (IDENTIFIER_CHAR.test(source[i] ?? '')) i++;
  const text = source.slice(start, i);
  if (Number.isNaN(Number(text.replaceAll('_', '')))) {
    throw new LexError({ message: `invalid number ${JSON.stringify(text)}`, pos: start });
  }
  return { token: { kind: 'number', value: text, pos: start }, end: i };
}

function readQuoted(source: string, start: number, quote: string): { token: Token; end: number } {
  let value = '';
  let i = start + 1;
  while (i < source.length && source[i] !== quote) {
    const c = source[i] ?? '';
    if (c === '\n') break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const escape = readEscape(source, i);
    value += escape.text;
    i = escape.end;
  }
  if (source[i] !== quote) throw new LexError({ message: 'unterminated string', pos: start });
  return { token: { kind: 'string', value, pos: start }, end: i + 1 };
}

function readEscape(source: string, backslash: number): { text: string; end: number } {
  const c = source[backslash + 1] ?? '';
  const simple = ESCAPES[c];
  if (simple !== undefined) return { text: simple, end: backslash + 2 };
  const length = c === 'u' ? 4 : c === 'x' ? 2 : 0;
  const hex = source.slice(backslash + 2, backslash + 2 + length);
  if (length > 0 && hex.length === length && /^[0-9a-fA-F]+$/.test(hex)) {
    return { text: String.fromCharCode(parseInt(hex, 16)), end: backslash + 2 + length };
  }
  throw new LexError({ message: `invalid escape "\\${c}" in string`, pos: backslash });
}

function readRaw(source: string, start: number): { token: Token; end: number } {
  const end = source.indexOf('`', start + 1);
  if (end < 0) throw new LexError({ message: 'unterminated string', pos: start });
  return { token: { kind: 'string', value: source.slice(start + 1, end), pos: start }, end: end + 1 };
}
