// Two `tide operator` replicas with --leader-elect on one fake cluster: only the leader reconciles
// (the standby's informers are warm but it writes nothing); when the leader stops, the standby takes
// the Lease operator.keda.sh and reconciles what came meanwhile. Also the flags and KEDA's variables.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readOperatorFlags } from '../../src/cli/operator.js';
import { InputError, type CliIO } from '../../src/cli/io.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/kube/testing/index.js';
import { startOperator, type RunningOperator } from '../../src/operator/operator.js';

let server: FakeApiServer;
const running: RunningOperator[] = [];

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
  server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
});

afterAll(async () => {
  await Promise.all(running.map((o) => o.stop()));
  await server.stop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function replica(identity: string): Promise<RunningOperator> {
  const operator = await startOperator({
    config: loadClientConfig({ kubeconfigYaml: server.kubeconfig }), qps: 0, version: 'test',
    leaderElection: { namespace: 'keda', identity, leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 },
  });
  running.push(operator);
  return operator;
}

function scaledObject(name: string): void {
  server.cluster.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'w', image: 'w:1' }] } } },
  });
  server.cluster.create({
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: 'default' },
    spec: { scaleTargetRef: { name }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 0 1 1 *', end: '1 0 1 1 *', desiredReplicas: '1' } }] },
  });
}

const finalizers = (name: string): string[] | undefined => server.cluster.get('keda.sh/v1alpha1', 'ScaledObject', 'default', name)?.metadata.finalizers;
const holder = (): unknown => (server.cluster.get('coordination.k8s.io/v1', 'Lease', 'keda', 'operator.keda.sh')?.spec as { holderIdentity?: unknown } | undefined)?.holderIdentity;

describe('tide operator with --leader-elect', () => {
  test('only the leader reconciles; the standby takes over when the leader stops', async () => {
    const a = await replica('replica-a');
    await until(() => a.leading(), 'a to lead');
    const b = await replica('replica-b');
    scaledObject('first');
    await until(() => finalizers('first') !== undefined, 'the leader to reconcile');
    expect(holder()).toBe('replica-a');
    await until(() => b.queue.length === 1, 'the standby to see the object (queued, not reconciled)');
    expect(b.leading()).toBe(false);
    expect(b.status.writes).toBe(0);
    expect(b.controller.loops.size).toBe(0);
    expect(b.api.requests.get('PATCH') ?? 0).toBe(0);

    await a.stop(); // releases the lease
    expect(a.controller.loops.size).toBe(0);
    scaledObject('second');
    await until(() => b.leading(), 'b to lead');
    await until(() => finalizers('second') !== undefined, 'the new leader to reconcile');
    expect(holder()).toBe('replica-b');
    await until(() => b.controller.loops.size === 2, 'both loops on the new leader');
  });
});

describe('tide operator flags', () => {
  const io = (env: Record<string, string>): CliIO => ({ stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: '/', env });

  test('--leader-elect: the Lease in POD_NAMESPACE with controller-runtime\'s timings, or KEDA\'s variables', () => {
    expect(readOperatorFlags([], io({})).leaderElection).toBeUndefined();
    expect(readOperatorFlags(['--leader-elect'], io({ POD_NAMESPACE: 'tide-system' })).leaderElection)
      .toEqual({ namespace: 'tide-system', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(readOperatorFlags(['--leader-elect'], io({ KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION: '1m', KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE: '30s', KEDA_OPERATOR_LEADER_ELECTION_RETRY_PERIOD: '500ms' })).leaderElection)
      .toEqual({ namespace: 'keda', leaseDurationMs: 60_000, renewDeadlineMs: 30_000, retryPeriodMs: 500 });
  });

  test('bad leader election timings name the variable', () => {
    expect(() => readOperatorFlags(['--leader-elect'], io({ KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION: 'soon' }))).toThrow(new InputError('KEDA_OPERATOR_LEADER_ELECTION_LEASE_DURATION must be a duration like 15s or 1m, got "soon"'));
    expect(() => readOperatorFlags(['--leader-elect'], io({ KEDA_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE: '20s' }))).toThrow(/RENEW_DEADLINE must be shorter than the lease duration/);
  });
});
