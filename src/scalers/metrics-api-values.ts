// Reading one number out of a metrics-api response body, per format: JSON with a GJSON path, XML and
// YAML with a dotted path, Prometheus text with a `name{label="value"}` selector. Strings are read as
// Kubernetes Quantities ("250m", "2k"), as KEDA does.

import type { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { parseQuantity } from '../api/quantity.js';
import { loadFastXmlParser } from './client-libraries.js';

/** The response formats metrics-api reads. */
export type MetricsApiFormat = 'json' | 'xml' | 'yaml' | 'prometheus';

/** A number read from a body, or why there is none. */
export type ValueResult = { readonly value: number } | { readonly error: string };

/** The number at `location` in `body`, read the way KEDA reads `format`. */
export function valueFromBody(body: string, location: string, format: MetricsApiFormat): ValueResult {
  switch (format) {
    case 'json':
      return fromJson(body, location);
    case 'xml':
      return fromXml(body, location);
    case 'yaml':
      return fromYaml(body, location);
    case 'prometheus':
      return fromPrometheusText(body, location);
  }
}

function wrongType(got: string): ValueResult {
  return { error: `valueLocation must point to value of type number or a string representing a Quantity got: '${got}'` };
}

function numberOrQuantity(found: unknown, typeName: string): ValueResult {
  if (typeof found === 'number') return { value: found };
  if (typeof found === 'string') {
    const quantity = parseQuantity(found);
    return 'milli' in quantity ? { value: quantity.milli / 1000 } : wrongType(found.slice(0, 40));
  }
  return wrongType(typeName);
}

/** Splits a GJSON path on dots that are not escaped with a backslash (`a\.b.c` → [`a.b`, `c`]). */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && i + 1 < path.length) current += path.charAt(++i);
    else if (ch === '.') {
      parts.push(current);
      current = '';
    } else current += path.charAt(i);
  }
  parts.push(current);
  return parts;
}

const MISSING = Symbol('missing');

/** GJSON's path walk for the parts KEDA users write: keys, array indexes, `#` (length) and `#.key` (one per element). */
export function walkPath(root: unknown, parts: readonly string[]): unknown {
  let current: unknown = root;
  for (const [i, part] of parts.entries()) {
    if (Array.isArray(current)) {
      if (part === '#') {
        const rest = parts.slice(i + 1);
        return rest.length === 0 ? current.length : current.map((item) => walkPath(item, rest)).filter((v) => v !== MISSING);
      }
      if (!/^\d+$/.test(part)) return MISSING;
      current = current[Number(part)] as unknown;
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, part)) {
      current = (current as Record<string, unknown>)[part];
    } else return MISSING;
    if (current === undefined) return MISSING;
  }
  return current;
}

/** GJSON's type names, for the wrong-type message. */
function gjsonType(found: unknown): string {
  if (found === MISSING || found === null) return 'Null';
  if (found === true) return 'True';
  if (found === false) return 'False';
  return typeof found === 'object' ? 'JSON' : typeof found;
}

function fromJson(body: string, location: string): ValueResult {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    // GJSON reads nothing out of invalid JSON.
    return wrongType('Null');
  }
  const found = walkPath(root, splitPath(location));
  return numberOrQuantity(found, gjsonType(found));
}

let xml: XMLParser | undefined;

function xmlParser(): XMLParser {
  return (xml ??= new (loadFastXmlParser().XMLParser)({ ignoreAttributes: true, parseTagValue: true, trimValues: true }));
}

function fromXml(body: string, location: string): ValueResult {
  let root: unknown;
  try {
    root = xmlParser().parse(body);
  } catch (error) {
    return { error: `the response is not XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  return fromTree(root, location);
}

function fromYaml(body: string, location: string): ValueResult {
  let root: unknown;
  try {
    root = parseYaml(body);
  } catch (error) {
    return { error: `the response is not YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  return fromTree(root, location);
}

function fromTree(root: unknown, location: string): ValueResult {
  const found = walkPath(root, location.split('.'));
  if (found === MISSING) return { error: `valueLocation ${location} not found in the response` };
  return numberOrQuantity(found, found === null ? 'null' : typeof found);
}

/** A Prometheus series selector with equality matchers: `name` or `name{label="value",…}`. */
export interface Selector {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/;

function unescapeLabel(text: string): string {
  return text.replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch));
}

/** Parses `name{l="v"}` (the only matcher KEDA compares is equality), or an error. */
export function parseSelector(text: string): Selector | { error: string } {
  const trimmed = text.trim();
  const name = NAME.exec(trimmed)?.[0];
  if (name === undefined) return { error: `"${text}" is not a metric selector such as name{label="value"}` };
  const labels = new Map<string, string>();
  let rest = trimmed.slice(name.length).trim();
  if (rest === '') return { name, labels };
  if (!rest.startsWith('{') || !rest.endsWith('}')) return { error: `"${text}" is not a metric selector such as name{label="value"}` };
  rest = rest.slice(1, -1);
  while (rest.trim() !== '') {
    const match = MATCHER.exec(rest);
    if (!match) return { error: `"${text}": label matchers must be label="value" separated by commas` };
    labels.set(match[1] ?? '', unescapeLabel(match[2] ?? ''));
    rest = rest.slice(match[0].length);
  }
  return { name, labels };
}

/** One sample line of the text exposition format. */
interface Sample {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly value: number;
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function parseSample(line: string): Sample | undefined {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) return undefined;
  let pos = name.length;
  const labels = new Map<string, string>();
  if (line[pos] === '{') {
    pos++;
    LABEL.lastIndex = pos;
    for (let m = LABEL.exec(line); m; m = LABEL.exec(line)) {
      labels.set(m[1] ?? '', unescapeLabel(m[2] ?? ''));
      pos = LABEL.lastIndex;
    }
    if (line[pos] !== '}') return undefined;
    pos++;
  }
  const [valueText] = line.slice(pos).trim().split(/\s+/);
  if (valueText === undefined || valueText === '') return undefined;
  const value = /^[+-]?inf$/i.test(valueText) ? (valueText.startsWith('-') ? -Infinity : Infinity) : Number(valueText);
  return Number.isNaN(value) && !/^nan$/i.test(valueText) ? undefined : { name, labels, value };
}

function fromPrometheusText(body: string, location: string): ValueResult {
  const selector = parseSelector(location);
  if ('error' in selector) return selector;
  let seenName = false;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (!sample || sample.name !== selector.name) continue;
    seenName = true;
    if ([...selector.labels].every(([k, v]) => sample.labels.get(k) === v)) return { value: sample.value };
  }
  return { error: seenName ? `value ${location} not found` : `metric '${selector.name}' not found` };
}
