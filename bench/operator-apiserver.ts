// The fake API server of bench/operator in its own process, so the operator's RSS and CPU are measured
// alone: N Deployments at 0 replicas, each with a ScaledObject whose cron trigger is never active,
// 100 to a namespace (the fake's Deployment controller lists a namespace's ReplicaSets per reconcile).
// Talks to the parent over IPC: sends { kubeconfig } when ready; answers 'rss'; exits on 'stop'.
import { startFakeApiServer } from '../src/kube/testing/index.js';

const objects = Number(process.env['BENCH_OPERATOR_OBJECTS'] ?? '5000');
const server = await startFakeApiServer({ historySize: 50_000 });
const PER_NAMESPACE = 100;
for (let i = 0; i < objects; i++) {
  const name = `app-${i}`;
  const namespace = `bench-${Math.floor(i / PER_NAMESPACE)}`;
  if (i % PER_NAMESPACE === 0) server.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  server.cluster.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'worker', image: 'worker:1' }] } } },
  });
  server.cluster.create({
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace },
    spec: {
      scaleTargetRef: { name }, maxReplicaCount: 10,
      // Midnight on 1 January for a minute: inactive for the whole run, so nothing should change.
      triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 0 1 1 *', end: '1 0 1 1 *', desiredReplicas: '1' } }],
    },
  });
}
process.send?.({ kubeconfig: server.kubeconfig });
process.on('message', (message) => {
  if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss });
  if (message === 'stop') void server.stop().then(() => process.exit(0));
});
