// Server-side printing: meta.k8s.io Table responses (what `kubectl get` asks for) built from a type's
// printer columns (a CRD's additionalPrinterColumns; a few defaults for built-ins), with the JSONPath
// subset printer columns use and the apiserver's human-readable ages.

import { badRequest } from './status.js';
import { type KubeObject, type PrinterColumn, type ResourceType, isRecord } from './types.js';

/** The Table version an Accept header asks for (first acceptable entry), or undefined for plain JSON. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const [media, ...params] = entry.split(';').map((p) => p.trim());
    if (media !== 'application/json' && media !== '*/*') continue;
    const p = new Map(params.map((x): [string, string] => [x.split('=')[0]?.trim() ?? '', x.split('=')[1]?.trim() ?? '']));
    const v = p.get('v');
    if (!p.has('as')) return undefined;
    if (p.get('as') === 'Table' && p.get('g') === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) return v;
  }
  return undefined;
}

/** Age as the apiserver prints it: 90s, 5m3s, 3h20m, 2d4h, 1y10d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

type Step = { field: string } | { index: number } | { all: true } | { filter: string; value: string };

/** Parses `.a.b[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status` (the printer-column subset). */
export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_-]+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]/gy;
  const text = path.trim().replace(/^\{(.*)\}$/, '$1');
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ filter: m[3], value: m[4] ?? m[5] ?? '' });
    else steps.push({ all: true });
  }
  if (re.lastIndex !== text.length || (text.length > 0 && steps.length === 0)) throw badRequest(`unsupported JSONPath in printer column: ${path}`);
  return steps;
}

/** Every value a path reaches. */
export function evalJsonPath(root: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [root];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in s) {
        if (isRecord(v) && v[s.field] !== undefined) next.push(v[s.field]);
      } else if (!Array.isArray(v)) continue;
      else if ('index' in s) {
        if (v[s.index] !== undefined) next.push(v[s.index]);
      } else if ('all' in s) next.push(...(v as unknown[]));
      else next.push(...(v as unknown[]).filter((i) => isRecord(i) && String(i[s.filter]) === s.value));
    }
    cur = next;
  }
  return cur;
}

/** One cell: typed scalar, age for dates, several results space-separated, null when absent. */
function cell(col: PrinterColumn, obj: KubeObject, now: number): unknown {
  const results = evalJsonPath(obj, parseJsonPath(col.jsonPath));
  const first = results[0];
  if (first === undefined || first === null) return null;
  if (results.length > 1) return results.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(' ');
  if (col.type === 'date' && typeof first === 'string') {
    const t = Date.parse(first);
    return Number.isNaN(t) ? first : humanDuration(now - t);
  }
  if ((col.type === 'integer' || col.type === 'number') && typeof first === 'number') return first;
  if (col.type === 'boolean' && typeof first === 'boolean') return first;
  return typeof first === 'string' ? first : JSON.stringify(first);
}

const NAME_COLUMN: PrinterColumn = { name: 'Name', type: 'string', format: 'name', jsonPath: '.metadata.name', description: 'The object name, unique in its namespace.' };
const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created.' };

/** The columns of a type: Name, its printer columns, and Age unless a CRD declares its own columns. */
export function tableColumns(type: ResourceType): PrinterColumn[] {
  if (type.crd !== undefined && type.printerColumns.length > 0) return [NAME_COLUMN, ...type.printerColumns];
  return [NAME_COLUMN, ...type.printerColumns, AGE_COLUMN];
}

/** What each row carries: PartialObjectMetadata (default), the whole object, or nothing. */
export type IncludeObject = 'Metadata' | 'Object' | 'None';

/** Reads includeObject or fails like the apiserver. */
export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject') ?? 'Metadata';
  if (v === 'Metadata' || v === 'Object' || v === 'None') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

/** A Table of objects already presented at the requested version. */
export function toTable(type: ResourceType, objects: KubeObject[], listMeta: Record<string, unknown>, opts: { version: 'v1' | 'v1beta1'; include: IncludeObject; now: number }): Record<string, unknown> {
  const columns = tableColumns(type);
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: columns.map((c) => cell(c, o, opts.now)) };
    if (opts.include === 'Object') row.object = o;
    else if (opts.include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.version}`, metadata: o.metadata };
    return row;
  });
  const columnDefinitions = columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }));
  return { kind: 'Table', apiVersion: `meta.k8s.io/${opts.version}`, metadata: listMeta, columnDefinitions, rows };
}
