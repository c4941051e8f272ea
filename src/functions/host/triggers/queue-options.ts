// host.json `extensions.queues` for the Storage-queue trigger and output binding, with the defaults of
// the WebJobs Storage extension (v5), plus the polling back-off. Pure: the CPU count and the random
// number are parameters.
import { BindingConfigError } from '../contract.js';

/** The settings one queue listener runs with (durations in milliseconds). */
export interface QueueListenerOptions {
  readonly batchSize: number;
  /** Fetch the next batch once in-flight messages are at or below this. */
  readonly newBatchThreshold: number;
  readonly maxPollingIntervalMs: number;
  /** How long a failed message stays invisible before it is retried. */
  readonly visibilityTimeoutMs: number;
  readonly maxDequeueCount: number;
  readonly messageEncoding: 'base64' | 'none';
  /** The visibility a fetched message gets, renewed while its invocation runs (10 min in the real host). */
  readonly leaseMs: number;
}

/** The service's ceiling on messages per Get Messages call. */
export const MAX_BATCH_SIZE = 32;
/** The first back-off step and the floor of maxPollingInterval. */
export const MIN_POLLING_INTERVAL_MS = 100;
/** The real host's fetch visibility. */
export const DEFAULT_LEASE_MS = 10 * 60_000;
/** App setting that shortens the fetch lease (whole seconds), so kill tests need not wait ten minutes. */
export const LEASE_SETTING = 'TIDE_QUEUE_LEASE_SECONDS';

const WHERE = 'host.json extensions.queues';

/** Parses a .NET TimeSpan (`[d.]hh:mm:ss[.fffffff]`) to milliseconds, or undefined when it is not one. */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, days, hours, minutes, seconds, fraction] = match;
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours) * 3_600_000 +
    Number(minutes) * 60_000 +
    Number(seconds ?? 0) * 1_000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1_000);
  return minus ? -ms : ms;
}

function section(hostJson: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const extensions = hostJson['extensions'];
  if (typeof extensions !== 'object' || extensions === null) return {};
  // host.json keys are case-insensitive in the real host.
  const entry = Object.entries(extensions).find(([key]) => key.toLowerCase() === 'queues');
  const queues: unknown = entry?.[1];
  return typeof queues === 'object' && queues !== null ? (queues as Record<string, unknown>) : {};
}

function lookup(queues: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.entries(queues).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

function integer(queues: Readonly<Record<string, unknown>>, key: string, min: number, max: number): number | undefined {
  const raw = lookup(queues, key);
  if (raw === undefined || raw === null) return undefined;
  // AzureFunctionsJobHost__ overrides arrive as strings.
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BindingConfigError(`${WHERE}.${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function duration(queues: Readonly<Record<string, unknown>>, key: string, minMs: number): number | undefined {
  const raw = lookup(queues, key);
  if (raw === undefined || raw === null) return undefined;
  const ms = typeof raw === 'string' ? parseTimeSpan(raw) : undefined;
  if (ms === undefined) throw new BindingConfigError(`${WHERE}.${key} must be a TimeSpan "hh:mm:ss" (got ${JSON.stringify(raw)})`);
  if (ms < minMs) throw new BindingConfigError(`${WHERE}.${key} must be at least ${minMs} ms (got ${JSON.stringify(raw)})`);
  return ms;
}

/** The message encoding queue clients use (trigger and output binding alike): base64 unless host.json says none. */
export function queueMessageEncoding(hostJson: Readonly<Record<string, unknown>>): 'base64' | 'none' {
  const raw = lookup(section(hostJson), 'messageEncoding');
  if (raw === undefined || raw === null) return 'base64';
  const value = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (value !== 'base64' && value !== 'none') throw new BindingConfigError(`${WHERE}.messageEncoding must be "base64" or "none" (got ${JSON.stringify(raw)})`);
  return value;
}

/** The fetch lease: the setting TIDE_QUEUE_LEASE_SECONDS when set, else 10 minutes. */
export function queueLeaseMs(settings: Readonly<Record<string, string | undefined>>): number {
  const raw = settings[LEASE_SETTING];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LEASE_MS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 86_400) {
    throw new BindingConfigError(`app setting ${LEASE_SETTING} must be whole seconds from 1 to 604800 (got "${raw}")`);
  }
  return seconds * 1_000;
}

/** host.json `extensions.queues` with the extension's defaults; newBatchThreshold defaults to batchSize/2 × CPUs. */
export function queueListenerOptions(
  hostJson: Readonly<Record<string, unknown>>,
  settings: Readonly<Record<string, string | undefined>>,
  cpuCount: number,
): QueueListenerOptions {
  const queues = section(hostJson);
  const batchSize = integer(queues, 'batchSize', 1, MAX_BATCH_SIZE) ?? 16;
  return {
    batchSize,
    // -1 is the extension's "compute it" marker.
    newBatchThreshold: positiveOrDefault(integer(queues, 'newBatchThreshold', -1, 100_000), Math.floor(batchSize / 2) * Math.max(1, cpuCount)),
    maxPollingIntervalMs: duration(queues, 'maxPollingInterval', MIN_POLLING_INTERVAL_MS) ?? 60_000,
    visibilityTimeoutMs: duration(queues, 'visibilityTimeout', 0) ?? 0,
    maxDequeueCount: integer(queues, 'maxDequeueCount', 1, 100_000) ?? 5,
    messageEncoding: queueMessageEncoding(hostJson),
    leaseMs: queueLeaseMs(settings),
  };
}

function positiveOrDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value < 0 ? fallback : value;
}

/**
 * Delay before the next poll after `emptyPolls` consecutive empty or failed polls: 100 ms × 2^(n−1)
 * with ±20 % jitter (`random` in [0, 1)), capped at maxPollingInterval. Zero empty polls → no wait.
 */
export function pollDelayMs(emptyPolls: number, maxPollingIntervalMs: number, random: number): number {
  if (emptyPolls <= 0) return 0;
  const base = MIN_POLLING_INTERVAL_MS * 2 ** Math.min(emptyPolls - 1, 30);
  const jittered = base * (0.8 + 0.4 * random);
  return Math.round(Math.min(maxPollingIntervalMs, Math.max(MIN_POLLING_INTERVAL_MS, jittered)));
}

/** The poison queue of `queueName`, or undefined where the real host has none (already poison, or the name would pass 63 characters). */
export function poisonQueueName(queueName: string): string | undefined {
  if (queueName.endsWith('-poison')) return undefined;
  const name = `${queueName}-poison`;
  return name.length > 63 ? undefined : name;
}

/** Lower-cases and checks a queue name as the Storage extension does; a bad name is a BindingConfigError. */
export function normalizeQueueName(name: string, where: string): string {
  const lower = name.toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(lower) || lower.length < 3 || lower.length > 63) {
    throw new BindingConfigError(
      `${where}: queue name "${name}" is invalid (3–63 letters, digits and single hyphens, starting and ending with a letter or digit)`,
    );
  }
  return lower;
}
