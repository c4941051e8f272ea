// Multi-document YAML as func prints it: each document followed by a `---` line; strings that would read
// as numbers, booleans or null are double-quoted (the yaml library quotes exactly those).
import { stringify } from 'yaml';
import type { Manifest } from './manifest.js';

/** The objects as one multi-document YAML text. */
export function manifestsYaml(objects: readonly Manifest[]): string {
  return objects.map((o) => `${stringify(o, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN', singleQuote: false, aliasDuplicateObjects: false })}---\n`).join('');
}
