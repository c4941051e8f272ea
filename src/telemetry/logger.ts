// Structured logs (pino): JSON lines on stderr, so stdout stays free for results. Messages and string
// fields pass through redact(), so a connection string that slips into a log line is masked.
import { pino, type Logger as PinoLogger } from 'pino';
import { redact } from './redact.js';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line (function name, invocation id, …). */
  child(fields: Record<string, unknown>): Logger;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

function clean(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]));
}

function wrap(logger: PinoLogger): Logger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    const extra = clean(fields);
    if (extra) logger[level](extra, redact(message));
    else logger[level](redact(message));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => wrap(logger.child(clean(fields) ?? {})) };
}

/** A logger writing JSON lines to `destination` (stderr by default). */
export function createLogger(options: { level?: LogLevel; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const base = pino({ level: options.level ?? 'info', ...(options.name ? { name: options.name } : {}) }, destination as pino.DestinationStream);
  return wrap(base);
}

/** A logger that drops everything (tests, quiet commands). */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silentLogger };
