// Shell-like words of Dockerfile arguments: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`
// substitution (not inside single quotes), quotes and backslash escapes, and the `key=value` pairs of
// ENV, LABEL and ARG.

/** Words of `text` with variables from `vars` substituted and quotes removed. */
export function words(text: string, vars: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[i + 1] ?? '';
      i += 1;
      inWord = true;
    } else if (c === '$') {
      const [value, next] = variable(text, i, vars);
      word += value;
      i = next - 1;
      inWord = true;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/** `text` as one string with variables substituted (WORKDIR, USER, COPY paths). */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return words(text, vars).join(' ');
}

function variable(text: string, at: number, vars: ReadonlyMap<string, string>): [string, number] {
  if (text[at + 1] === '{') {
    const end = text.indexOf('}', at + 2);
    if (end < 0) return ['$', at + 1];
    const inner = text.slice(at + 2, end);
    const modifier = /^([A-Za-z_][A-Za-z0-9_]*):([-+])(.*)$/s.exec(inner);
    if (modifier) {
      const value = vars.get(modifier[1] ?? '');
      const set = value !== undefined && value !== '';
      const word = substitute(modifier[3] ?? '', vars);
      return [modifier[2] === '-' ? (set ? value : word) : set ? word : '', end + 1];
    }
    return [vars.get(inner) ?? '', end + 1];
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at + 1))?.[0];
  if (name === undefined) return ['$', at + 1];
  return [vars.get(name) ?? '', at + 1 + name.length];
}

/**
 * `key=value` pairs (ENV, LABEL, ARG), or the legacy `ENV key value` form when the first word has no
 * `=`. Returns undefined for a pair without `=` when `requireValue`.
 */
export function pairs(text: string, vars: ReadonlyMap<string, string>, requireValue = true): [string, string | undefined][] | undefined {
  const legacy = /^([^\s=]+)\s+([\s\S]+)$/.exec(text.trim());
  if (legacy && !(legacy[1] ?? '').includes('=') && requireValue) return [[legacy[1] ?? '', substitute(legacy[2] ?? '', vars)]];
  const result: [string, string | undefined][] = [];
  for (const word of words(text, vars)) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      if (requireValue) return undefined;
      result.push([word, undefined]);
    } else result.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  return result;
}
