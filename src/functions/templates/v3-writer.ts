// The files `func new` writes for a v3 (function.json) app: `<name>/function.json` and
// `<name>/index.js`, or for TypeScript `<name>/index.ts` with `scriptFile` pointing at the compiled
// `../dist/<name>/index.js` (functions.md §4).
import type { Language, Template, V3Template } from './catalogue.js';

export type AuthLevel = 'function' | 'anonymous' | 'admin';

export interface V3Options {
  readonly name: string;
  readonly language: Language;
  /** `--authlevel`, HTTP templates only (the command checks that). */
  readonly authLevel?: AuthLevel;
}

/** Relative path → content of the files of one v3 function. */
export function v3Files(template: Template, options: V3Options): Record<string, string> {
  const spec = template.v3;
  if (!spec) throw new Error(`template ${template.name} has no v3 version`);
  const { name, language } = options;
  const bindings = spec.bindings.map((b) => (options.authLevel !== undefined && b['type'] === 'httpTrigger' ? { ...b, authLevel: options.authLevel } : b));
  const functionJson = language === 'typescript' ? { bindings, scriptFile: `../dist/${name}/index.js` } : { bindings };
  const code = language === 'typescript' ? tsCode(template, spec) : jsCode(spec);
  return {
    [`${name}/function.json`]: `${JSON.stringify(functionJson, null, 2)}\n`,
    [`${name}/index.${language === 'typescript' ? 'ts' : 'js'}`]: code,
  };
}

function indent(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '' : `    ${l}`)).join('\n');
}

function jsCode(spec: V3Template): string {
  return `module.exports = async function (context, ${spec.param.name}) {\n${indent(spec.body)}\n};\n`;
}

function tsCode(template: Template, spec: V3Template): string {
  // The handler's variable is named after the template (queueTrigger), as func's templates do.
  const variable = template.id.charAt(0).toLowerCase() + template.id.slice(1);
  const imports = ['AzureFunction', 'Context', ...(spec.param.tsType === 'HttpRequest' ? ['HttpRequest'] : [])];
  return [
    `import { ${imports.join(', ')} } from "@azure/functions"`,
    '',
    `const ${variable}: AzureFunction = async function (context: Context, ${spec.param.name}: ${spec.param.tsType}): Promise<void> {`,
    indent(spec.bodyTs ?? spec.body),
    '};',
    '',
    `export default ${variable};`,
    '',
  ].join('\n');
}
