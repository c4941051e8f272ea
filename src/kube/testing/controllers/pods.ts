// The scheduler and kubelet of the fake: a new pod is bound to `fake-node` at once and turns Running
// and Ready `podStartDelayMs` later, unless its `fake.tide.dev/never-ready` annotation says "true".

import { kubeTime } from '../store.js';
import { type KubeObject, isRecord } from '../types.js';
import { type Controller, type ControllerContext, keyOf, podPhase, runController, splitKey } from './context.js';

const NODE = 'fake-node';

/** The status of a pod whose containers all started and passed readiness. */
function runningStatus(pod: KubeObject, now: string, ip: string): Record<string, unknown> {
  const containers = isRecord(pod.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers.filter(isRecord) : [];
  const cond = (type: string): Record<string, unknown> => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    phase: 'Running',
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    qosClass: 'BestEffort',
    containerStatuses: containers.map((c) => ({
      name: c.name, image: c.image, imageID: `fake://${String(c.image)}`, containerID: `fake://${String(pod.metadata.uid)}/${String(c.name)}`,
      ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
    })),
  };
}

/** Starts the pod lifecycle simulation. */
export function podLifecycle(ctx: ControllerContext): Controller {
  const { cluster } = ctx;
  const pods = cluster.type('v1', 'Pod');
  const readyAt = new Map<string, number>();
  let ipCounter = 1;
  return runController(ctx, 'pods', (e) => {
    if (e.gr !== 'pods') return [];
    if (e.type === 'DELETED') readyAt.delete(keyOf(e.object));
    return e.type === 'DELETED' ? [] : [keyOf(e.object)];
  }, (key, queue) => {
    const [ns, name] = splitKey(key);
    const pod = cluster.store.get(pods, ns, name);
    if (!pod || pod.metadata.deletionTimestamp !== undefined || podPhase(pod) !== 'Pending') return;
    const spec = isRecord(pod.spec) ? pod.spec : {};
    if (spec.nodeName === undefined) {
      cluster.store.update(pods, ns, name, { ...pod, spec: { ...spec, nodeName: NODE } });
      return;
    }
    if (pod.metadata.annotations?.['fake.tide.dev/never-ready'] === 'true') return;
    const now = cluster.clock();
    const due = readyAt.get(key) ?? now + ctx.timing.podStartDelayMs;
    readyAt.set(key, due);
    if (now < due) {
      queue.addAfter(key, due - now);
      return;
    }
    const ip = `10.244.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
    ipCounter += 1;
    cluster.store.update(pods, ns, name, { ...pod, status: runningStatus(pod, kubeTime(now), ip) }, { status: true });
  });
}
