// The cluster an end-to-end suite runs against: the in-repo fake API server, or — when
// TIDE_TEST_KUBECONFIG names a kubeconfig file — that cluster, reached only through its API. Suites
// read and write through this interface, so the same tests run unchanged on both; the few that
// exercise the fake's own simulation skip on a real cluster (`REAL_CLUSTER`). Each suite runs its own
// operator over the whole cluster, so against one cluster run the files one at a time:
//   TIDE_TEST_KUBECONFIG=~/.kube/config npx vitest run --no-file-parallelism test/e2e/operator.test.ts test/e2e/kubectl.test.ts
import { readFileSync } from 'node:fs';
import { KubeApi, type KubeObject as ApiObject } from '../../src/kube/api.js';
import { loadClientConfig } from '../../src/kube/client-config.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { startFakeApiServer, type FakeApiServerOptions, type KubeObject } from '../../src/kube/testing/index.js';

/** The kubeconfig of a real cluster to run against, when set. */
export const TEST_KUBECONFIG = process.env['TIDE_TEST_KUBECONFIG'] !== undefined && process.env['TIDE_TEST_KUBECONFIG'] !== '' ? process.env['TIDE_TEST_KUBECONFIG'] : undefined;
export const REAL_CLUSTER = TEST_KUBECONFIG !== undefined;

export interface TestCluster {
  /** kubeconfig YAML for the operator under test. */
  readonly kubeconfig: string;
  create(object: KubeObject): Promise<KubeObject>;
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace: string): Promise<KubeObject[]>;
  /** Read, change, write back; retried when someone else (the operator) wrote in between. */
  modify(apiVersion: string, kind: string, namespace: string, name: string, change: (object: KubeObject) => KubeObject): Promise<void>;
  delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The fake with `fakeOptions`, or the TIDE_TEST_KUBECONFIG cluster (which ignores them). */
export async function startTestCluster(fakeOptions: FakeApiServerOptions = {}): Promise<TestCluster> {
  if (TEST_KUBECONFIG !== undefined) return realCluster(readFileSync(TEST_KUBECONFIG, 'utf8'));
  const server = await startFakeApiServer(fakeOptions);
  const { cluster } = server;
  return {
    kubeconfig: server.kubeconfig,
    create: (object) => Promise.resolve(cluster.create(object)),
    get: (apiVersion, kind, namespace, name) => Promise.resolve(cluster.get(apiVersion, kind, namespace, name)),
    list: (apiVersion, kind, namespace) => Promise.resolve(cluster.list(apiVersion, kind, namespace)),
    modify: (apiVersion, kind, namespace, name, change) => {
      const current = cluster.get(apiVersion, kind, namespace, name);
      if (current === undefined) return Promise.reject(new Error(`${kind} ${namespace}/${name} not found`));
      cluster.update(change(current));
      return Promise.resolve();
    },
    delete: (apiVersion, kind, namespace, name) => {
      cluster.delete(apiVersion, kind, namespace, name);
      return Promise.resolve();
    },
    stop: () => server.stop(),
  };
}

// The client's object type is looser than the fake's (ownerReferences are untyped records there).
const fromApi = (object: ApiObject): KubeObject => object as unknown as KubeObject;

function realCluster(kubeconfig: string): TestCluster {
  const api = new KubeApi(loadClientConfig({ kubeconfigYaml: kubeconfig }), { qps: 0 });
  return {
    kubeconfig,
    create: async (object) => fromApi(await api.create(object)),
    get: async (apiVersion, kind, namespace, name) => {
      const object = await api.get(apiVersion, kind, namespace, name);
      return object === undefined ? undefined : fromApi(object);
    },
    list: async (apiVersion, kind, namespace) => (await api.list(apiVersion, kind, namespace)).items.map(fromApi),
    async modify(apiVersion, kind, namespace, name, change) {
      for (let attempt = 0; ; attempt++) {
        const current = await api.get(apiVersion, kind, namespace, name);
        if (current === undefined) throw new Error(`${kind} ${namespace}/${name} not found`);
        try {
          await api.replace({ ...change(fromApi(current)), apiVersion, kind });
          return;
        } catch (error) {
          if (!(error instanceof KubeApiError && error.status === 409) || attempt >= 10) throw error;
        }
      }
    },
    async delete(apiVersion, kind, namespace, name) {
      await api.delete(apiVersion, kind, namespace, name);
    },
    stop: () => Promise.resolve(),
  };
}
