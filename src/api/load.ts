// Loads keda.sh/v1alpha1 objects from multi-document YAML, the way `kubectl apply -f` reads a
// file: other kinds (Secret, Deployment, …) and empty documents are skipped; syntax errors,
// unknown keda.sh kinds and unsupported versions are problems with a line and column.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { parsePath } from './field-path.js';
import { isKedaKind, KEDA_API_VERSION, KEDA_GROUP, KEDA_KINDS, type KedaKind } from './kinds.js';
import { nearest } from './nearest.js';
import { problem, type Problem } from './problems.js';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

/** A problem found while loading a file, placed in the file. */
export interface LoadProblem extends Problem {
  readonly file: string;
  /** 0-based index of the YAML document, when the problem belongs to one. */
  readonly document?: number;
  readonly line?: number;
  readonly col?: number;
}

/** One keda.sh object found in a file. */
export interface LoadedObject {
  readonly kind: KedaKind;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** The document as plain JSON-like data (not yet validated). */
  readonly value: unknown;
  /** 0-based index of the YAML document. */
  readonly document: number;
  readonly file: string;
  /** Where a field path (`spec.triggers[0].type`) is in the file; its nearest present ancestor when absent. */
  position(path: string): Position | undefined;
}

export interface LoadResult {
  readonly objects: LoadedObject[];
  readonly problems: LoadProblem[];
}

type Locator = (path: string) => Position | undefined;

function locator(root: unknown, counter: LineCounter): Locator {
  return (path) => {
    let node = root;
    let offset = isNode(root) ? root.range?.[0] : undefined;
    for (const key of parsePath(path)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (pair === undefined) break;
        offset = isNode(pair.key) ? (pair.key.range?.[0] ?? offset) : offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
        node = node.items[key];
        offset = isNode(node) ? (node.range?.[0] ?? offset) : offset;
      } else break;
    }
    return offset === undefined ? undefined : counter.linePos(offset);
  };
}

const isNode = (value: unknown): value is Node => isMap(value) || isSeq(value) || isScalar(value);

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

interface Context {
  readonly file: string;
  readonly document: number;
  readonly objects: LoadedObject[];
  readonly problems: LoadProblem[];
}

function report(ctx: Context, locate: Locator, path: string, message: string): void {
  ctx.problems.push({ ...problem(path, message), file: ctx.file, document: ctx.document, ...locate(path) });
}

/** Classifies one Kubernetes object: a keda.sh object is kept; a keda.sh mistake is reported; the rest skipped. */
function visitObject(ctx: Context, value: unknown, locate: Locator): void {
  const object = record(value);
  if (object === undefined) {
    report(ctx, locate, '', 'is not a Kubernetes object (expected a mapping with apiVersion and kind)');
    return;
  }
  const apiVersion = text(object.apiVersion) ?? '';
  const kind = text(object.kind) ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  if (group === 'keda.k8s.io') {
    report(ctx, locate, 'apiVersion', `keda.k8s.io is the KEDA v1 API group; use ${KEDA_API_VERSION}`);
    return;
  }
  if (group !== KEDA_GROUP) {
    if (apiVersion === '' && isKedaKind(kind)) report(ctx, locate, 'apiVersion', `is required: ${KEDA_API_VERSION}`);
    return;
  }
  if (!isKedaKind(kind)) {
    const suggestion = nearest(kind, KEDA_KINDS);
    const hint = suggestion !== undefined ? ` (did you mean ${suggestion}?)` : '';
    report(ctx, locate, 'kind', `${JSON.stringify(kind)} is not a ${KEDA_GROUP} kind${hint}; known kinds: ${KEDA_KINDS.join(', ')}`);
    return;
  }
  if (apiVersion !== KEDA_API_VERSION) {
    report(ctx, locate, 'apiVersion', `${JSON.stringify(apiVersion)} is not supported; ${kind} is served as ${KEDA_API_VERSION}`);
    return;
  }
  const metadata = record(object.metadata);
  ctx.objects.push({ kind, name: text(metadata?.name), namespace: text(metadata?.namespace), value, document: ctx.document, file: ctx.file, position: locate });
}

function visitDocument(ctx: Context, doc: Document.Parsed, counter: LineCounter): void {
  for (const error of doc.errors) {
    ctx.problems.push({ ...problem('', error.message.split('\n')[0] ?? error.message), file: ctx.file, document: ctx.document, ...counter.linePos(error.pos[0]) });
  }
  if (doc.errors.length > 0) return;
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return;
  const object = record(value);
  // kubectl accepts a v1 List and applies each item.
  if (object?.apiVersion === 'v1' && object.kind === 'List' && Array.isArray(object.items)) {
    object.items.forEach((item, index) => {
      const base = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
      const itemNode = isSeq(base) ? base.items[index] : undefined;
      visitObject(ctx, item, locator(itemNode, counter));
    });
    return;
  }
  visitObject(ctx, value, locator(doc.contents, counter));
}

/** Every keda.sh/v1alpha1 object of a multi-document YAML text, and the problems found reading it. */
export function loadYaml(file: string, source: string): LoadResult {
  const counter = new LineCounter();
  const documents = parseAllDocuments(source, { lineCounter: counter, merge: true, prettyErrors: false });
  const objects: LoadedObject[] = [];
  const problems: LoadProblem[] = [];
  // A stream with no document (only comments or directives) still reports its errors.
  if ('empty' in documents) {
    for (const error of documents.errors) problems.push({ ...problem('', error.message), file, ...counter.linePos(error.pos[0]) });
  }
  documents.forEach((doc, document) => {
    visitDocument({ file, document, objects, problems }, doc, counter);
  });
  return { objects, problems };
}

/** Places problems of one loaded object (from validateObject) in its file. */
export function placeProblems(object: LoadedObject, problems: readonly Problem[]): LoadProblem[] {
  return problems.map((p) => ({ ...p, file: object.file, document: object.document, ...object.position(p.path) }));
}
