// The functions host: loads an app, gives every function its invoker, output bindings and trigger
// listener (all through the one dispatch path), serves HTTP and the admin API, and drains on request
// or SIGTERM so that every message in flight is settled before the process exits.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../api/problems.js';
import type { FunctionDefinition } from '../../app/function-model.js';
import { loadFunctionApp, type FunctionApp } from '../../app/load-app.js';
import { appSettings, parseLocalSettings } from '../../app/local-settings.js';
import { outputFor } from './bindings/index.js';
import { BindingConfigError, type Dispatch, type FunctionInvoker, type HostContext, type HostLogger, type InvocationOutcome, type OutputBinding, type TriggerEvent, type TriggerListener } from './contract.js';
import { createDispatch, withRetryPolicy } from './dispatcher.js';
import type { DrainStatus, HostControl, HostState } from './http/host-control.js';
import { DEFAULT_KEYS_DIRECTORY } from './http/keys.js';
import { KeyStoreError } from './http/keys-kubernetes-client.js';
import { openKeyStore, type KeyStore } from './http/keys-store.js';
import { createHostMetrics, createMetricsRegistry } from './http/metrics.js';
import { startHttpServer, type RunningHttpServer } from './http/server.js';
import { V3Invoker } from './invoke-v3.js';
import { V4Invoker } from './invoke-v4.js';
import { triggerFor, triggerTypes } from './triggers/index.js';

export interface HostOptions {
  readonly scriptRoot: string;
  /** The environment the app sees (process.env for the CLI). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Read local.settings.json (`tide start`) or not (`tide host`, the container). */
  readonly localSettings: boolean;
  readonly port: number;
  readonly address?: string | undefined;
  /** Function keys required (`tide host`, `tide start --enableAuth`). */
  readonly authEnabled: boolean;
  readonly keysDirectory?: string | undefined;
  readonly cors?: { readonly origins: readonly string[]; readonly credentials?: boolean } | undefined;
  readonly log: HostLogger;
  readonly instanceId?: string | undefined;
  /** How long stop() lets in-flight invocations finish before abandoning them (their messages come back). */
  readonly drainGraceMs?: number | undefined;
  readonly now?: () => number;
  /** Called with the app settings before any function code loads (`tide start` copies them into process.env). */
  readonly onSettings?: (settings: Readonly<Record<string, string>>) => void;
}

/** The Functions host's answer to a request over maxOutstandingRequests: 429, through the function's http output. */
function throttled(fn: FunctionDefinition): InvocationOutcome {
  const output = fn.bindings.find((b) => b.direction === 'out' && b.type.toLowerCase() === 'http')?.name ?? '$return';
  const http = { http: { statusCode: '429', headers: {} } };
  return { status: 'success', response: output === '$return' ? { returnValue: http } : { outputData: [{ name: output, data: http }] } };
}

const RETRIED_TRIGGERS = new Set(['timertrigger', 'eventhubtrigger']);

/** The app could not start at all (no functions, or errors that stop every function). */
export class HostStartError extends Error {
  override readonly name = 'HostStartError';
}

interface RunningFunction {
  readonly fn: FunctionDefinition;
  readonly dispatch: Dispatch;
  readonly listener?: TriggerListener;
  readonly outputs: readonly OutputBinding[];
}

/** Formats an app problem as `file: key: message` for logs and /admin/host/status. */
export function describeProblem(p: Problem): string {
  return p.path === '' ? p.message : `${p.path}: ${p.message}`;
}

export class FunctionHost implements HostControl {
  private hostState: HostState = 'Starting';
  private draining: Promise<void> | undefined;
  private drainState: DrainStatus['state'] = 'Disabled';
  private readonly running = new Map<string, RunningFunction>();
  private readonly startErrors: string[] = [];
  private readonly metrics = createHostMetrics(createMetricsRegistry());
  private server: RunningHttpServer | undefined;
  private keyStore: KeyStore | undefined;
  private readonly http = { outstanding: 0, running: 0, waiting: [] as (() => void)[] };
  private constructor(
    private readonly app: FunctionApp,
    private readonly options: HostOptions,
    private readonly ctx: HostContext,
  ) {}

  /** Loads the app and starts everything; throws HostStartError when nothing can run. */
  static async start(options: HostOptions): Promise<FunctionHost> {
    if (options.onSettings && options.localSettings) {
      // App code may read process.env while it loads, so the settings go in before loadFunctionApp runs it.
      const text = await readFile(join(options.scriptRoot, 'local.settings.json'), 'utf8').catch(() => undefined);
      options.onSettings(appSettings(options.env, parseLocalSettings(text).settings));
    }
    const app = await loadFunctionApp(options.scriptRoot, options.env, { localSettings: options.localSettings });
    const errors = app.problems.filter((p) => p.severity === 'error');
    for (const p of app.problems.filter((p) => p.severity === 'warning')) options.log.warn(describeProblem(p));
    if (app.functions.length === 0) {
      throw new HostStartError(errors.length > 0 ? errors.map(describeProblem).join('\n') : `no functions found in ${app.root}`);
    }
    const ctx: HostContext = {
      settings: app.settings,
      hostJson: app.hostJson.raw,
      log: options.log,
      now: options.now ?? Date.now,
      instanceId: options.instanceId ?? randomUUID(),
    };
    const host = new FunctionHost(app, options, ctx);
    host.startErrors.push(...errors.map(describeProblem));
    await host.openKeys(); // before any listener starts: a refused keys Secret stops the start cleanly
    await host.startFunctions();
    await host.startServer();
    host.hostState = 'Running';
    return host;
  }

  /** The address HTTP functions and the admin API are served on. */
  get url(): string {
    return this.server?.url ?? '';
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  get functionApp(): FunctionApp {
    return this.app;
  }

  private async startFunctions(): Promise<void> {
    for (const fn of this.app.functions) {
      if (fn.disabled) continue;
      try {
        const running = await this.startFunction(fn);
        this.running.set(fn.name, running);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const prefix = `Function '${fn.name}': `;
        const message = text.startsWith(prefix) ? text : `${prefix}${text}`;
        this.startErrors.push(message);
        this.options.log.error(message, { function: fn.name });
      }
    }
    if (this.running.size === 0) throw new HostStartError(this.startErrors.join('\n') || 'every function is disabled');
  }

  private async startFunction(fn: FunctionDefinition): Promise<RunningFunction> {
    const log = this.options.log;
    const invoker = await this.invokerFor(fn);
    const outputs = new Map<string, OutputBinding>();
    for (const binding of fn.bindings) {
      if (binding.direction === 'in' || binding.type.toLowerCase() === 'http') continue;
      const definition = outputFor(binding.type);
      if (!definition) throw new BindingConfigError(`output binding type "${binding.type}" (${binding.name}) is not supported by tide`);
      outputs.set(binding.name, definition.create(binding, this.ctx));
    }
    const direct = createDispatch(fn, invoker, {
      outputs,
      timeoutMs: this.app.hostJson.functionTimeoutMs,
      now: this.ctx.now,
      observe: (f, invocationId, outcome, ms) => {
        this.metrics.invocationFinished(f.name, outcome.status, ms);
        if (outcome.status === 'failure') log.error(`Executed 'Functions.${f.name}' (Failed, Id=${invocationId}, Duration=${ms}ms): ${outcome.error.message}`, { function: f.name, invocationId });
        else log.info(`Executed 'Functions.${f.name}' (Succeeded, Id=${invocationId}, Duration=${ms}ms)`, { function: f.name, invocationId });
      },
    });
    // The host applies retry policies only to the triggers the Functions host applies them to; Kafka retries itself.
    const policy = fn.retry ?? this.app.hostJson.retry;
    const type = fn.trigger.type;
    const dispatch = policy && RETRIED_TRIGGERS.has(type.toLowerCase()) ? withRetryPolicy(direct, policy) : direct;
    if (type.toLowerCase() === 'httptrigger') return { fn, dispatch, outputs: [...outputs.values()] };
    const trigger = triggerFor(type);
    if (!trigger) throw new BindingConfigError(`trigger type "${type}" is not supported by tide (supported: httpTrigger, ${triggerTypes().join(', ')})`);
    const listener = trigger.create(fn, fn.trigger, this.ctx);
    await listener.start(dispatch);
    return { fn, dispatch, listener, outputs: [...outputs.values()] };
  }

  private async invokerFor(fn: FunctionDefinition): Promise<FunctionInvoker> {
    if (fn.source.model === 'v4') {
      if (!this.app.runtime) throw new Error('the v4 app did not load');
      return new V4Invoker(fn, this.app.runtime, { log: this.options.log });
    }
    const invoker = new V3Invoker(fn, { log: this.options.log });
    await invoker.load(); // report a broken script at start-up, not at the first message
    return invoker;
  }

  /** The key store the settings name (the Kubernetes keys Secret, or the keys directory and settings). */
  private async openKeys(): Promise<void> {
    const httpFunctions = this.app.functions.filter((f) => f.trigger.type.toLowerCase() === 'httptrigger').map((f) => f.name);
    try {
      this.keyStore = await openKeyStore({ settings: this.app.settings, keysDirectory: this.options.keysDirectory ?? DEFAULT_KEYS_DIRECTORY, httpFunctions, log: this.options.log, authEnabled: this.options.authEnabled });
    } catch (error) {
      if (error instanceof KeyStoreError) throw new HostStartError(`function keys: ${error.message}`);
      throw error;
    }
  }

  private async startServer(): Promise<void> {
    const keyStore = this.keyStore;
    if (!keyStore) throw new Error('the key store is opened before the server starts');
    this.server = await startHttpServer({
      host: this,
      log: this.options.log,
      hostJson: this.app.hostJson.raw,
      settings: this.app.settings,
      authEnabled: this.options.authEnabled,
      keyStore,
      metrics: this.metrics.registry,
      instanceId: this.ctx.instanceId,
      port: this.options.port,
      ...(this.options.address !== undefined ? { address: this.options.address } : {}),
      ...(this.options.cors ? { cors: this.options.cors } : {}),
    });
  }

  // ---- HostControl (the HTTP server and admin API) ----

  functions(): readonly FunctionDefinition[] {
    return this.app.functions;
  }

  /** Runs an HTTP function within host.json's extensions.http limits: 429 past maxOutstandingRequests, queued past maxConcurrentRequests. */
  async dispatchHttp(fn: FunctionDefinition, event: TriggerEvent): Promise<InvocationOutcome> {
    const running = this.running.get(fn.name);
    if (!running) return { status: 'failure', error: new Error(`function ${fn.name} is not running`) };
    const { maxOutstandingRequests, maxConcurrentRequests } = this.app.hostJson.http;
    if (maxOutstandingRequests !== undefined && this.http.outstanding >= maxOutstandingRequests) return throttled(fn);
    this.http.outstanding++;
    try {
      while (maxConcurrentRequests !== undefined && this.http.running >= maxConcurrentRequests) {
        await new Promise<void>((resolve) => this.http.waiting.push(resolve));
      }
      this.http.running++;
      try {
        return await running.dispatch(event);
      } finally {
        this.http.running--;
        this.http.waiting.shift()?.();
      }
    } finally {
      this.http.outstanding--;
    }
  }

  async invoke(fn: FunctionDefinition, input: string): Promise<unknown> {
    const running = this.running.get(fn.name);
    if (!running) throw new Error(`function ${fn.name} is not running`);
    return running.dispatch({ value: { string: input }, metadata: {} });
  }

  state(): HostState {
    return this.hostState;
  }

  errors(): readonly string[] {
    return this.startErrors;
  }

  /** Drain mode: listeners stop fetching and in-flight invocations finish and settle. */
  drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.drainState = 'InProgress';
    const listeners = [...this.running.values()].flatMap((r) => (r.listener ? [r.listener] : []));
    this.draining = Promise.allSettled(listeners.map((l) => l.drain())).then(() => {
      this.drainState = 'Completed';
    });
    return this.draining;
  }

  drainStatus(): DrainStatus {
    const outstanding = [...this.running.values()].reduce((n, r) => n + (r.listener?.inFlight ?? 0), 0);
    return { state: this.drainState, outstandingInvocations: outstanding, outstandingRetries: 0 };
  }

  async resume(): Promise<void> {
    await this.drain();
    for (const running of this.running.values()) await running.listener?.start(running.dispatch);
    this.draining = undefined;
    this.drainState = 'Disabled';
  }

  /** Drains (up to the grace period), stops listeners and the server, runs appTerminate hooks. */
  async stop(): Promise<void> {
    if (this.hostState === 'Stopping' || this.hostState === 'Stopped') return;
    this.hostState = 'Stopping';
    const grace = this.options.drainGraceMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        resolve('expired');
      }, grace);
    });
    const result = await Promise.race([this.drain().then(() => 'drained' as const), expired]);
    clearTimeout(timer);
    if (result === 'expired') this.options.log.warn(`drain did not finish within ${grace} ms; unsettled messages will be redelivered`);
    await Promise.allSettled([...this.running.values()].map(async (r) => {
      await r.listener?.stop();
      await Promise.allSettled(r.outputs.map((o) => (o.close ? o.close() : Promise.resolve())));
    }));
    await this.server?.close();
    this.keyStore?.close();
    await this.app.runtime?.terminate().catch((error: unknown) => {
      this.options.log.warn(`appTerminate hook failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.hostState = 'Stopped';
  }
}
