// What KEDA's cluster checks need to know about the cluster, as a small interface: the checks in
// cluster-checks.ts read it; the webhooks answer it from the API server (webhooks/kube-cluster.ts),
// the operator from its caches (operator/shared-target.ts), tests from the fake API server.
import type { KubeObject, ResourceInfo } from '../kube/api.js';

export type { KubeObject, ResourceInfo };

export interface ClusterView {
  /** The REST mapping of apiVersion + kind (a RESTMapper lookup), or undefined when the server does not serve it. */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;
  /** The ScaledObjects of a namespace. */
  scaledObjects(namespace: string): Promise<KubeObject[]>;
  /** The HorizontalPodAutoscalers (autoscaling/v2) of a namespace. */
  horizontalPodAutoscalers(namespace: string): Promise<KubeObject[]>;
  /** The LimitRanges of a namespace. */
  limitRanges(namespace: string): Promise<KubeObject[]>;
  /** One object, or undefined when it does not exist. */
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined>;
}
