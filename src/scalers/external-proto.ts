// The externalscaler gRPC contract as a protobuf descriptor, its message types, and a small typed
// client over @grpc/grpc-js. proto/externalscaler.proto is the readable form of the same contract; the
// descriptor lives in code so that neither `tsc` output nor a bundle needs the .proto file at run time
// (test/scalers/external.test.ts checks that both define the same wire format).

import * as grpc from '@grpc/grpc-js';
import { fromJSON, type MethodDefinition, type Options, type ServiceDefinition } from '@grpc/proto-loader';

/** Which ScaledObject is asking, with the trigger's metadata. */
export interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

export interface IsActiveResponse {
  result: boolean;
}

/** One metric an external scaler serves; targetSize (int64) is used when targetSizeFloat is not > 0. */
export interface ExternalMetricSpec {
  metricName: string;
  targetSize: number;
  targetSizeFloat: number;
}

export interface GetMetricSpecResponse {
  metricSpecs: ExternalMetricSpec[];
}

export interface GetMetricsRequest {
  scaledObjectRef: ScaledObjectRef;
  /** Without the `s<index>-` prefix. */
  metricName: string;
}

/** One metric value; metricValue (int64) is used when metricValueFloat is not > 0. */
export interface ExternalMetricValue {
  metricName: string;
  metricValue: number;
  metricValueFloat: number;
}

export interface GetMetricsResponse {
  metricValues: ExternalMetricValue[];
}

const string = (id: number) => ({ type: 'string', id });

/** The contract in protobufjs JSON form (field numbers from KEDA's externalscaler.proto table). */
export const EXTERNAL_SCALER_DESCRIPTOR = {
  nested: {
    externalscaler: {
      nested: {
        ExternalScaler: {
          methods: {
            IsActive: { requestType: 'ScaledObjectRef', responseType: 'IsActiveResponse' },
            StreamIsActive: { requestType: 'ScaledObjectRef', responseType: 'IsActiveResponse', responseStream: true },
            GetMetricSpec: { requestType: 'ScaledObjectRef', responseType: 'GetMetricSpecResponse' },
            GetMetrics: { requestType: 'GetMetricsRequest', responseType: 'GetMetricsResponse' },
            StreamMetricSpec: { requestType: 'ScaledObjectRef', responseType: 'GetMetricSpecResponse', responseStream: true },
          },
        },
        ScaledObjectRef: { fields: { name: string(1), namespace: string(2), scalerMetadata: { keyType: 'string', type: 'string', id: 3 } } },
        IsActiveResponse: { fields: { result: { type: 'bool', id: 1 } } },
        GetMetricSpecResponse: { fields: { metricSpecs: { rule: 'repeated', type: 'MetricSpec', id: 1 } } },
        MetricSpec: { fields: { metricName: string(1), targetSize: { type: 'int64', id: 2 }, targetSizeFloat: { type: 'double', id: 3 } } },
        GetMetricsRequest: { fields: { scaledObjectRef: { type: 'ScaledObjectRef', id: 1 }, metricName: string(2) } },
        GetMetricsResponse: { fields: { metricValues: { rule: 'repeated', type: 'MetricValue', id: 1 } } },
        MetricValue: { fields: { metricName: string(1), metricValue: { type: 'int64', id: 2 }, metricValueFloat: { type: 'double', id: 3 } } },
      },
    },
  },
};

/** Loader options shared by the client and test servers: proto field names, int64 as JS numbers, zero defaults filled in. */
export const EXTERNAL_SCALER_LOADER_OPTIONS: Options = { keepCase: true, longs: Number, defaults: true, arrays: true, objects: true };

/** Fully qualified service name. */
export const EXTERNAL_SCALER_SERVICE = 'externalscaler.ExternalScaler';

let service: ServiceDefinition | undefined;

/** The ExternalScaler service definition (serialisers and method paths), built once. */
export function externalScalerService(): ServiceDefinition {
  if (!service) {
    // protobufjs's INamespace typing demands `comment` on methods and has no map fields; the JSON is valid.
    const json = EXTERNAL_SCALER_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0];
    const definition = fromJSON(json, EXTERNAL_SCALER_LOADER_OPTIONS)[EXTERNAL_SCALER_SERVICE];
    if (!definition || 'format' in definition || !('IsActive' in definition)) throw new Error(`${EXTERNAL_SCALER_SERVICE} missing from the descriptor`);
    service = definition;
  }
  return service;
}

// The descriptor guarantees each method's message types; the casts only restate them.
function method<Req, Res>(name: string): MethodDefinition<Req, Res> {
  const found = externalScalerService()[name];
  if (!found) throw new Error(`${EXTERNAL_SCALER_SERVICE}/${name} missing from the descriptor`);
  return found as unknown as MethodDefinition<Req, Res>;
}

/** Per-call options: a deadline and an AbortSignal that cancels the call. */
export interface CallOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** A typed ExternalScaler client over one gRPC channel. */
export class ExternalScalerClient {
  constructor(readonly channel: grpc.Client) {}

  /** IsActive(ScaledObjectRef). */
  isActive(ref: ScaledObjectRef, options: CallOptions): Promise<IsActiveResponse> {
    return this.unary('IsActive', method<ScaledObjectRef, IsActiveResponse>('IsActive'), ref, options);
  }

  /** GetMetricSpec(ScaledObjectRef). */
  getMetricSpec(ref: ScaledObjectRef, options: CallOptions): Promise<GetMetricSpecResponse> {
    return this.unary('GetMetricSpec', method<ScaledObjectRef, GetMetricSpecResponse>('GetMetricSpec'), ref, options);
  }

  /** GetMetrics(GetMetricsRequest). */
  getMetrics(request: GetMetricsRequest, options: CallOptions): Promise<GetMetricsResponse> {
    return this.unary('GetMetrics', method<GetMetricsRequest, GetMetricsResponse>('GetMetrics'), request, options);
  }

  /** StreamIsActive(ScaledObjectRef): a server stream of IsActiveResponse, no deadline. */
  streamIsActive(ref: ScaledObjectRef): grpc.ClientReadableStream<IsActiveResponse> {
    const m = method<ScaledObjectRef, IsActiveResponse>('StreamIsActive');
    return this.channel.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, ref);
  }

  /** Whether a call's final status is OK (a stream the server ended, not one that failed). */
  endedCleanly(status: grpc.StatusObject): boolean {
    return status.code === grpc.status.OK;
  }

  private unary<Req, Res>(name: string, m: MethodDefinition<Req, Res>, request: Req, options: CallOptions): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const call = this.channel.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, new grpc.Metadata(), { deadline: Date.now() + options.timeoutMs }, (error, response) => {
        options.signal?.removeEventListener('abort', cancel);
        if (error) reject(new Error(`${name}: ${error.details || error.message}`));
        else if (response === undefined) reject(new Error(`${name}: empty response`));
        else resolve(response);
      });
      function cancel(): void {
        call.cancel();
      }
      options.signal?.addEventListener('abort', cancel, { once: true });
    });
  }
}
