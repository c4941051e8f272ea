// Editing local.settings.json for `tide settings add|delete` (functions.md §5): one entry of Values or
// ConnectionStrings changes, everything else in the file stays (key order, Host, unknown keys), written
// back as 2-space JSON. tide writes plain text: it refuses files that say they are encrypted, and sets
// "IsEncrypted": false when the key is missing, because func reads a missing key as true and would
// then try to decrypt the values tide wrote.
import type { Problem } from '../../api/problems.js';
import { caselessEntry, isJsonObject, parseJsonText, type JsonObject } from '../../app/json-text.js';
import { parseLocalSettings, type LocalSettings } from '../../app/local-settings.js';
import { jsonErrorPosition } from './json-position.js';

const SQL_PROVIDER = 'System.Data.SqlClient';

/** A readable local.settings.json: the raw document to edit and the settings as tide reads them. */
export interface SettingsDocument {
  readonly doc: JsonObject;
  readonly settings: LocalSettings;
  /** Warnings and errors of app/local-settings.ts, each naming the file and key. */
  readonly problems: readonly Problem[];
  /** The text had comments or trailing commas, which a rewrite drops. */
  readonly relaxed: boolean;
}

/** Parses the file's text (undefined: no file yet); a syntax error comes back as `file:line:col: message`. */
export function readSettingsDocument(text: string | undefined, file: string): SettingsDocument | { error: string } {
  if (text === undefined) return { doc: { IsEncrypted: false, Values: {} }, settings: parseLocalSettings(undefined).settings, problems: [], relaxed: false };
  const parsed = parseJsonText(text);
  if ('error' in parsed) {
    const at = jsonErrorPosition(text);
    return { error: at ? `${file}:${at.line}:${at.col}: ${at.message}` : `${file}: ${parsed.error}` };
  }
  if (!isJsonObject(parsed.value)) return { error: `${file}: must hold a JSON object ({"IsEncrypted": false, "Values": {…}})` };
  let relaxed = false;
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    relaxed = true;
  }
  const { settings, problems } = parseLocalSettings(text, file);
  return { doc: parsed.value, settings, problems, relaxed };
}

/** The section object (Values / ConnectionStrings) under its existing spelling, created when missing. */
function section(doc: JsonObject, name: string): JsonObject {
  const entry = caselessEntry(doc, name);
  if (entry && isJsonObject(entry[1])) return entry[1];
  if (entry && entry[1] !== null && entry[1] !== undefined) throw new Error(`"${entry[0]}" is not an object`);
  const created: JsonObject = {};
  doc[entry?.[0] ?? name] = created;
  return created;
}

/** Why the document cannot be written in plain text, or undefined. */
export function encryptedReason(doc: JsonObject, file: string): string | undefined {
  const flag = caselessEntry(doc, 'IsEncrypted');
  if (flag?.[1] !== true) return undefined;
  return `${file} says "IsEncrypted": true; tide writes settings in plain text only (func's encryption is bound to one Windows machine). Run "func settings decrypt" there, or set "IsEncrypted": false and write the values in plain text.`;
}

/** Sets `name` in Values, or in ConnectionStrings as {ConnectionString, ProviderName} as func does. */
export function setSetting(doc: JsonObject, name: string, value: string, connectionString: boolean): void {
  if (caselessEntry(doc, 'IsEncrypted') === undefined) {
    const rest = { ...doc };
    for (const key of Object.keys(doc)) Reflect.deleteProperty(doc, key);
    Object.assign(doc, { IsEncrypted: false }, rest);
  }
  const target = section(doc, connectionString ? 'ConnectionStrings' : 'Values');
  const key = caselessEntry(target, name)?.[0] ?? name;
  target[key] = connectionString ? { ConnectionString: value, ProviderName: SQL_PROVIDER } : value;
}

/** Removes `name` from Values (or ConnectionStrings); false when it was not there. */
export function deleteSetting(doc: JsonObject, name: string, connectionString: boolean): boolean {
  const entry = caselessEntry(doc, connectionString ? 'ConnectionStrings' : 'Values');
  if (!entry || !isJsonObject(entry[1])) return false;
  const key = caselessEntry(entry[1], name)?.[0];
  if (key === undefined) return false;
  Reflect.deleteProperty(entry[1], key);
  return true;
}

/** The file's new text: 2-space JSON with a final newline. */
export function settingsText(doc: JsonObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
