// Public surface of the fake Kubernetes API server for tests and `tide dev apiserver`.

export { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions } from './server.js';
export { FakeCluster, type ClusterOptions } from './cluster.js';
export { ObjectStore, type StoreEvent, type EventType, type DeleteOptions, kubeTime } from './store.js';
export { ResourceRegistry } from './registry.js';
export { KEDA_CRD_DIR, loadCrdDir, crdResourceTypes } from './crds.js';
export { ApiError, type StatusBody } from './status.js';
export { kubeconfigFor } from './kubeconfig.js';
export type { Controller, ControllerContext, ControllerFactory, ControllerTiming } from './controllers/context.js';
export type { KubeObject, ObjectMeta, OwnerReference, ResourceType } from './types.js';
export { hpaController, type HpaControllerOptions } from './controllers/hpa.js';
export {
  EXTERNAL_METRICS_APISERVICE, SERVICE_URL_ANNOTATION, fetchExternalMetric,
  type ExternalMetricsOptions, type ExternalMetricsProvider, type ExternalMetricsResult, type ServiceUrlResolver,
} from './external-metrics.js';
