// Label and field selectors with the apiserver's grammar: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`; field selectors take `=`, `==`, `!=` on known labels.

import { badRequest } from './status.js';
import { isRecord } from './types.js';

type Op = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';

/** One parsed requirement of a label selector. */
export interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const SET_RE = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const CMP_RE = /^([A-Za-z0-9._/-]+)\s*(==|!=|=|>|<)\s*([A-Za-z0-9._-]*)$/;
const KEY_RE = /^(!?)\s*([A-Za-z0-9._/-]+)$/;

/** Parses one requirement or throws 400 like `unable to parse requirement`. */
function parseRequirement(part: string): Requirement {
  const set = SET_RE.exec(part);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key: set[1] ?? '', op: set[2] === 'in' ? 'in' : 'notin', values };
  }
  const cmp = CMP_RE.exec(part);
  if (cmp) {
    const opText = cmp[2];
    const op: Op = opText === '!=' ? 'neq' : opText === '>' ? 'gt' : opText === '<' ? 'lt' : 'eq';
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(cmp[3] ?? '')) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key: cmp[1] ?? '', op, values: [cmp[3] ?? ''] };
  }
  const key = KEY_RE.exec(part);
  if (key) return { key: key[2] ?? '', op: key[1] === '!' ? 'notexists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${part}', expected: valid label selector`);
}

/** Parses a labelSelector query value; empty selects everything. */
export function parseLabelSelector(text: string): Requirement[] {
  return splitTop(text).map(parseRequirement);
}

/** Whether labels satisfy every requirement. */
export function matchesLabels(reqs: readonly Requirement[], labels: Record<string, string> | undefined): boolean {
  return reqs.every((r) => {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'eq':
        return v === r.values[0];
      case 'neq':
        return v !== r.values[0];
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      case 'notexists':
        return v === undefined;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        return r.op === 'gt' ? n > bound : n < bound;
      }
    }
  });
}

/** One field selector term. */
export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Parses a fieldSelector, rejecting labels the resource does not index (as the apiserver does). */
export function parseFieldSelector(text: string, extraLabels: readonly string[]): FieldRequirement[] {
  const allowed = ['metadata.name', 'metadata.namespace', ...extraLabels];
  return splitTop(text).map((part) => {
    const m = /^([A-Za-z0-9._-]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${part}'; can't understand '${part}'`);
    const field = m[1] ?? '';
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, value: m[3] ?? '', negate: m[2] === '!=' };
  });
}

/** Reads a dotted path from an object as the string a field selector compares against. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (!isRecord(cur)) return '';
    cur = cur[seg];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
}

/** Whether an object satisfies every field requirement. */
export function matchesFields(reqs: readonly FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}

/** Formats a metav1.LabelSelector as the string Scale status.selector carries (sorted by key). */
export function formatLabelSelector(selector: unknown): string {
  if (!isRecord(selector)) return '';
  const parts: { key: string; text: string }[] = [];
  if (isRecord(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels)) parts.push({ key: k, text: `${k}=${String(v)}` });
  }
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions) {
      if (!isRecord(e) || typeof e.key !== 'string') continue;
      const values = Array.isArray(e.values) ? e.values.map(String).sort() : [];
      const text =
        e.operator === 'In' ? `${e.key} in (${values.join(',')})` :
        e.operator === 'NotIn' ? `${e.key} notin (${values.join(',')})` :
        e.operator === 'DoesNotExist' ? `!${e.key}` : e.key;
      parts.push({ key: e.key, text });
    }
  }
  return parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((p) => p.text).join(',');
}
