// Options and events of the local process pool, and the environment each replica gets.
import type { BackoffPolicy } from './local-backoff.js';

/** What a replica runs instead of the runtime bundle: an executable and its arguments (run in the app folder). */
export interface ReplicaCommand {
  file: string;
  args: readonly string[];
}

/** Options of LocalProcessPool. */
export interface LocalProcessPoolOptions {
  /** The function app folder (becomes AzureWebJobsScriptRoot and the working directory). */
  appDir: string;
  /** App settings (local.settings.json Values), passed as environment variables. */
  settings: Readonly<Record<string, string>>;
  /** Path of the runtime bundle (dist/runtime/tide-host.mjs), run with this Node. One of bundle/command is required. */
  bundle?: string;
  /** Any other host command (e.g. `node bin/tide.js host`); used when no bundle is given. */
  command?: ReplicaCommand;
  /** TIDE_LOG_LEVEL of the replicas (default info). */
  logLevel?: string;
  /** Port of a replica; undefined (the default) means a free port. Local mode pins replica 0 to --port. */
  portFor?: (index: number) => number | undefined;
  /** Path answered with 200 once a replica serves (default /admin/host/ping). */
  readyPath?: string;
  /** A replica not ready after this long counts as a failed start and is killed (default 30 s). */
  readyTimeoutMs?: number;
  /** How often readiness is polled (default 100 ms). */
  pollIntervalMs?: number;
  /** SIGTERM → SIGKILL grace period on scale-in and close (default 30 s). */
  graceMs?: number;
  /** Restart back-off (default 1 s doubling to 30 s, reset after 60 s up). */
  backoff?: BackoffPolicy;
  /** After this many exits in a row a replica is reported as crash-looping (default 3). */
  crashLoopAfter?: number;
  /** Inherit this process's environment under the settings, as func start does (default true). */
  inheritEnv?: boolean;
  /** Lifecycle events, each with a readable `message`. */
  onEvent?: (event: PoolEvent) => void;
  /** Every output line of a replica, with its index. */
  onOutput?: (index: number, line: string, stream: 'stdout' | 'stderr') => void;
  /** Clock (epoch ms); tests may replace it. */
  now?: () => number;
}

/** Something that happened to the pool or one of its replicas. */
export type PoolEvent =
  | { type: 'scale'; from: number; to: number; reason: string; message: string }
  | { type: 'started'; index: number; pid: number | undefined; port: number; message: string }
  | { type: 'ready'; index: number; port: number; afterMs: number; message: string }
  | { type: 'stopped'; index: number; code: number | null; signal: string | null; forced: boolean; message: string }
  | { type: 'exited'; index: number; code: number | null; signal: string | null; beforeReady: boolean; consecutive: number; restartInMs: number; message: string }
  | { type: 'restarting'; index: number; restarts: number; message: string }
  | { type: 'crash-loop'; index: number; consecutive: number; lastOutput: readonly string[]; message: string };

/** Where one replica is in its life. */
export type ReplicaPhase = 'starting' | 'ready' | 'backoff' | 'stopping';

/** One replica as the pool sees it. */
export interface ReplicaStatus {
  index: number;
  phase: ReplicaPhase;
  pid: number | undefined;
  port: number | undefined;
  restarts: number;
}

/** Environment of replica `index`: inherited env (optional), app settings, then what the host needs. */
export function replicaEnv(
  options: Pick<LocalProcessPoolOptions, 'appDir' | 'settings' | 'logLevel' | 'inheritEnv'>,
  index: number,
  port: number,
  parentEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return {
    ...(options.inheritEnv === false ? { PATH: parentEnv.PATH } : parentEnv),
    ...options.settings,
    AzureWebJobsScriptRoot: options.appDir,
    PORT: String(port),
    TIDE_LOG_LEVEL: options.logLevel ?? 'info',
    TIDE_REPLICA_INDEX: String(index),
  };
}
