// Who runs the controllers: every replica keeps its informers warm, only the leader reconciles, runs
// scale loops and writes. Without `--leader-elect` this replica simply leads. Losing the lease stops
// the controllers at once (the renew deadline is shorter than the lease, so this happens before any
// other replica may start) and then tells the caller; `tide operator` exits non-zero then, as
// controller-runtime does, so Kubernetes restarts it as a fresh candidate with clean state.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApi } from '../kube/api.js';
import { LeaderElector } from '../kube/leader-election.js';
import type { Logger } from '../telemetry/logger.js';

/** KEDA's Lease name (controller-runtime's LeaderElectionID). */
export const LEADER_ELECTION_LEASE = 'operator.keda.sh';

export interface LeaderElectionSettings {
  /** The operator's namespace (POD_NAMESPACE), where the Lease lives. */
  readonly namespace: string;
  /** Default `<hostname>_<uuid>`. */
  readonly identity?: string;
  /** controller-runtime's 15 s / 10 s / 2 s (KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION, _RENEW_DEADLINE, _RETRY_PERIOD). */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** The lease was lost and the controllers have stopped. */
  readonly onLost?: () => void;
}

export interface Leadership {
  leading(): boolean;
  /** Stops the controllers, then gives the lease up. */
  stop(): Promise<void>;
}

/** Starts the controllers now (no election) or once this replica holds the Lease. */
export function runWhenLeading(
  config: KubeConfig,
  settings: LeaderElectionSettings | undefined,
  log: Logger,
  controllers: { start: () => void; stop: () => Promise<void> },
): Leadership {
  let stopping: Promise<void> | undefined;
  const stopControllers = (): Promise<void> => (stopping ??= controllers.stop());
  if (settings === undefined) {
    controllers.start();
    return { leading: () => stopping === undefined, stop: stopControllers };
  }
  // Its own client and rate limit (as controller-runtime's lock client): renewals never queue behind status writes.
  const api = new KubeApi(config, { qps: 5, burst: 10, timeoutMs: settings.renewDeadlineMs ?? 10_000 });
  const elector = new LeaderElector(api, {
    namespace: settings.namespace,
    name: LEADER_ELECTION_LEASE,
    ...(settings.identity !== undefined ? { identity: settings.identity } : {}),
    ...(settings.leaseDurationMs !== undefined ? { leaseDurationMs: settings.leaseDurationMs } : {}),
    ...(settings.renewDeadlineMs !== undefined ? { renewDeadlineMs: settings.renewDeadlineMs } : {}),
    ...(settings.retryPeriodMs !== undefined ? { retryPeriodMs: settings.retryPeriodMs } : {}),
    onStartedLeading: () => {
      log.info('became the leader; starting the controllers', { lease: `${settings.namespace}/${LEADER_ELECTION_LEASE}` });
      controllers.start();
    },
    onStoppedLeading: () => {
      log.error('leader election lost; stopping the controllers', { lease: `${settings.namespace}/${LEADER_ELECTION_LEASE}` });
      void stopControllers().then(() => settings.onLost?.());
    },
    onError: (error) => { log.warn('leader election: could not read or renew the lease', { error: error instanceof Error ? error.message : String(error) }); },
  });
  log.info('waiting to become the leader', { lease: `${settings.namespace}/${LEADER_ELECTION_LEASE}`, identity: elector.identity });
  elector.start();
  return {
    leading: () => elector.isLeader(),
    async stop() {
      if (!elector.isLeader()) await elector.stop(); // no more campaigning while the controllers stop
      await stopControllers();
      await elector.stop();
    },
  };
}
