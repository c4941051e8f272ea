import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ControllerFactory, startFakeApiServer } from '../../../src/kube/testing/index.js';

describe('startFakeApiServer', () => {
  it('gives a kubeconfig whose current context points at the server url', async () => {
    const s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    const kc = parse(s.kubeconfig) as { 'current-context': string; clusters: { name: string; cluster: { server: string } }[] };
    expect(kc.clusters.find((c) => c.name === kc['current-context'])?.cluster.server).toBe(s.url);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s.stop();
  });

  it('runs extra controllers (the HPA hook) with the cluster and timing, and stops them', async () => {
    const seen: string[] = [];
    let stopped = false;
    const probe: ControllerFactory = (ctx) => {
      const off = ctx.cluster.store.subscribe((e) => { if (e.gr === 'horizontalpodautoscalers.autoscaling') seen.push(`${e.type} ${e.object.metadata.name ?? ''} ${ctx.timing.podStartDelayMs}`); });
      return { name: 'probe', stop() { off(); stopped = true; } };
    };
    const s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false, controllers: [probe], podStartDelayMs: 7 });
    s.cluster.create({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' }, spec: { maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } } });
    await s.stop();
    expect(seen).toEqual(['ADDED h 7']);
    expect(stopped).toBe(true);
  });
});
