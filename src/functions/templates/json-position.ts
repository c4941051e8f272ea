// Where a JSON text (with the comments and trailing commas tide tolerates, see app/json-text.ts) stops
// being valid, as line and column. Node 20's JSON.parse gives a position for some errors only, and an
// offset into the comment-stripped text at that, so the settings command finds it itself.

export interface JsonErrorPosition {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

class Scanner {
  i = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw Object.assign(new Error(message), { offset: this.i });
  }

  space(): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') this.i++;
      else if (this.text.startsWith('//', this.i)) this.i = this.text.includes('\n', this.i) ? this.text.indexOf('\n', this.i) : this.text.length;
      else if (this.text.startsWith('/*', this.i)) {
        const end = this.text.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('unterminated comment');
        this.i = end + 2;
      } else return;
    }
  }

  value(): void {
    this.space();
    const c = this.text[this.i];
    if (c === '{') this.container('}', 'member');
    else if (c === '[') this.container(']', 'value');
    else if (c === '"') this.string();
    else if (c !== undefined && /[-0-9]/.test(c)) this.number();
    else {
      const word = /^(true|false|null)/.exec(this.text.slice(this.i))?.[0];
      if (word === undefined) this.fail(c === undefined ? 'unexpected end of the file' : `unexpected ${JSON.stringify(c)}`);
      this.i += word.length;
    }
  }

  member(): void {
    this.space();
    if (this.text[this.i] !== '"') this.fail(`expected a property name in double quotes, found ${this.found()}`);
    this.string();
    this.space();
    if (this.text[this.i] !== ':') this.fail(`expected ":" after the property name, found ${this.found()}`);
    this.i++;
    this.value();
  }

  container(close: string, item: 'member' | 'value'): void {
    this.i++;
    this.space();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (item === 'member') this.member();
      else this.value();
      this.space();
      const c = this.text[this.i];
      if (c === close) {
        this.i++;
        return;
      }
      if (c !== ',') this.fail(`expected "," or "${close}", found ${this.found()}`);
      this.i++;
      this.space();
      if (this.text[this.i] === close) {
        this.i++; // a trailing comma, which JSON.NET accepts
        return;
      }
    }
  }

  string(): void {
    const match = /^"(?:[^"\\\n]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(this.text.slice(this.i));
    if (!match) this.fail('unterminated or invalid string');
    this.i += match[0].length;
  }

  number(): void {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!match) this.fail('invalid number');
    this.i += match[0].length;
  }

  found(): string {
    const c = this.text[this.i];
    return c === undefined ? 'the end of the file' : JSON.stringify(c);
  }
}

/** The first syntax error of `text` with its 1-based line and column, or undefined when it parses. */
export function jsonErrorPosition(text: string): JsonErrorPosition | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.i < text.length) scanner.fail(`unexpected ${scanner.found()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    const offset = (error as { offset?: number }).offset ?? scanner.i;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return { line, col, message: error instanceof Error ? error.message : String(error) };
  }
}
