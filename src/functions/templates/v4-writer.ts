// The file `func new` writes for a v4 app: `src/functions/<name>.js|ts` registering one function with
// @azure/functions (functions.md §4). JavaScript passes an inline handler; TypeScript exports the
// handler as a named async function, as func's templates do.
import type { Language, Template, V4Template } from './catalogue.js';

export interface V4Options {
  readonly name: string;
  readonly language: Language;
  /** `-f/--file`: the file name without extension (default: the function name). */
  readonly file?: string;
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(' '),
);

/** A TypeScript identifier for a function name (names may hold `-`, identifiers may not). */
export function handlerIdentifier(name: string): string {
  const camel = name.replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^a-zA-Z0-9_$]/g, '');
  const id = /^[a-zA-Z_$]/.test(camel) ? camel : `_${camel}`;
  return RESERVED.has(id) ? `${id}Handler` : id;
}

/** Relative path → content of the file of one v4 function. */
export function v4Files(template: Template, options: V4Options): Record<string, string> {
  const spec = template.v4;
  if (!spec) throw new Error(`template ${template.name} has no v4 version`);
  const ext = options.language === 'typescript' ? 'ts' : 'js';
  const code = options.language === 'typescript' ? tsCode(spec, options.name) : jsCode(spec, options.name);
  return { [`src/functions/${options.file ?? options.name}.${ext}`]: code };
}

/** A JavaScript literal for a template value (strings single-quoted, as func's templates write them). */
function literal(value: unknown, depth: number): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, depth)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return objectLiteral(Object.entries(value), depth);
  throw new Error(`template value ${JSON.stringify(value)} cannot be written`);
}

function objectLiteral(entries: readonly [string, unknown][], depth: number): string {
  const pad = '    '.repeat(depth + 1);
  const lines = entries.map(([k, v]) => `${pad}${/^[a-zA-Z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${literal(v, depth + 1)}`);
  return `{\n${lines.join(',\n')}\n${'    '.repeat(depth)}}`;
}

/** The `app.<method>(name, {...})` call with `handler` as the last option. */
function registration(spec: V4Template, name: string, handler: string): string {
  const entries: [string, string][] = Object.entries(spec.options).map(([k, v]) => [k, literal(v, 1)]);
  if (spec.trigger) entries.unshift(['trigger', `trigger.generic(${literal(spec.trigger, 1)})`]);
  entries.push(['handler', handler]);
  return `app.${spec.method}(${literal(name, 0)}, {\n${entries.map(([k, v]) => `    ${k}: ${v}`).join(',\n')}\n});\n`;
}

function indent(lines: readonly string[], depth: number): string {
  return lines.map((l) => (l === '' ? '' : `${'    '.repeat(depth)}${l}`)).join('\n');
}

function jsCode(spec: V4Template, name: string): string {
  const names = spec.trigger ? '{ app, trigger }' : '{ app }';
  const asyncWord = spec.returnsTs !== undefined ? 'async ' : '';
  const handler = `${asyncWord}(${spec.param.name}, context) => {\n${indent(spec.body, 2)}\n    }`;
  return `const ${names} = require('@azure/functions');\n\n${registration(spec, name, handler)}`;
}

function tsCode(spec: V4Template, name: string): string {
  const id = handlerIdentifier(name);
  const imports = ['app', ...(spec.tsImports ?? []), 'InvocationContext', ...(spec.trigger ? ['trigger'] : [])].sort((a, b) => (a === 'app' ? -1 : b === 'app' ? 1 : a.localeCompare(b)));
  const returns = `Promise<${spec.returnsTs ?? 'void'}>`;
  return [
    `import { ${imports.join(', ')} } from "@azure/functions";`,
    '',
    `export async function ${id}(${spec.param.name}: ${spec.param.tsType}, context: InvocationContext): ${returns} {`,
    indent(spec.body, 1),
    '}',
    '',
    registration(spec, name, id),
  ].join('\n');
}
