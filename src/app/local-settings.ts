// local.settings.json as `func start` reads it (functions.md §5): Values (string → string),
// ConnectionStrings, Host (port, address, CORS). Encrypted files cannot be read: func encrypts with
// ASP.NET Core Data Protection keys bound to one Windows machine, which no other machine can decrypt.
import { problem, warning, type Problem } from '../api/problems.js';
import { caseless, isJsonObject, parseJsonText } from './json-text.js';

export interface ConnectionString {
  readonly connectionString: string;
  readonly providerName: string;
}

export interface LocalHostSettings {
  readonly localHttpPort?: number;
  readonly localHttpAddress?: string;
  /** Allowed origins, split on commas. */
  readonly cors?: readonly string[];
  readonly corsCredentials?: boolean;
}

export interface LocalSettings {
  readonly isEncrypted: boolean;
  readonly values: Readonly<Record<string, string>>;
  readonly connectionStrings: Readonly<Record<string, ConnectionString>>;
  readonly host: LocalHostSettings;
}

export const EMPTY_LOCAL_SETTINGS: LocalSettings = { isEncrypted: false, values: {}, connectionStrings: {}, host: {} };
const SQL_PROVIDER = 'System.Data.SqlClient';
/** ASP.NET Core Data Protection payloads start with magic bytes 09 F0 C9 F0, i.e. base64 "CfDJ8". */
const PROTECTED_PREFIX = 'CfDJ8';

/** Parses local.settings.json text (undefined = no file, which is fine: empty settings). */
export function parseLocalSettings(text: string | undefined, file = 'local.settings.json'): { settings: LocalSettings; problems: Problem[] } {
  if (text === undefined) return { settings: EMPTY_LOCAL_SETTINGS, problems: [] };
  const parsed = parseJsonText(text);
  if ('error' in parsed || !isJsonObject(parsed.value)) {
    const why = 'error' in parsed ? parsed.error : 'it is not a JSON object';
    return { settings: EMPTY_LOCAL_SETTINGS, problems: [warning(file, `${file} cannot be read (${why}); continuing with no local settings, as func does`)] };
  }
  const doc = parsed.value;
  const problems: Problem[] = [];
  const values = readValues(caseless(doc, 'Values'), file, problems);
  const connectionStrings = readConnectionStrings(caseless(doc, 'ConnectionStrings'), file, problems);
  const declared = caseless(doc, 'IsEncrypted');
  const secrets = [...Object.values(values), ...Object.values(connectionStrings).map((c) => c.connectionString)].filter((v) => v !== '');
  const isEncrypted = declared === true || (declared === undefined && secrets.length > 0 && secrets.every((v) => v.startsWith(PROTECTED_PREFIX)));
  if (isEncrypted && secrets.length > 0) {
    problems.push(
      problem(
        `${file}:IsEncrypted`,
        `${file} is encrypted ("IsEncrypted": true): encrypted values cannot be decrypted outside the Windows machine that encrypted them. ` +
          'Run "func settings decrypt" there, or write the values again in plain text and set "IsEncrypted": false.',
      ),
    );
  } else if (declared === undefined && secrets.length > 0) {
    problems.push(warning(`${file}:IsEncrypted`, `${file} has no "IsEncrypted"; func would treat its values as encrypted, tide reads them as plain text. Add "IsEncrypted": false.`));
  } else if (declared !== undefined && typeof declared !== 'boolean') {
    problems.push(warning(`${file}:IsEncrypted`, `"IsEncrypted" must be true or false (got ${JSON.stringify(declared)}); read as false`));
  }
  const settings: LocalSettings = { isEncrypted, values: isEncrypted ? {} : values, connectionStrings: isEncrypted ? {} : connectionStrings, host: readHost(caseless(doc, 'Host'), file, problems) };
  return { settings, problems };
}

function readValues(raw: unknown, file: string, problems: Problem[]): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isJsonObject(raw)) {
    problems.push(problem(`${file}:Values`, `"Values" must be an object of string settings (got ${JSON.stringify(raw)})`));
    return {};
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') values[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') {
      values[name] = String(value);
      problems.push(warning(`${file}:Values.${name}`, `should be a string; read as "${String(value)}"`));
    } else {
      problems.push(problem(`${file}:Values.${name}`, `must be a string (got ${JSON.stringify(value)}); Values is string → string, put JSON in quotes`));
    }
  }
  return values;
}

function readConnectionStrings(raw: unknown, file: string, problems: Problem[]): Record<string, ConnectionString> {
  if (raw === undefined || raw === null) return {};
  if (!isJsonObject(raw)) {
    problems.push(problem(`${file}:ConnectionStrings`, '"ConnectionStrings" must be an object'));
    return {};
  }
  const result: Record<string, ConnectionString> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') result[name] = { connectionString: value, providerName: SQL_PROVIDER };
    else if (isJsonObject(value) && typeof caseless(value, 'ConnectionString') === 'string') {
      const provider = caseless(value, 'ProviderName');
      result[name] = { connectionString: caseless(value, 'ConnectionString') as string, providerName: typeof provider === 'string' ? provider : SQL_PROVIDER };
    } else {
      problems.push(problem(`${file}:ConnectionStrings.${name}`, 'must be a string or {"ConnectionString": "…", "ProviderName": "…"}'));
    }
  }
  return result;
}

function readHost(raw: unknown, file: string, problems: Problem[]): LocalHostSettings {
  if (!isJsonObject(raw)) return {};
  const host: { -readonly [K in keyof LocalHostSettings]: LocalHostSettings[K] } = {};
  const port = caseless(raw, 'LocalHttpPort');
  const portNumber = typeof port === 'string' ? Number(port) : port;
  if (typeof portNumber === 'number' && Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65_536) host.localHttpPort = portNumber;
  else if (port !== undefined) problems.push(problem(`${file}:Host.LocalHttpPort`, `must be a port number 1–65535 (got ${JSON.stringify(port)})`));
  const address = caseless(raw, 'LocalHttpAddress');
  if (typeof address === 'string' && address !== '') host.localHttpAddress = address;
  const cors = caseless(raw, 'CORS');
  if (typeof cors === 'string') host.cors = cors.split(',').map((o) => o.trim()).filter((o) => o !== '');
  const credentials = caseless(raw, 'CORSCredentials');
  if (typeof credentials === 'boolean') host.corsCredentials = credentials;
  return host;
}

/**
 * The app settings a function app sees: local.settings.json Values and `ConnectionStrings:<name>`,
 * with the existing environment winning (empty strings included), as `func start` does.
 */
export function appSettings(env: Readonly<Record<string, string | undefined>>, local: LocalSettings): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(local.values)) merged[name] = value;
  for (const [name, cs] of Object.entries(local.connectionStrings)) merged[`ConnectionStrings:${name}`] = cs.connectionString;
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  return merged;
}
