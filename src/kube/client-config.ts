// Loads a @kubernetes/client-node KubeConfig the way controller-runtime does for KEDA: --kubeconfig,
// else $KUBECONFIG, else the in-cluster service account, else ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigError } from './errors.js';

export interface ClientConfigOptions {
  /** --kubeconfig. */
  readonly kubeconfig?: string | undefined;
  /** Kubeconfig YAML (tests). */
  readonly kubeconfigYaml?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The KubeConfig to talk to the cluster with; KubeconfigError when none can be loaded. */
export function loadClientConfig(options: ClientConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  try {
    if (options.kubeconfigYaml !== undefined) kc.loadFromString(options.kubeconfigYaml);
    else if (options.kubeconfig !== undefined && options.kubeconfig !== '') kc.loadFromFile(options.kubeconfig);
    else if (env.KUBECONFIG !== undefined && env.KUBECONFIG !== '') kc.loadFromFile(env.KUBECONFIG.split(':')[0] ?? '');
    else if (env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(IN_CLUSTER_TOKEN)) kc.loadFromCluster();
    else if (existsSync(join(homedir(), '.kube', 'config'))) kc.loadFromFile(join(homedir(), '.kube', 'config'));
    else throw new KubeconfigError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  } catch (error) {
    if (error instanceof KubeconfigError) throw error;
    throw new KubeconfigError(`cannot load the kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new KubeconfigError(`the kubeconfig's current context "${kc.getCurrentContext()}" names no cluster`);
  // client-node 1.x refuses plain http unless TLS verification is off; there is no TLS to verify on
  // http (kubectl proxy, `tide dev apiserver`), so say so instead of failing.
  kc.clusters = kc.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c));
  return kc;
}
