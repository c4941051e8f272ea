// `tide settings add|list|delete`: the app settings in local.settings.json, as `func settings` manages
// them (functions.md §5). Values are masked unless --showValue; `add` without a value reads it from
// stdin (`echo "$SECRET" | tide settings add NAME`), since tide does not prompt.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findScriptRoot } from '../app/load-app.js';
import { deleteSetting, encryptedReason, readSettingsDocument, setSetting, settingsText, type SettingsDocument } from '../functions/templates/local-settings-edit.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';

const OPTIONS = {
  connectionString: { type: 'boolean' },
  showValue: { type: 'boolean', short: 'a' },
} as const;

/** Where `add` reads a value it was not given: the process's stdin in the CLI. */
export interface ValueSource extends AsyncIterable<Buffer | string> {
  readonly isTTY?: boolean;
}

const FILE = 'local.settings.json';
const MASK = '*****';

/** local.settings.json of the app at or above `cwd` (func's lookup), else the one in `cwd`. */
function settingsPath(cwd: string): string {
  return join(findScriptRoot(cwd) ?? cwd, FILE);
}

async function load(path: string, forWrite: boolean, io: CliIO): Promise<SettingsDocument> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  const read = readSettingsDocument(text, path);
  if ('error' in read) throw new InputError(read.error);
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (forWrite) {
    const encrypted = encryptedReason(read.doc, path);
    if (encrypted !== undefined) throw new InputError(encrypted);
    if (errors.length > 0) throw new InputError(errors.map((p) => `${p.path}: ${p.message}`).join('\n'));
    if (read.relaxed) io.stderr(`warning: ${path} has comments or trailing commas; they are not kept when tide rewrites it\n`);
  } else if (errors.length > 0) {
    throw new InputError(errors.map((p) => `${p.path}: ${p.message}`).join('\n'));
  }
  for (const p of read.problems.filter((w) => w.severity === 'warning')) io.stderr(`warning: ${p.path}: ${p.message}\n`);
  return read;
}

/** The value `add` was not given: stdin when it is piped (one trailing newline dropped), else an error. */
async function readValue(name: string, stdin: ValueSource): Promise<string> {
  if (stdin.isTTY === true) throw new UsageError(`no value for "${name}": pass it after the name, or pipe it in (tide does not prompt)`);
  let text = '';
  for await (const chunk of stdin) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return text.replace(/\r?\n$/, '');
}

function list(doc: SettingsDocument, show: boolean): string {
  const lines = ['App Settings:'];
  for (const [name, value] of Object.entries(doc.settings.values)) lines.push(`   -> Name: ${name}`, `      Value: ${show ? value : MASK}`, '');
  lines.push('Connection Strings:');
  for (const [name, cs] of Object.entries(doc.settings.connectionStrings)) {
    lines.push(`   -> Name: ${name}`, `      Value: ${show ? cs.connectionString : MASK}`, `      ProviderName: ${cs.providerName}`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `tide settings` with `stdin` as the source of a value `add` was not given. */
export async function runSettings(argv: readonly string[], io: CliIO, stdin: ValueSource): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  const [action, name, value, ...extra] = positionals;
  const path = settingsPath(io.cwd);
  const connectionString = values.connectionString === true;
  if (action === 'list') {
    if (name !== undefined) throw new UsageError(`list takes no argument, got "${name}"`);
    io.stdout(list(await load(path, false, io), values.showValue === true));
    return ExitCode.ok;
  }
  if (action === 'add' || action === 'delete' || action === 'remove') {
    if (name === undefined || name === '') throw new UsageError(`${action} needs a setting name`);
    const unexpected = action === 'add' ? extra : [value, ...extra].filter((a) => a !== undefined);
    if (unexpected.length > 0) throw new UsageError(`unexpected argument "${unexpected.join(' ')}"`);
    const doc = await load(path, true, io);
    if (action === 'add') {
      setSetting(doc.doc, name, value ?? (await readValue(name, stdin)), connectionString);
    } else if (!deleteSetting(doc.doc, name, connectionString)) {
      io.stderr(`${path}: no setting "${name}" in ${connectionString ? 'ConnectionStrings' : 'Values'}; nothing to delete\n`);
      return ExitCode.ok;
    }
    await writeFile(path, settingsText(doc.doc));
    io.stderr(`${action === 'add' ? 'Set' : 'Deleted'} ${connectionString ? 'connection string' : 'setting'} "${name}" in ${path}\n`);
    return ExitCode.ok;
  }
  if (action === 'encrypt' || action === 'decrypt') {
    throw new InputError(`settings ${action} is not supported: func encrypts with keys bound to one Windows machine; tide keeps local.settings.json in plain text`);
  }
  throw new UsageError(action === undefined ? 'name an action: add, list or delete' : `unknown action "${action}" (add, list, delete)`);
}

export const settingsCommand: Command = {
  name: 'settings',
  summary: 'add, list or delete app settings in local.settings.json',
  usage: [
    'Usage: tide settings add <name> [<value>] [--connectionString]',
    '       tide settings list [--showValue|-a]',
    '       tide settings delete <name> [--connectionString]',
    '',
    "Edits the local.settings.json of the app at or above the current folder, as `func settings` does;",
    'the rest of the file is kept. list masks values unless --showValue. add without a value reads it',
    'from stdin (printf %s "$SECRET" | tide settings add NAME). --connectionString stores the value under',
    'ConnectionStrings ({ConnectionString, ProviderName: System.Data.SqlClient}); for delete it removes',
    'from ConnectionStrings instead of Values.',
  ].join('\n'),
  run: (argv, io) => runSettings(argv, io, process.stdin),
};
