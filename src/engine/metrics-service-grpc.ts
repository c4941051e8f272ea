// The metrics service on the wire: KEDA's pkg/metricsservice/api/metrics.proto
// (`api.MetricsService/GetMetrics(ScaledObjectRef) → ExternalMetricValueList`, the list being the
// k8s.io/metrics external_metrics/v1beta1 protobuf type), over gRPC with mutual TLS. The descriptor
// lives in code (as src/scalers/external-proto.ts does) so no .proto file is needed at run time.
// Here: the descriptor, the message shapes, and the adapter's client with KEDA's timeout.

import * as grpc from '@grpc/grpc-js';
import { fromJSON, type MethodDefinition, type Options, type ServiceDefinition } from '@grpc/proto-loader';
import { formatQuantity, parseQuantity } from '../api/quantity.js';
import { MetricsServiceError, type MetricRef, type MetricsService, type MetricValue } from './metrics-service.js';
import { MutualTlsProvider } from './metrics-service-tls.js';

/** KEDA's default port of the operator's metrics service. */
export const METRICS_SERVICE_PORT = 9666;
export const METRICS_SERVICE_NAME = 'api.MetricsService';
/** KEDA's client deadline for one GetMetrics. */
export const METRICS_SERVICE_TIMEOUT_MS = 3_000;

/** The request (ScaledObjectRef of metrics.proto). */
export interface ScaledObjectRefMessage {
  name: string;
  namespace: string;
  metricName: string;
}

/** k8s ExternalMetricValue in its protobuf form (Quantity and Time as their generated messages). */
export interface ExternalMetricValueMessage {
  metricName: string;
  metricLabels: Record<string, string>;
  timestamp: { seconds: number; nanos: number } | null;
  value: { string: string } | null;
}

export interface ExternalMetricValueListMessage {
  items: ExternalMetricValueMessage[];
}

const str = (id: number) => ({ type: 'string', id });
const K8S = 'k8s.io';

/** The contract in protobufjs JSON form (field numbers of metrics.proto and the k8s generated.proto files). */
export const METRICS_SERVICE_DESCRIPTOR = {
  nested: {
    api: {
      nested: {
        MetricsService: {
          methods: { GetMetrics: { requestType: 'ScaledObjectRef', responseType: `.${K8S}.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList` } },
        },
        ScaledObjectRef: { fields: { name: str(1), namespace: str(2), metricName: str(3) } },
      },
    },
    // k8s.io.* packages: protobufjs nests a dotted package one level per name.
    k8s: { nested: { io: { nested: {
      metrics: { nested: { pkg: { nested: { apis: { nested: { external_metrics: { nested: { v1beta1: { nested: {
        ExternalMetricValue: {
          fields: {
            metricName: str(1),
            metricLabels: { keyType: 'string', type: 'string', id: 2 },
            timestamp: { type: '.k8s.io.apimachinery.pkg.apis.meta.v1.Time', id: 3 },
            window: { type: 'int64', id: 4 },
            value: { type: '.k8s.io.apimachinery.pkg.api.resource.Quantity', id: 5 },
          },
        },
        ExternalMetricValueList: {
          fields: {
            metadata: { type: '.k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta', id: 1 },
            items: { rule: 'repeated', type: 'ExternalMetricValue', id: 2 },
          },
        },
      } } } } } } } } } },
      apimachinery: { nested: { pkg: { nested: {
        api: { nested: { resource: { nested: { Quantity: { fields: { string: str(1) } } } } } },
        apis: { nested: { meta: { nested: { v1: { nested: {
          Time: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          ListMeta: { fields: { selfLink: str(1), resourceVersion: str(2), continue: str(3), remainingItemCount: { type: 'int64', id: 4 } } },
        } } } } } },
      } } } },
    } } } },
  },
};

/** Field names as in the .proto, int64 as JS numbers, zero defaults filled in. */
export const METRICS_SERVICE_LOADER_OPTIONS: Options = { keepCase: true, longs: Number, defaults: true, arrays: true, objects: true };

let service: ServiceDefinition | undefined;

/** The MetricsService definition (serialisers and the method path), built once. */
export function metricsServiceDefinition(): ServiceDefinition {
  if (!service) {
    // protobufjs's INamespace typing demands `comment` on methods and has no map fields; the JSON is valid.
    const json = METRICS_SERVICE_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0];
    const definition = fromJSON(json, METRICS_SERVICE_LOADER_OPTIONS)[METRICS_SERVICE_NAME];
    if (!definition || 'format' in definition || !('GetMetrics' in definition)) throw new Error(`${METRICS_SERVICE_NAME} missing from the descriptor`);
    service = definition;
  }
  return service;
}

/** GetMetrics with its message types (the descriptor guarantees them; the cast only restates them). */
export function getMetricsMethod(): MethodDefinition<ScaledObjectRefMessage, ExternalMetricValueListMessage> {
  const found = metricsServiceDefinition()['GetMetrics'];
  if (!found) throw new Error(`${METRICS_SERVICE_NAME}/GetMetrics missing from the descriptor`);
  return found as unknown as MethodDefinition<ScaledObjectRefMessage, ExternalMetricValueListMessage>;
}

/** Values → the protobuf list. */
export function toMessage(values: readonly MetricValue[]): ExternalMetricValueListMessage {
  return {
    items: values.map((v) => ({
      metricName: v.metricName,
      metricLabels: {},
      timestamp: { seconds: Math.floor(v.timestamp / 1000), nanos: 0 },
      value: { string: formatQuantity(v.valueMilli) },
    })),
  };
}

/** The protobuf list → values; an unparsable Quantity is the operator's fault, reported as Failed. */
export function fromMessage(list: ExternalMetricValueListMessage): MetricValue[] {
  return list.items.map((item) => {
    const q = parseQuantity(item.value?.string ?? '');
    if ('error' in q) throw new MetricsServiceError('Failed', `the operator sent metric ${item.metricName} with value ${JSON.stringify(item.value?.string ?? '')}: ${q.error}`);
    return { metricName: item.metricName, valueMilli: q.milli, timestamp: (item.timestamp?.seconds ?? 0) * 1000 + Math.floor((item.timestamp?.nanos ?? 0) / 1e6) };
  });
}

/** PEM material of one side of the mTLS channel: the CA that signed the peer, and this side's pair. */
export interface MutualTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface MetricsServiceClientOptions {
  /** host:port of the operator's metrics service (KEDA: keda-operator.<ns>.svc.cluster.local:9666). */
  readonly address: string;
  readonly tls: MutualTls;
  /** Name the operator's certificate is checked against (--metrics-service-grpc-authority); default the address's host. */
  readonly authority?: string;
  readonly timeoutMs?: number;
}

/**
 * The adapter's client: one channel, KEDA's 3 s deadline, wait-for-ready, certificates replaceable (setTls). Identical requests in flight
 * at the same time share one call (as Go's singleflight): a request that arrives while the same
 * metric of the same ScaledObject is being fetched gets that fetch's answer, never an older one.
 */
export class MetricsServiceClient implements MetricsService {
  private readonly client: grpc.Client;
  private readonly timeoutMs: number;
  private readonly method = getMetricsMethod();
  private readonly inFlight = new Map<string, Promise<MetricValue[]>>();

  private readonly tls: MutualTlsProvider;

  constructor(options: MetricsServiceClientOptions) {
    // Through a provider, so new material (setTls) is used by the channel's next connection without a new channel.
    this.tls = new MutualTlsProvider(options.tls);
    const credentials = grpc.experimental.createCertificateProviderChannelCredentials(this.tls, this.tls);
    const channelOptions: grpc.ChannelOptions = options.authority === undefined ? {} : { 'grpc.ssl_target_name_override': options.authority, 'grpc.default_authority': options.authority };
    this.client = new grpc.Client(options.address, credentials, channelOptions);
    this.timeoutMs = options.timeoutMs ?? METRICS_SERVICE_TIMEOUT_MS;
  }

  getMetrics(ref: MetricRef): Promise<MetricValue[]> {
    // NUL cannot occur in a namespace, a ScaledObject name or a metric name the HPA sends.
    const key = `${ref.namespace}\0${ref.name}\0${ref.metricName}`;
    const shared = this.inFlight.get(key);
    if (shared !== undefined) return shared.then((values) => values.slice());
    const call = this.call(ref).finally(() => { this.inFlight.delete(key); });
    this.inFlight.set(key, call);
    return call.then((values) => values.slice());
  }

  private call(ref: MetricRef): Promise<MetricValue[]> {
    const m = this.method;
    const request: ScaledObjectRefMessage = { name: ref.name, namespace: ref.namespace, metricName: ref.metricName };
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, new grpc.Metadata({ waitForReady: true }), { deadline: Date.now() + this.timeoutMs }, (error, response) => {
        if (error) reject(clientError(error));
        else if (response === undefined) reject(new MetricsServiceError('Failed', 'the operator sent an empty answer'));
        else {
          try {
            resolve(fromMessage(response));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }
      });
    });
  }

  /**
   * New material (a renewed certificate, a replaced CA) for the connections made from now on; the one
   * already open, and the calls on it, carry on (the operator keeps serving it after its own swap).
   */
  setTls(tls: MutualTls): void {
    this.tls.set(tls);
  }

  close(): void {
    this.client.close();
  }
}

/** gRPC status → the service's error codes. */
function clientError(error: grpc.ServiceError): MetricsServiceError {
  const message = error.details !== '' ? error.details : error.message;
  if (error.code === grpc.status.NOT_FOUND) return new MetricsServiceError('NotFound', message);
  if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) {
    return new MetricsServiceError('Unavailable', `cannot reach the operator's metrics service: ${message}`);
  }
  return new MetricsServiceError('Failed', message);
}
