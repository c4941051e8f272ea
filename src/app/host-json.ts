// host.json: the version check, `AzureFunctionsJobHost__*` overrides, and the defaults of the settings
// the tide host acts on (functions.md §8). The merged document is kept as well (`raw`), because each
// trigger reads its own extension section from it. Problems are values naming the file and key.
import { problem, warning, type Problem } from '../api/problems.js';
import type { RetryPolicy } from './function-model.js';
import { applyHostOverrides } from './host-json-overrides.js';
import { caseless, caselessObject, isJsonObject, parseJsonText, type JsonObject } from './json-text.js';
import { parseRetry } from './retry.js';
import { readBool, readDuration, readInt, readString, type Reader } from './host-json-values.js';

export type LogLevel = 'Trace' | 'Debug' | 'Information' | 'Warning' | 'Error' | 'Critical' | 'None';

export interface QueuesOptions {
  readonly batchSize: number;
  /** Undefined: batchSize/2 × CPU count, computed by the listener. */
  readonly newBatchThreshold?: number;
  readonly maxPollingIntervalMs: number;
  readonly visibilityTimeoutMs: number;
  readonly maxDequeueCount: number;
  readonly messageEncoding: 'base64' | 'none';
}

export interface HttpOptions {
  readonly routePrefix: string;
  /** Undefined: unbounded. */
  readonly maxOutstandingRequests?: number;
  readonly maxConcurrentRequests?: number;
  readonly dynamicThrottlesEnabled: boolean;
  readonly customHeaders: Readonly<Record<string, string>>;
}

export interface RabbitMQOptions {
  readonly prefetchCount: number;
  readonly queueName?: string;
  readonly connectionString?: string;
  readonly disableCertificateValidation: boolean;
}

export interface KafkaOptions {
  readonly maxBatchSize: number;
  readonly subscriberIntervalInSeconds: number;
  readonly executorChannelCapacity: number;
  readonly autoCommitIntervalMs: number;
  readonly autoOffsetReset: 'Earliest' | 'Latest';
  readonly sessionTimeoutMs: number;
  readonly commitOnFailure: boolean;
  readonly maxRetries: number;
}

export interface ConcurrencyOptions {
  readonly dynamicConcurrencyEnabled: boolean;
  readonly snapshotPersistenceEnabled: boolean;
  readonly maximumFunctionConcurrency: number;
}

/** host.json after overrides, with the defaults of the real host filled in. */
export interface HostJson {
  readonly version: string;
  /** Milliseconds; undefined = unbounded (`-1`). Default 30 minutes (not Consumption). */
  readonly functionTimeoutMs: number | undefined;
  /** The `functions` allow-list; undefined = all functions. */
  readonly functions?: readonly string[];
  /** `logging.logLevel` by category (`default`, `Function.<name>`, `Host.Results`…). */
  readonly logLevel: Readonly<Record<string, LogLevel>>;
  readonly retry?: RetryPolicy;
  readonly http: HttpOptions;
  readonly queues: QueuesOptions;
  readonly rabbitMQ: RabbitMQOptions;
  readonly kafka: KafkaOptions;
  readonly concurrency: ConcurrencyOptions;
  readonly extensionBundle?: { readonly id: string; readonly version: string };
  /** The merged document (file + overrides): what `HostContext.hostJson` carries. */
  readonly raw: Readonly<JsonObject>;
}

export const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;
const LOG_LEVELS: readonly LogLevel[] = ['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical', 'None'];

/** Parses host.json text (undefined = no file) with the app settings that may override it. */
export function parseHostJson(
  text: string | undefined,
  settings: Readonly<Record<string, string | undefined>>,
  file = 'host.json',
): { hostJson: HostJson; problems: Problem[] } {
  const problems: Problem[] = [];
  let doc: JsonObject = {};
  if (text === undefined) {
    problems.push(problem(file, `${file} was not found: a function app needs a host.json with {"version": "2.0"} at its root`));
  } else {
    const parsed = parseJsonText(text);
    if ('error' in parsed) problems.push(problem(file, `${file} is not valid JSON: ${parsed.error}`));
    else if (!isJsonObject(parsed.value)) problems.push(problem(file, `${file} must contain a JSON object`));
    else doc = parsed.value;
  }
  const merged = applyHostOverrides(doc, settings);
  problems.push(...merged.problems);
  const r: Reader = { file, problems };
  const raw = merged.doc;
  if (text !== undefined && problems.every((p) => p.path !== file)) checkVersion(raw, r);
  const hostJson: HostJson = {
    version: typeof caseless(raw, 'version') === 'string' ? (caseless(raw, 'version') as string) : '2.0',
    functionTimeoutMs: functionTimeout(raw, r),
    ...optional('functions', functionsList(raw, r)),
    logLevel: logLevels(raw, r),
    ...optional('retry', parseRetry(caseless(raw, 'retry'), r, 'retry')),
    http: httpOptions(caselessObject(caselessObject(raw, 'extensions'), 'http'), r),
    queues: queuesOptions(caselessObject(caselessObject(raw, 'extensions'), 'queues'), r),
    rabbitMQ: rabbitOptions(caselessObject(caselessObject(raw, 'extensions'), 'rabbitMQ'), r),
    kafka: kafkaOptions(caselessObject(caselessObject(raw, 'extensions'), 'kafka'), r),
    concurrency: concurrencyOptions(caselessObject(raw, 'concurrency'), r),
    ...optional('extensionBundle', extensionBundle(raw, r)),
    raw,
  };
  return { hostJson, problems };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function checkVersion(raw: JsonObject, r: Reader): void {
  const version = caseless(raw, 'version');
  if (version === undefined) {
    r.problems.push(problem(`${r.file}:version`, `${r.file} is missing the required "version" property; add "version": "2.0"`));
  } else if (version !== '2.0') {
    r.problems.push(problem(`${r.file}:version`, `${JSON.stringify(version)} is not a valid host.json "version": it must be "2.0" (version 1.x apps are not supported)`));
  }
}

function functionTimeout(raw: JsonObject, r: Reader): number | undefined {
  const value = caseless(raw, 'functionTimeout');
  if (value === undefined || value === null) return DEFAULT_FUNCTION_TIMEOUT_MS;
  if (value === '-1' || value === -1) return undefined;
  const ms = readDuration(raw, 'functionTimeout', r, '', 1_000);
  return ms ?? DEFAULT_FUNCTION_TIMEOUT_MS;
}

function functionsList(raw: JsonObject, r: Reader): string[] | undefined {
  const value = caseless(raw, 'functions');
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => v !== undefined && v !== null && typeof v !== 'string')) {
    r.problems.push(problem(`${r.file}:functions`, `"functions" must be an array of function names (got ${JSON.stringify(value)}); all functions will run`));
    return undefined;
  }
  return value.filter((v): v is string => typeof v === 'string' && v !== '');
}

function logLevels(raw: JsonObject, r: Reader): Record<string, LogLevel> {
  const section = caselessObject(caselessObject(raw, 'logging'), 'logLevel');
  const levels: Record<string, LogLevel> = { default: 'Information' };
  for (const [category, value] of Object.entries(section)) {
    const level = LOG_LEVELS.find((l) => typeof value === 'string' && l.toLowerCase() === value.toLowerCase());
    if (level === undefined) {
      r.problems.push(warning(`${r.file}:logging.logLevel.${category}`, `${JSON.stringify(value)} is not a log level (one of ${LOG_LEVELS.join(', ')}); ignored`));
      continue;
    }
    levels[category.toLowerCase() === 'default' ? 'default' : category] = level;
  }
  return levels;
}

function httpOptions(s: JsonObject, r: Reader): HttpOptions {
  const at = 'extensions.http';
  const headers = caselessObject(s, 'customHeaders');
  const maxOutstanding = readInt(s, 'maxOutstandingRequests', r, at, -1);
  const maxConcurrent = readInt(s, 'maxConcurrentRequests', r, at, -1);
  return {
    routePrefix: (readString(s, 'routePrefix', r, at) ?? 'api').replace(/^\/+|\/+$/g, ''),
    ...optional('maxOutstandingRequests', maxOutstanding !== undefined && maxOutstanding > 0 ? maxOutstanding : undefined),
    ...optional('maxConcurrentRequests', maxConcurrent !== undefined && maxConcurrent > 0 ? maxConcurrent : undefined),
    dynamicThrottlesEnabled: readBool(s, 'dynamicThrottlesEnabled', r, at) ?? false,
    customHeaders: Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

function queuesOptions(s: JsonObject, r: Reader): QueuesOptions {
  const at = 'extensions.queues';
  const threshold = readInt(s, 'newBatchThreshold', r, at, -1);
  const encoding = readString(s, 'messageEncoding', r, at)?.toLowerCase();
  if (encoding !== undefined && encoding !== 'base64' && encoding !== 'none') {
    r.problems.push(problem(`${r.file}:${at}.messageEncoding`, `messageEncoding must be "base64" or "none" (got ${JSON.stringify(encoding)})`));
  }
  return {
    batchSize: readInt(s, 'batchSize', r, at, 1, 32) ?? 16,
    ...optional('newBatchThreshold', threshold !== undefined && threshold >= 0 ? threshold : undefined),
    maxPollingIntervalMs: readDuration(s, 'maxPollingInterval', r, at, 100) ?? 60_000,
    visibilityTimeoutMs: readDuration(s, 'visibilityTimeout', r, at, 0) ?? 0,
    maxDequeueCount: readInt(s, 'maxDequeueCount', r, at, 1) ?? 5,
    messageEncoding: encoding === 'none' ? 'none' : 'base64',
  };
}

function rabbitOptions(s: JsonObject, r: Reader): RabbitMQOptions {
  const at = 'extensions.rabbitMQ';
  return {
    prefetchCount: readInt(s, 'prefetchCount', r, at, 0, 65_535) ?? 30,
    ...optional('queueName', readString(s, 'queueName', r, at)),
    ...optional('connectionString', readString(s, 'connectionString', r, at)),
    disableCertificateValidation: readBool(s, 'disableCertificateValidation', r, at) ?? false,
  };
}

function kafkaOptions(s: JsonObject, r: Reader): KafkaOptions {
  const at = 'extensions.kafka';
  const reset = readString(s, 'autoOffsetReset', r, at)?.toLowerCase();
  if (reset !== undefined && reset !== 'earliest' && reset !== 'latest') {
    r.problems.push(problem(`${r.file}:${at}.autoOffsetReset`, `autoOffsetReset must be "Earliest" or "Latest" (got ${JSON.stringify(reset)})`));
  }
  return {
    maxBatchSize: readInt(s, 'maxBatchSize', r, at, 1) ?? 64,
    subscriberIntervalInSeconds: readInt(s, 'subscriberIntervalInSeconds', r, at, 1) ?? 1,
    executorChannelCapacity: readInt(s, 'executorChannelCapacity', r, at, 1) ?? 1,
    autoCommitIntervalMs: readInt(s, 'autoCommitIntervalMs', r, at, 0) ?? 200,
    autoOffsetReset: reset === 'latest' ? 'Latest' : 'Earliest',
    sessionTimeoutMs: readInt(s, 'sessionTimeoutMs', r, at, 1) ?? 10_000,
    commitOnFailure: readBool(s, 'commitOnFailure', r, at) ?? true,
    maxRetries: readInt(s, 'maxRetries', r, at, -1) ?? 5,
  };
}

function concurrencyOptions(s: JsonObject, r: Reader): ConcurrencyOptions {
  const at = 'concurrency';
  return {
    dynamicConcurrencyEnabled: readBool(s, 'dynamicConcurrencyEnabled', r, at) ?? false,
    snapshotPersistenceEnabled: readBool(s, 'snapshotPersistenceEnabled', r, at) ?? true,
    maximumFunctionConcurrency: readInt(s, 'maximumFunctionConcurrency', r, at, 1) ?? 500,
  };
}

function extensionBundle(raw: JsonObject, r: Reader): { id: string; version: string } | undefined {
  const bundle = caseless(raw, 'extensionBundle');
  if (bundle === undefined || bundle === null) return undefined;
  const at = `${r.file}:extensionBundle`;
  if (!isJsonObject(bundle)) {
    r.problems.push(warning(at, 'extensionBundle must be an object {id, version}; ignored'));
    return undefined;
  }
  const id = caseless(bundle, 'id');
  const version = caseless(bundle, 'version');
  if (typeof id !== 'string' || typeof version !== 'string') {
    r.problems.push(warning(at, 'extensionBundle needs string "id" and "version"; ignored'));
    return undefined;
  }
  const major = /^\[\s*(\d+)\./.exec(version)?.[1];
  if (major === undefined) {
    r.problems.push(warning(`${at}.version`, `${JSON.stringify(version)} is not a version range like "[4.*, 5.0.0)"; tide provides its bindings itself, so the bundle is not needed`));
  } else if (Number(major) < 4) {
    r.problems.push(
      warning(`${at}.version`, `bundle range ${JSON.stringify(version)} is from an older host (current hosts need "[4.*, 5.0.0)"); tide provides the bindings itself and accepts it`),
    );
  }
  return { id, version };
}
