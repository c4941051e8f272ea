// A running `tide up`: the operator's scale loop with local processes as the scale target. Holds the
// pieces in the order they must start and stop — development storage, the scaled replicas, the one
// HTTP replica, the loop, the admin server that `tide explain` asks — so a failure at any point
// leaves nothing running.
import type { LoopDecision } from '../engine/loop-decisions.js';
import { scalerInstanceFactory } from '../engine/loop-scalers.js';
import { ScaleLoop, type LoopMode } from '../engine/loop.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { LocalProcessPool, type PoolEvent, type ReplicaStatus } from '../targets/local-process-pool.js';
import { ensureDevelopmentStorage, type DevelopmentStorage } from './development-storage.js';
import { explainContext, type ExplainContext } from './explain.js';
import { startUpAdmin, type UpAdmin } from './up-admin.js';
import { LocalUpError, type UpPlan } from './up-plan.js';
import { removeUpState, writeUpState } from './up-state.js';

export interface LocalUpOptions {
  /** keda (default in the CLI): predicts the cluster; direct: the HPA step at each poll, no scale-up limit. */
  readonly mode: LoopMode;
  /** Port of the HTTP replica (func start's 7071). */
  readonly port: number;
  /** The runtime bundle each replica runs. */
  readonly bundle: string;
  readonly hpaSyncPeriodMs?: number;
  /** SIGTERM → SIGKILL grace of a draining replica (default 30 s). */
  readonly graceMs?: number;
  readonly readyTimeoutMs?: number;
  /** TIDE_LOG_LEVEL of the replicas (default info). */
  readonly replicaLogLevel?: string;
  /** Write `.tide/up.json` for `tide explain` (default true). */
  readonly writeState?: boolean;
  readonly log?: Logger;
  readonly onDecision?: (decision: LoopDecision) => void;
  /** Replica lifecycle (pool events) and storage messages, each with readable words. */
  readonly onEvent?: (event: UpEvent) => void;
  /** Replica output lines; `replica` is "0", "1", … or "http". */
  readonly onOutput?: (replica: string, line: string, stream: 'stdout' | 'stderr') => void;
}

/** Something that happened in the run besides a decision. */
export type UpEvent = { readonly source: 'replicas' | 'http'; readonly event: PoolEvent; readonly message: string } | { readonly source: 'storage'; readonly message: string };

/** What the live view and `tide explain` read of a run. */
export interface UpStatus {
  readonly startedAt: number;
  readonly mode: LoopMode;
  readonly scaledObject: { readonly name: string; readonly namespace: string; readonly source: UpPlan['source'] };
  readonly pollingInterval: number;
  readonly replicas: readonly ReplicaStatus[];
  /** Replicas scaled away that are still finishing their invocations. */
  readonly draining: number;
  readonly restarts: number;
  readonly http?: { readonly url: string; readonly functions: readonly string[]; readonly replica: ReplicaStatus | undefined };
  readonly lastDecision?: LoopDecision;
  readonly explain: Omit<ExplainContext, 'clock'>;
}

/** Environment every replica gets on top of the app settings: key checks off, as `func start` runs. */
const LOCAL_HOST_SETTINGS = { TIDE_AUTH_ENABLED: 'false', AZURE_FUNCTIONS_ENVIRONMENT: 'Development' };

function functionFilter(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [`AzureFunctionsJobHost__functions__${i}`, name]));
}

export class LocalUp {
  readonly startedAt = Date.now();
  private admin: UpAdmin | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly plan: UpPlan,
    readonly loop: ScaleLoop,
    readonly pool: LocalProcessPool,
    private readonly httpPool: LocalProcessPool | undefined,
    private readonly storage: DevelopmentStorage,
    private readonly options: LocalUpOptions,
  ) {}

  /** Starts everything; throws LocalUpError (with nothing left running) when the run cannot start. */
  static async start(plan: UpPlan, options: LocalUpOptions): Promise<LocalUp> {
    const log = options.log ?? silentLogger;
    const storage = await ensureDevelopmentStorage(plan.developmentStorage).catch((error: unknown) => {
      throw new LocalUpError(error instanceof Error ? error.message : String(error));
    });
    if (storage.kind === 'embedded') options.onEvent?.({ source: 'storage', message: `started Azurite in process (blob ${storage.azurite.blobPort}, queue ${storage.azurite.queuePort}, in memory) for ${plan.developmentStorage.join(', ')}` });
    if (storage.kind === 'existing') options.onEvent?.({ source: 'storage', message: `using the Azurite already running on ports ${storage.ports.join(', ')}` });
    const stopStorage = async (): Promise<void> => {
      if (storage.kind === 'embedded') await storage.azurite.stop();
    };

    const split = plan.httpFunctions.length > 0;
    const common = {
      appDir: plan.app.root,
      bundle: options.bundle,
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
      ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
      ...(options.replicaLogLevel !== undefined ? { logLevel: options.replicaLogLevel } : {}),
    };
    const pool = new LocalProcessPool({
      ...common,
      settings: { ...plan.settings, ...LOCAL_HOST_SETTINGS, ...(split ? functionFilter(plan.scaledFunctions) : {}) },
      onEvent: (event) => options.onEvent?.({ source: 'replicas', event, message: event.message }),
      onOutput: (index, line, stream) => options.onOutput?.(String(index), line, stream),
    });
    const loop = new ScaleLoop(plan.scaledObject, pool, {
      mode: options.mode,
      log,
      scalers: scalerInstanceFactory({ inputs: (trigger) => plan.triggerInputs.get(trigger.index) ?? {} }),
      ...(options.hpaSyncPeriodMs !== undefined ? { hpaSyncPeriodMs: options.hpaSyncPeriodMs } : {}),
      ...(options.onDecision ? { onDecision: options.onDecision } : {}),
    });
    if (loop.problems.length > 0) {
      await Promise.all([loop.stop(), pool.close(), stopStorage()]);
      throw new LocalUpError(`cannot read the triggers:\n  ${loop.problems.join('\n  ')}`);
    }

    let httpPool: LocalProcessPool | undefined;
    let up: LocalUp | undefined;
    try {
      if (split && plan.scaledFunctions.length === 0 && plan.scaledObject.spec.triggers.length === 0) {
        throw new LocalUpError('nothing to scale: the app has only HTTP functions');
      }
      if (split) {
        httpPool = new LocalProcessPool({
          ...common,
          settings: { ...plan.settings, ...LOCAL_HOST_SETTINGS, ...functionFilter(plan.httpFunctions) },
          portFor: () => options.port,
          onEvent: (event) => options.onEvent?.({ source: 'http', event, message: event.message.replace(/^replica 0/, 'HTTP replica') }),
          onOutput: (_index, line, stream) => options.onOutput?.('http', line, stream),
        });
        await httpPool.setReplicas(1, 'HTTP functions run unscaled in one replica');
      }
      const running = new LocalUp(plan, loop, pool, httpPool, storage, options);
      up = running;
      running.admin = await startUpAdmin({ status: () => running.status(), decisions: (since) => loop.decisions(since) });
      if (options.writeState !== false) {
        const settings = loop.settings;
        await writeUpState(plan.app.root, { pid: process.pid, adminUrl: running.admin.url, startedAt: new Date(running.startedAt).toISOString(), scaledObject: `${settings.namespace}/${settings.name}`, mode: options.mode });
      }
      loop.start();
      return running;
    } catch (error) {
      await Promise.allSettled([loop.stop(), pool.close(), httpPool?.close(), up?.admin?.close(), stopStorage()]);
      throw error;
    }
  }

  /** The admin server's URL (what `.tide/up.json` records). */
  get adminUrl(): string | undefined {
    return this.admin?.url;
  }

  status(): UpStatus {
    const settings = this.loop.settings;
    const last = this.loop.decisions().at(-1);
    return {
      startedAt: this.startedAt,
      mode: this.options.mode,
      scaledObject: { name: settings.name, namespace: settings.namespace, source: this.plan.source },
      pollingInterval: settings.pollingIntervalMs / 1000,
      replicas: this.pool.status(),
      draining: this.pool.draining,
      restarts: this.pool.restarts,
      ...(this.httpPool ? { http: { url: `http://localhost:${this.options.port}`, functions: this.plan.httpFunctions, replica: this.httpPool.status()[0] } } : {}),
      ...(last !== undefined ? { lastDecision: last } : {}),
      explain: explainContext(settings, this.options.mode),
    };
  }

  /** Stops scaling, drains every replica, then stops the admin server and development storage. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.loop.stop();
      await Promise.allSettled([this.pool.close(), this.httpPool?.close()]);
      await this.admin?.close();
      if (this.options.writeState !== false) await removeUpState(this.plan.app.root, process.pid).catch(() => undefined);
      if (this.storage.kind === 'embedded') await this.storage.azurite.stop();
    })();
    return this.stopping;
  }
}
