// The metrics service: how the metrics adapter asks the operator for a ScaledObject's metric (KEDA's
// api.MetricsService/GetMetrics). The operator answers from its running scale loops, never from a
// second implementation; the adapter holds no scalers. The transport (gRPC over mTLS) is elsewhere:
// src/engine/metrics-service-grpc.ts and src/operator/metrics-service-server.ts.

import type { ScaleLoop } from './loop.js';

/** One request: a metric of a ScaledObject. */
export interface MetricRef {
  readonly namespace: string;
  readonly name: string;
  readonly metricName: string;
}

/** One value as the HPA is served it. */
export interface MetricValue {
  readonly metricName: string;
  readonly valueMilli: number;
  /** Epoch ms of the read. */
  readonly timestamp: number;
}

/** NotFound: no such ScaledObject (or not scaled now) or no such metric; Failed: the scaler's error; Unavailable: the operator cannot be reached. */
export type MetricsServiceErrorCode = 'NotFound' | 'Failed' | 'Unavailable';

/** A failed request; the message is safe to show (scaler errors are scrubbed of secrets by ScalerInstance). */
export class MetricsServiceError extends Error {
  constructor(readonly code: MetricsServiceErrorCode, message: string) {
    super(message);
    this.name = 'MetricsServiceError';
  }
}

export interface MetricsService {
  /** The metric's values (one item today); throws MetricsServiceError. */
  getMetrics(ref: MetricRef): Promise<MetricValue[]>;
}

/** The operator's side: answers from the scale loop of `<namespace>/<name>`. */
export function loopMetricsService(lookup: (namespace: string, name: string) => ScaleLoop | undefined, now: () => number = Date.now): MetricsService {
  return {
    async getMetrics(ref) {
      const loop = lookup(ref.namespace, ref.name);
      if (loop === undefined) {
        throw new MetricsServiceError('NotFound', `ScaledObject ${ref.namespace}/${ref.name} is not being scaled by the operator (it does not exist, is paused, or is not ready)`);
      }
      const outcome = await loop.metricValue(ref.metricName);
      if (outcome === undefined) throw new MetricsServiceError('NotFound', `no matching metrics found for ${ref.metricName}`);
      if (outcome.error !== undefined) throw new MetricsServiceError('Failed', `error getting metric ${outcome.metricName}: ${outcome.error}`);
      return [{ metricName: outcome.metricName, valueMilli: outcome.valueMilli, timestamp: now() }];
    },
  };
}
