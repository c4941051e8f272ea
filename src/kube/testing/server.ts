// startFakeApiServer: the fake cluster on plain HTTP at 127.0.0.1, with its simulated controllers.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClusterOptions, FakeCluster } from './cluster.js';
import { type Controller, type ControllerFactory, type ControllerTiming } from './controllers/context.js';
import { builtinControllers } from './controllers/index.js';
import { hpaController } from './controllers/hpa.js';
import { KEDA_CRD_DIR, loadCrdDir } from './crds.js';
import type { ExternalMetricsOptions } from './external-metrics.js';
import { handleHttp } from './http.js';
import { kubeconfigFor } from './kubeconfig.js';
import type { KubeObject } from './types.js';

/**
 * Options of the fake. External metrics for the HPA controller come from the APIService
 * `v1beta1.external.metrics.k8s.io` (its Service resolved by `serviceUrl`, else by the APIService's
 * `fake.tide.dev/service-url` annotation), or from `externalMetrics` when that is given.
 */
export interface FakeApiServerOptions extends ClusterOptions, Partial<ControllerTiming>, ExternalMetricsOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Register the repository's KEDA CRDs (deploy/crds) at start; default true. */
  kedaCrds?: boolean;
  /** More CRDs to register at start. */
  crds?: KubeObject[];
  /** Interval of BOOKMARK events on watches that allow them; default 60,000 (the apiserver's order of magnitude). */
  bookmarkIntervalMs?: number;
  /**
   * Create the front-proxy CA and client certificate the aggregation proxy presents, and publish
   * kube-system/extension-apiserver-authentication (front-proxy.ts); default true.
   */
  frontProxy?: boolean;
  /** Run the built-in simulated controllers (GC, namespaces, workloads, pods, jobs, HPAs); default true. */
  builtinControllers?: boolean;
  /** Extra controllers. */
  controllers?: ControllerFactory[];
  /** A controller's reconcile threw (it is retried); default: ignore. */
  onControllerError?: (controller: string, key: string, err: unknown) => void;
}

/** A running fake API server. */
export interface FakeApiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Kubeconfig YAML for a cluster at `url` (context `tide-fake`, namespace default). */
  kubeconfig: string;
  /** Direct access to storage and types, for arranging and asserting in tests. */
  cluster: FakeCluster;
  /** Ends watches, stops controllers and closes the listener. */
  stop(): Promise<void>;
}

/** Starts the fake API server. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const cluster = new FakeCluster(options);
  const crds = [...(options.kedaCrds === false ? [] : loadCrdDir(KEDA_CRD_DIR)), ...(options.crds ?? [])];
  for (const crd of crds) cluster.create({ ...crd, apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
  // Loaded here: @peculiar/x509 costs `tide` commands that never start the fake ~100 ms.
  if (options.frontProxy !== false) await (await import('./front-proxy.js')).setUpFrontProxy(cluster);
  const watches = new Set<() => void>();
  let address = '127.0.0.1:0';
  const server = createServer((req, res) => {
    void handleHttp({
      cluster,
      watch: { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000 },
      address: () => address,
      trackWatch: (end) => {
        watches.add(end);
        return () => watches.delete(end);
      },
      aggregation: options,
    }, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => { resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const ctx = {
    cluster,
    timing: { podStartDelayMs: options.podStartDelayMs ?? 0, jobDurationMs: options.jobDurationMs ?? 0, hpaSyncPeriodMs: options.hpaSyncPeriodMs ?? 15_000 },
    onError: options.onControllerError ?? (() => undefined),
  };
  const builtins = options.builtinControllers === false ? [] : [...builtinControllers, hpaController(options)];
  const factories = [...builtins, ...(options.controllers ?? [])];
  const running: Controller[] = factories.map((f) => f(ctx));
  const url = `http://${address}`;
  return {
    url,
    port,
    kubeconfig: kubeconfigFor(url),
    cluster,
    async stop() {
      for (const c of running) c.stop();
      for (const end of [...watches]) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
