// The ScaledObjects: `<name>` for the non-HTTP Deployment (triggers from the shared app mapping), and
// with --http-scaling prometheus `<name>-http` for the HTTP Deployment on the host's request rate
// (tide_function_executions_total of the HTTP functions, 1..max replicas: HTTP cannot scale from zero
// without a proxy holding requests).
import type { ScaledObject } from '../api/scaled-object.js';
import type { ScaleTrigger } from '../api/scale-trigger.js';
import { meta, names, type DeployOptions, type Manifest } from './manifest.js';

/** The app mapping's ScaledObject with func's metadata shape (namespace, empty labels) and the final triggers. */
export function functionsScaledObject(options: DeployOptions, mapped: ScaledObject, triggers: readonly ScaleTrigger[]): Manifest {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: meta(options.name, options.namespace, { labels: {} }),
    spec: { ...mapped.spec, triggers },
  };
}

/** PromQL for the request rate of these functions, summed over all replicas. */
export function requestRateQuery(httpFunctions: readonly string[]): string {
  const pattern = httpFunctions.map((fn) => fn.replace(/[\\.^$|?*+()[\]{}]/g, (c) => `\\\\${c}`)).join('|');
  return `sum(rate(tide_function_executions_total{function=~"${pattern}"}[1m]))`;
}

/** ScaledObject `<name>-http`, or undefined without --http-scaling. */
export function httpScaledObject(options: DeployOptions, httpFunctions: readonly string[]): Manifest | undefined {
  if (options.httpScaling === undefined) return undefined;
  const target = names.httpDeployment(options.name);
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: meta(target, options.namespace, { labels: {} }),
    spec: {
      scaleTargetRef: { name: target },
      ...(options.pollingInterval !== undefined ? { pollingInterval: options.pollingInterval } : {}),
      ...(options.cooldownPeriod !== undefined ? { cooldownPeriod: options.cooldownPeriod } : {}),
      minReplicaCount: Math.max(1, options.minReplicas ?? 1),
      ...(options.maxReplicas !== undefined ? { maxReplicaCount: options.maxReplicas } : {}),
      triggers: [
        {
          type: 'prometheus',
          name: 'http-requests',
          metadata: { serverAddress: options.httpScaling.prometheusUrl, query: requestRateQuery(httpFunctions), threshold: String(options.httpScaling.target) },
        },
      ],
    },
  };
}
