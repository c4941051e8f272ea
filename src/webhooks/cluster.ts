// What the webhook needs to know about the cluster, as a small interface: the checks in
// cluster-checks.ts read it, kube-cluster.ts answers it from the API server, and tests can answer it
// from the fake API server through the same implementation.
import type { KubeObject, ResourceInfo } from '../kube/api.js';

export type { KubeObject, ResourceInfo };

export interface WebhookCluster {
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
