// ClusterView over the Kubernetes API (the operator's KubeApi: client-node's credentials,
// discovery for the REST mapping). No informer cache: the webhook answers a handful of requests per
// object change, and reading live keeps it right the moment after another ScaledObject was created.
import type { KubeApi } from '../kube/api.js';
import { KEDA_API_VERSION } from '../api/kinds.js';
import type { ClusterView, KubeObject, ResourceInfo } from '../engine/cluster-view.js';

export class KubeWebhookCluster implements ClusterView {
  constructor(private readonly api: KubeApi) {}

  resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    return this.api.resourceFor(apiVersion, kind);
  }

  async scaledObjects(namespace: string): Promise<KubeObject[]> {
    return (await this.api.list(KEDA_API_VERSION, 'ScaledObject', namespace)).items;
  }

  async horizontalPodAutoscalers(namespace: string): Promise<KubeObject[]> {
    return (await this.api.list('autoscaling/v2', 'HorizontalPodAutoscaler', namespace)).items;
  }

  async limitRanges(namespace: string): Promise<KubeObject[]> {
    return (await this.api.list('v1', 'LimitRange', namespace)).items;
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.api.get(apiVersion, kind, namespace, name);
  }
}
