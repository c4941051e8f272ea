// What the scale loop writes to: a Kubernetes /scale subresource or the local process pool. Kept this
// small so both can implement it and tests can record every write.

/** A scalable thing: read its size, set its size. */
export interface ScaleTarget {
  /** spec.replicas and the replicas counted as ready (Running and Ready pods, started processes). */
  getReplicas(): Promise<{ replicas: number; readyReplicas: number }>;
  /** Sets spec.replicas; `reason` is the decision's reason, for events and logs. */
  setReplicas(replicas: number, reason: string): Promise<void>;
}
