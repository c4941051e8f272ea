// Glob patterns as KEDA's azure-blob scaler compiles them (gobwas/glob without separators): `*` and `**`
// match any run of characters, `/` included; `?` one character; `[abc]`, `[a-z]`, `[!a-z]` one
// character of (or not of) a class; `{a,b}` one of the alternatives (which may hold globs); `\` escapes.
// An unmatched `}` or `]` is a literal, as in gobwas; an unclosed `[` or `{` is an error.

interface Cursor {
  readonly chars: readonly string[];
  i: number;
}

class GlobError extends Error {}

// Characters that need a backslash in a `u`-flag regular expression, outside and inside a class.
const SYNTAX = /[\^$\\.*+?()[\]{}|/]/u;
const CLASS_SYNTAX = /[\\\][^-]/u;

function literal(c: string): string {
  return SYNTAX.test(c) ? `\\${c}` : c;
}

function classChar(cur: Cursor): string {
  let c = cur.chars[cur.i++];
  if (c === '\\') c = cur.chars[cur.i++];
  if (c === undefined) throw new GlobError('unclosed [');
  return c;
}

function parseClass(cur: Cursor): string {
  const negate = cur.chars[cur.i] === '!';
  if (negate) cur.i++;
  let items = '';
  while (cur.chars[cur.i] !== ']') {
    if (cur.i >= cur.chars.length) throw new GlobError('unclosed [');
    const low = classChar(cur);
    let item = CLASS_SYNTAX.test(low) ? `\\${low}` : low;
    if (cur.chars[cur.i] === '-' && cur.chars[cur.i + 1] !== ']' && cur.i + 1 < cur.chars.length) {
      cur.i++;
      const high = classChar(cur);
      if ((high.codePointAt(0) ?? 0) < (low.codePointAt(0) ?? 0)) throw new GlobError(`range ${low}-${high} runs backwards`);
      item += `-${CLASS_SYNTAX.test(high) ? `\\${high}` : high}`;
    }
    items += item;
  }
  cur.i++;
  if (items === '') throw new GlobError('empty [ ]');
  return `[${negate ? '^' : ''}${items}]`;
}

function parseSequence(cur: Cursor, inTerms: boolean): string {
  let out = '';
  while (cur.i < cur.chars.length) {
    const c = cur.chars[cur.i] ?? '';
    if (inTerms && (c === ',' || c === '}')) return out;
    cur.i++;
    if (c === '\\') {
      const next = cur.chars[cur.i++];
      if (next === undefined) throw new GlobError('ends with a lone \\');
      out += literal(next);
    } else if (c === '*') {
      while (cur.chars[cur.i] === '*') cur.i++;
      out += '[^]*';
    } else if (c === '?') out += '[^]';
    else if (c === '[') out += parseClass(cur);
    else if (c === '{') out += parseTerms(cur);
    else out += literal(c);
  }
  if (inTerms) throw new GlobError('unclosed {');
  return out;
}

function parseTerms(cur: Cursor): string {
  const alternatives = [parseSequence(cur, true)];
  while (cur.chars[cur.i] === ',') {
    cur.i++;
    alternatives.push(parseSequence(cur, true));
  }
  cur.i++; // the closing }
  return `(?:${alternatives.join('|')})`;
}

/** The glob as an anchored regular expression, or why it does not compile. */
export function compileGlob(pattern: string): RegExp | { readonly error: string } {
  try {
    return new RegExp(`^(?:${parseSequence({ chars: Array.from(pattern), i: 0 }, false)})$`, 'u');
  } catch (error) {
    if (error instanceof GlobError) return { error: error.message };
    throw error;
  }
}

/**
 * KEDA's match of a listed blob name: the glob may match the whole name, or the part after the
 * prefix (a leading `/` of the prefix and of that part ignored).
 */
export function globMatches(glob: RegExp, name: string, prefix: string | undefined): boolean {
  if (glob.test(name)) return true;
  const trimmed = prefix?.replace(/^\//, '') ?? '';
  if (trimmed === '') return false;
  const tail = (name.startsWith(trimmed) ? name.slice(trimmed.length) : name).replace(/^\//, '');
  return glob.test(tail);
}
