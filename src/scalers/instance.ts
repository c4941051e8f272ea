// A running scaler for one trigger: the connection reused across polls, a timeout on every call,
// errors that name the trigger and never carry a secret, and KEDA's activity rule. The scale loop,
// `tide scaler get` and the metrics adapter all read scalers through this one class.

import { milliFromFloat } from '../api/quantity.js';
import type { ConnectContext, MetricSpec, ParseResult, Reading } from './define.js';
import type { AnyScaler } from './index.js';

/** KEDA's default timeout for one call to a source (KEDA_HTTP_DEFAULT_TIMEOUT). */
export const DEFAULT_SCALER_TIMEOUT_MS = 3000;

/** Which trigger a scaler serves, for error messages: `trigger 0 (azure-queue)`. */
export interface TriggerIdentity {
  readonly index: number;
  readonly type: string;
  readonly name?: string | undefined;
}

export interface ScalerOptions {
  readonly trigger: TriggerIdentity;
  readonly metadata: Readonly<Record<string, string>>;
  readonly scaledObject?: { readonly name: string; readonly namespace: string };
  readonly timeoutMs?: number;
}

/** One metric value as the HPA is served it, with the trigger's activity. */
export interface MetricReading {
  readonly metricName: string;
  readonly valueMilli: number;
  readonly active: boolean;
}

/**
 * A failed call to a source: the message names the trigger and carries no secret. Scalers may throw
 * one themselves to say which kind of failure it is; the trigger label is added here.
 */
export class ScalerError extends Error {
  override readonly name = 'ScalerError';

  constructor(
    message: string,
    /** `unreachable`: connecting failed or timed out; `read`: the source answered with a problem. */
    readonly kind: 'unreachable' | 'read',
  ) {
    super(message);
  }
}

type Parsed = Extract<ParseResult<unknown>, { ok: true }>;

/** A label such as `trigger 0 (azure-queue)` or `trigger "orders" (azure-queue)`. */
export function triggerLabel(trigger: TriggerIdentity): string {
  return trigger.name ? `trigger "${trigger.name}" (${trigger.type})` : `trigger ${trigger.index} (${trigger.type})`;
}

export class ScalerInstance {
  private connection: Promise<unknown> | undefined;
  private isClosed = false;
  /** Calls under way, with the function that aborts each one. */
  private readonly inflight = new Map<AbortController, (error: ScalerError) => void>();
  private readonly timeoutMs: number;
  private readonly label: string;

  constructor(
    private readonly scaler: AnyScaler,
    private readonly parsed: Parsed,
    private readonly options: ScalerOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? Math.max(DEFAULT_SCALER_TIMEOUT_MS, ownTimeoutMs(parsed.params));
    this.label = triggerLabel(options.trigger);
  }

  /** The metric specs the trigger contributes to the HPA. */
  get metricSpecs(): readonly MetricSpec[] {
    return this.parsed.metricSpecs;
  }

  /** Reads the source once; throws ScalerError on failure (the caller counts it for fallback). */
  async getMetricsAndActivity(now: number): Promise<MetricReading> {
    const spec = this.parsed.metricSpecs[0];
    const read = this.scaler.read;
    if (!spec || !read) throw new ScalerError(`${this.label}: tide cannot read this scaler's values`, 'read');
    const connection = await this.connect();
    try {
      const reading = await this.withTimeout('read', (signal) =>
        read(connection as never, this.parsed.params as never, { ...this.context(signal), now, metricName: spec.metricName }),
      );
      return toMetricReading(spec, reading);
    } catch (error) {
      // Like KEDA's cache rebuilding a failed scaler: the next poll starts from a fresh connection.
      await this.dropConnection();
      throw this.toScalerError(error, 'read');
    }
  }

  /** Closes the connection; later reads fail. */
  async close(): Promise<void> {
    this.isClosed = true;
    for (const stop of this.inflight.values()) stop(new ScalerError('the scaler was closed', 'read'));
    await this.dropConnection();
  }

  private connect(): Promise<unknown> {
    const connect = this.scaler.connect;
    if (!connect) return Promise.resolve(undefined);
    this.connection ??= this.withTimeout('connect', (signal) => Promise.resolve(connect(this.parsed.params as never, this.context(signal)))).catch(
      (error: unknown) => {
        this.connection = undefined;
        throw this.toScalerError(error, 'unreachable');
      },
    );
    return this.connection;
  }

  private async dropConnection(): Promise<void> {
    const pending = this.connection;
    this.connection = undefined;
    const close = this.scaler.close;
    if (!pending || !close) return;
    const connection = await pending.catch(() => undefined);
    if (connection !== undefined) await Promise.resolve(close(connection as never)).catch(() => undefined);
  }

  private context(signal: AbortSignal): ConnectContext {
    return {
      signal,
      timeoutMs: this.timeoutMs,
      metadata: this.options.metadata,
      scaledObject: this.options.scaledObject ?? { name: '', namespace: '' },
    };
  }

  /** Runs one call with a deadline; closing the scaler aborts it too. A timer per call, not AbortSignal.timeout/any: polls are a hot path. */
  private async withTimeout<T>(what: 'connect' | 'read', call: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
    if (this.isClosed) throw new ScalerError('the scaler is closed', 'read');
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      const stop = (error: ScalerError): void => {
        controller.abort(error);
        reject(error);
      };
      timer = setTimeout(() => {
        stop(new ScalerError(`${what} timed out after ${this.timeoutMs} ms`, 'unreachable'));
      }, this.timeoutMs);
      this.inflight.set(controller, stop);
    });
    try {
      return await Promise.race([call(controller.signal), stopped]);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  /** Labels any failure with the trigger and scrubs secrets; a ScalerError thrown by a scaler keeps its kind. */
  private toScalerError(error: unknown, fallbackKind: ScalerError['kind']): ScalerError {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof ScalerError ? error.kind : isNetworkError(error) ? 'unreachable' : fallbackKind;
    return new ScalerError(`${this.label}: ${scrubSecrets(message, this.parsed.secrets)}`, kind);
  }
}

/** A scaler's own `timeout` parameter (milliseconds, e.g. prometheus, rabbitmq, metrics-api) may allow a call longer than the default. */
function ownTimeoutMs(params: unknown): number {
  const timeout = typeof params === 'object' && params !== null ? (params as { timeout?: unknown }).timeout : undefined;
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? timeout : 0;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** A failure to reach the source at all (refused, reset, no route, DNS), also when wrapped as fetch's `cause`. */
export function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Replaces every secret value (3+ characters) in a message with ***. */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 3).reduce((text, secret) => text.split(secret).join('***'), message);
}

function toMetricReading(spec: MetricSpec, reading: Reading): MetricReading {
  const valueMilli = milliFromFloat(reading.value);
  return { metricName: spec.metricName, valueMilli, active: reading.active ?? valueMilli > spec.activationMilli };
}
