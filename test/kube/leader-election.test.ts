// Leader election against the fake API server's Leases: one of two candidates leads, the other takes
// over only after the first stopped renewing (and after it stopped leading), a lease taken under us
// ends our leadership, a 409 on the guarded update is a lost race and not an error, stop() releases.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { KubeApi } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { LeaderElector } from '../../src/kube/leader-election.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../src/kube/testing/index.js';

let server: FakeApiServer;
const electors: LeaderElector[] = [];
let seq = 0;

/** A client whose connection can be cut (the process hangs or is partitioned) or raced before its next update. */
class FlakyApi extends KubeApi {
  cut = false;
  beforeReplace: (() => void) | undefined;
  override async request(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    if (this.cut) throw new Error('connection cut by the test');
    if (method === 'PUT' && this.beforeReplace !== undefined) {
      const race = this.beforeReplace;
      this.beforeReplace = undefined;
      race();
    }
    return super.request(method, path, body, contentType);
  }
}

beforeAll(async () => {
  server = await startFakeApiServer({ builtinControllers: false });
});

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

afterAll(async () => {
  await server.stop();
});

interface Candidate {
  readonly elector: LeaderElector;
  readonly api: FlakyApi;
  readonly errors: unknown[];
}

function candidate(lease: string, name: string, log: string[]): Candidate {
  const api = new FlakyApi(loadClientConfig({ kubeconfigYaml: server.kubeconfig }), { qps: 0 });
  const errors: unknown[] = [];
  const elector = new LeaderElector(api, {
    namespace: 'default', name: lease, identity: name,
    leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100,
    onStartedLeading: () => log.push(`${name} started`),
    onStoppedLeading: () => log.push(`${name} stopped`),
    onError: (e) => errors.push(e),
  });
  electors.push(elector);
  return { elector, api, errors };
}

const leaseName = (): string => `operator.keda.sh-${++seq}`;
const lease = (name: string): KubeObject | undefined => server.cluster.get('coordination.k8s.io/v1', 'Lease', 'default', name);
const spec = (name: string): Record<string, unknown> => (lease(name)?.spec ?? {}) as Record<string, unknown>;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('LeaderElector', () => {
  test('one of two candidates leads; the other takes over only after the first stopped renewing and stopped leading', async () => {
    const name = leaseName();
    const log: string[] = [];
    const a = candidate(name, 'host-a_1', log);
    a.elector.start();
    await until(() => a.elector.isLeader(), 'a to lead');
    expect(spec(name)).toMatchObject({ holderIdentity: 'host-a_1', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(String(spec(name).renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const b = candidate(name, 'host-b_2', log);
    b.elector.start();
    await until(() => b.elector.leader() === 'host-a_1', 'b to see a as the holder');
    const renewed = String(spec(name).renewTime);
    await until(() => String(spec(name).renewTime) !== renewed, 'a to renew');
    expect(b.elector.isLeader()).toBe(false);

    a.api.cut = true; // a can no longer renew (hung, or cut off from the API server)
    await until(() => b.elector.isLeader(), 'b to take over');
    expect(log).toEqual(['host-a_1 started', 'host-a_1 stopped', 'host-b_2 started']);
    expect(a.elector.isLeader()).toBe(false);
    expect(spec(name)).toMatchObject({ holderIdentity: 'host-b_2', leaseTransitions: 1 });
  });

  test('a lease taken by someone else ends our leadership at the next renewal', async () => {
    const name = leaseName();
    const log: string[] = [];
    const a = candidate(name, 'host-a_1', log);
    a.elector.start();
    await until(() => a.elector.isLeader(), 'a to lead');
    const current = lease(name) as KubeObject;
    server.cluster.update({ ...current, spec: { ...spec(name), holderIdentity: 'intruder', renewTime: new Date().toISOString() } });
    await until(() => !a.elector.isLeader(), 'a to step down');
    expect(log).toEqual(['host-a_1 started', 'host-a_1 stopped']);
    expect(spec(name).holderIdentity).toBe('intruder');
  });

  test('a 409 on the guarded update is a lost race: no error, no leadership, and the winner keeps the lease', async () => {
    const name = leaseName();
    server.cluster.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'default' }, spec: { holderIdentity: '', leaseDurationSeconds: 1 } });
    const log: string[] = [];
    const a = candidate(name, 'host-a_1', log);
    // Between a's read and its update, another candidate takes the lease: a's resourceVersion is stale.
    a.api.beforeReplace = () => {
      const current = lease(name) as KubeObject;
      server.cluster.update({ ...current, spec: { holderIdentity: 'winner', leaseDurationSeconds: 60, renewTime: new Date().toISOString() } });
    };
    a.elector.start();
    await until(() => a.elector.leader() === 'winner', 'a to see the winner');
    expect(a.elector.isLeader()).toBe(false);
    expect(a.errors).toEqual([]);
    expect(log).toEqual([]);
    expect(spec(name).holderIdentity).toBe('winner');
  });

  test('two candidates racing for a new lease: exactly one leads', async () => {
    const name = leaseName();
    const log: string[] = [];
    const a = candidate(name, 'host-a_1', log);
    const b = candidate(name, 'host-b_2', log);
    a.elector.start();
    b.elector.start();
    await until(() => a.elector.leader() !== '' && b.elector.leader() !== '' && a.elector.leader() === b.elector.leader(), 'both to see one holder');
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(log).toEqual([`${a.elector.leader()} started`]);
  });

  test('stop() releases the lease (empty holder, one-second lease) and the standby takes it', async () => {
    const name = leaseName();
    const log: string[] = [];
    const a = candidate(name, 'host-a_1', log);
    a.elector.start();
    await until(() => a.elector.isLeader(), 'a to lead');
    await a.elector.stop();
    expect(spec(name).holderIdentity).toBeUndefined();
    expect(spec(name).leaseDurationSeconds).toBe(1);
    expect(log).toEqual(['host-a_1 started']); // stopping is not losing
    const b = candidate(name, 'host-b_2', log);
    b.elector.start();
    await until(() => b.elector.isLeader(), 'b to lead');
    expect(spec(name)).toMatchObject({ holderIdentity: 'host-b_2', leaseTransitions: 1 });
  });
});
