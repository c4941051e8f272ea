// Route templates of HTTP-triggered functions, with the ASP.NET Core syntax the Functions host uses:
// `products/{category:alpha}/{id:int?}`, `files/{*path}`, defaults `{page=1}`. Pure: a template
// compiles to a matcher; a table orders routes like ASP.NET (literals before parameters before
// catch-alls) and answers a request path and method with a match, 405 or 404.

/** One `{…}` of a template. */
export interface RouteParameter {
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue?: string;
  readonly constraints: readonly string[];
}

/** A compiled template. */
export interface CompiledRoute {
  readonly template: string;
  readonly parameters: readonly RouteParameter[];
  /** Segment ranks for ordering: 0 literal, 1 constrained parameter, 2 parameter, 3 optional, 4 catch-all. */
  readonly ranks: readonly number[];
  match(path: string): Record<string, string> | undefined;
}

/** A mistake in a route template (unbalanced brace, unknown constraint, catch-all not last). */
export class RouteTemplateError extends Error {
  override readonly name = 'RouteTemplateError';
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles `template` (without leading slash) under `prefix` (e.g. `api`, or empty). */
export function compileRoute(prefix: string, template: string): CompiledRoute {
  const trimmedPrefix = prefix.replace(/^\/+|\/+$/g, '');
  const segments = [...(trimmedPrefix ? trimmedPrefix.split('/') : []), ...template.replace(/^[~/]+|\/+$/g, '').split('/').filter((s) => s !== '')];
  const parameters: RouteParameter[] = [];
  const ranks: number[] = [];
  let pattern = '';
  segments.forEach((segment, index) => {
    const parts = splitSegment(segment);
    const only = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
    if (only?.catchAll && index !== segments.length - 1) throw new RouteTemplateError(`route "${template}": a catch-all parameter {*${only.name}} must be the last segment`);
    if (only && (only.optional || only.catchAll)) {
      pattern += only.catchAll ? '(?:/(.*))?' : '(?:/([^/]+))?';
      parameters.push(only);
      ranks.push(only.catchAll ? 4 : 3);
      return;
    }
    pattern += '/';
    let rank = 0;
    for (const part of parts) {
      if (typeof part === 'string') pattern += escape(part);
      else {
        if (part.catchAll || part.optional) throw new RouteTemplateError(`route "${template}": {${part.name}} must be a whole segment to be optional or catch-all`);
        pattern += '([^/]+?)';
        parameters.push(part);
        rank = Math.max(rank, part.constraints.length > 0 ? 1 : 2);
      }
    }
    ranks.push(rank);
  });
  for (const p of parameters) for (const c of p.constraints) constraintCheck(c, template);
  const regex = new RegExp(`^${pattern}/?$`, 'i');
  return {
    template,
    parameters,
    ranks,
    match(path) {
      const m = regex.exec(path.replace(/\/+$/, '') || '/');
      if (!m) return undefined;
      const values: Record<string, string> = {};
      for (const [i, p] of parameters.entries()) {
        const raw = m[i + 1];
        const value = raw === undefined || raw === '' ? p.defaultValue : safeDecode(raw);
        if (value === undefined) continue;
        if (!p.constraints.every((c) => constraintCheck(c, template)(value))) return undefined;
        values[p.name] = value;
      }
      return values;
    },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits one segment into literal text and parameters (`{a}.{b}` → [param a, ".", param b]). */
function splitSegment(segment: string): (string | RouteParameter)[] {
  const parts: (string | RouteParameter)[] = [];
  let i = 0;
  while (i < segment.length) {
    const open = segment.indexOf('{', i);
    if (open === -1) {
      parts.push(segment.slice(i));
      break;
    }
    if (open > i) parts.push(segment.slice(i, open));
    let depth = 0;
    let close = -1;
    for (let j = open; j < segment.length; j++) {
      if (segment[j] === '{') depth++;
      else if (segment[j] === '}' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close === -1) throw new RouteTemplateError(`route segment "${segment}": unbalanced "{"`);
    parts.push(parseParameter(segment.slice(open + 1, close)));
    i = close + 1;
  }
  return parts;
}

function parseParameter(text: string): RouteParameter {
  const catchAll = text.startsWith('*');
  let body = text.replace(/^\*+/, '');
  let defaultValue: string | undefined;
  let optional = false;
  const eq = body.indexOf('=');
  if (eq !== -1 && !body.slice(0, eq).includes('(')) {
    defaultValue = body.slice(eq + 1);
    body = body.slice(0, eq);
  }
  if (body.endsWith('?')) {
    optional = true;
    body = body.slice(0, -1);
  }
  const [name = '', ...constraints] = splitConstraints(body);
  if (!/^\w+$/.test(name)) throw new RouteTemplateError(`route parameter "{${text}}": invalid name`);
  return { name, optional: optional || defaultValue !== undefined, catchAll, constraints, ...(defaultValue !== undefined ? { defaultValue } : {}) };
}

/** `id:int:range(1,5)` → ["id", "int", "range(1,5)"], colons inside parentheses kept. */
function splitConstraints(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

const INT32 = 2 ** 31;
const simple: Readonly<Record<string, (v: string) => boolean>> = {
  int: (v) => /^-?\d+$/.test(v) && Number(v) >= -INT32 && Number(v) < INT32,
  long: (v) => /^-?\d+$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n,
  bool: (v) => /^(true|false)$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  guid: (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  decimal: (v) => /^-?(\d+\.?\d*|\.\d+)$/.test(v),
  double: (v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v),
  float: (v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v),
};

/** The check for one constraint; throws RouteTemplateError for an unknown one. */
function constraintCheck(constraint: string, template: string): (value: string) => boolean {
  const known = simple[constraint.toLowerCase()];
  if (known) return known;
  const m = /^(\w+)\((.*)\)$/s.exec(constraint);
  const name = m?.[1]?.toLowerCase();
  const args = (m?.[2] ?? '').split(',').map((a) => a.trim());
  const [a = NaN, b = NaN] = args.map(Number);
  switch (name) {
    case 'minlength':
      return (v) => v.length >= a;
    case 'maxlength':
      return (v) => v.length <= a;
    case 'length':
      return args.length === 2 ? (v) => v.length >= a && v.length <= b : (v) => v.length === a;
    case 'min':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= a;
    case 'max':
      return (v) => /^-?\d+$/.test(v) && Number(v) <= a;
    case 'range':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= a && Number(v) <= b;
    case 'regex': {
      // ASP.NET templates escape braces inside a regex by doubling them
      const re = new RegExp((m?.[2] ?? '').replace(/\{\{/g, '{').replace(/\}\}/g, '}'), 'i');
      return (v) => re.test(v);
    }
    default:
      throw new RouteTemplateError(`route "${template}": unknown constraint "${constraint}" (known: int, long, bool, alpha, guid, datetime, decimal, double, float, min, max, range, minlength, maxlength, length, regex)`);
  }
}

/** A route of one HTTP-triggered function. */
export interface RouteEntry<T> {
  readonly route: CompiledRoute;
  /** Upper-case methods; undefined = all. */
  readonly methods: readonly string[] | undefined;
  readonly target: T;
}

/** Result of looking a request up. */
export type RouteLookup<T> =
  | { readonly kind: 'match'; readonly entry: RouteEntry<T>; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return b.length - a.length;
}

/** Orders entries by precedence (ASP.NET-like) so lookups take the most specific route first. */
export function sortRoutes<T>(entries: readonly RouteEntry<T>[]): RouteEntry<T>[] {
  return [...entries].sort((x, y) => compareRanks(x.route.ranks, y.route.ranks) || x.route.template.localeCompare(y.route.template));
}

/** Finds the route for `method path` in sorted entries: a match, 405 with the allowed methods, or 404. */
export function lookupRoute<T>(sorted: readonly RouteEntry<T>[], method: string, path: string): RouteLookup<T> {
  const allow = new Set<string>();
  let pathMatched = false;
  const upper = method.toUpperCase();
  for (const entry of sorted) {
    const params = entry.route.match(path);
    if (!params) continue;
    if (entry.methods === undefined || entry.methods.includes(upper)) return { kind: 'match', entry, params };
    pathMatched = true;
    for (const m of entry.methods) allow.add(m);
  }
  return pathMatched ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
}
