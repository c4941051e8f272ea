// docs/scalers.md, generated from the declarations so the reference cannot drift from the code
// (`npm run docs:scalers`; a test fails when the file is stale).
import type { AnyScaler } from './index.js';
import type { ParamSpec, Source } from './param.js';

const SOURCE_NAMES: Record<Source, string> = { metadata: 'metadata', authParams: 'TriggerAuthentication', fromEnv: '`<name>FromEnv`' };

/** The whole reference page for the given scalers. */
export function scalerReferenceMarkdown(scalers: readonly AnyScaler[]): string {
  const sections = [...scalers].sort((a, b) => a.type.localeCompare(b.type)).map(section);
  return [
    '# Scaler reference',
    '',
    '<!-- Generated from src/scalers by `npm run docs:scalers`; do not edit by hand. -->',
    '',
    'Parameters of each trigger type tide implements, with KEDA\'s names and defaults. "Sources" lists',
    'where a value may come from, in lookup order: trigger `metadata`, a TriggerAuthentication parameter,',
    'or `<name>FromEnv` naming an environment variable of the scale target\'s container.',
    '',
    ...sections,
  ].join('\n');
}

function section(scaler: AnyScaler): string {
  const aliases = scaler.aliases?.length ? ` (also ${scaler.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
  const rows = Object.entries(scaler.params).map(([name, p]) => row(name, p.spec));
  return [
    `## \`${scaler.type}\`${aliases}`,
    '',
    `Metric name: \`${metricNameTemplate(scaler)}\``,
    '',
    '| parameter | type | default | required | sources | notes |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function row(name: string, spec: ParamSpec): string {
  const type = spec.kind === 'enum' ? (spec.enumValues ?? []).map((v) => `\`${v}\``).join(' \\| ') : spec.kind;
  const required = spec.presence === 'required' ? 'yes' : spec.presence === 'requiredUnlessMetricSource' ? 'yes, unless scalingModifiers' : '';
  const defaultValue = spec.presence === 'default' ? `\`${formatDefault(spec.defaultValue)}\`` : '';
  const notes = [
    spec.secret ? 'secret' : '',
    spec.aliases.length ? `alias ${spec.aliases.map((a) => `\`${a}\``).join(', ')}` : '',
    spec.deprecated !== undefined ? `deprecated: ${spec.deprecated}` : '',
    spec.removed !== undefined ? `removed: ${spec.removed}` : '',
  ].filter((n) => n !== '');
  const sources = spec.sources.map((s) => SOURCE_NAMES[s]).join(', ');
  return `| \`${name}\` | ${type} | ${defaultValue} | ${required} | ${sources} | ${notes.join('; ').replace(/\|/g, '\\|')} |`;
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The scaler's metric name with each parameter shown as `<name>`, e.g. `s<index>-azure-queue-<queueName>` (booleans false). */
function metricNameTemplate(scaler: AnyScaler): string {
  if (scaler.metricNameDoc !== undefined) return scaler.metricNameDoc;
  const declared = scaler as AnyScaler & { metricName?: (p: unknown) => string };
  if (typeof declared.metricName !== 'function') return scaler.type === 'cpu' || scaler.type === 'memory' ? scaler.type : 'set by the scaler at run time';
  // Declared booleans are false (their default shape); every other value shows as <name>.
  const bools = new Set(Object.entries(scaler.params).filter(([, p]) => p.spec.kind === 'bool').map(([name]) => name));
  const placeholders = new Proxy({}, { get: (_target, key) => (typeof key !== 'string' ? undefined : bools.has(key) ? false : `<${key}>`) });
  try {
    return `s<index>-${decodeURIComponent(declared.metricName(placeholders))}`;
  } catch {
    return 'depends on the parameters';
  }
}
