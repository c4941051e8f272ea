// A real gRPC external scaler (externalscaler.ExternalScaler, loaded from src/scalers/proto/
// externalscaler.proto) on 127.0.0.1, whose answers a test sets. It records the requests it gets and
// lets a test push IsActive results to open StreamIsActive streams or break them.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { EXTERNAL_SCALER_LOADER_OPTIONS, EXTERNAL_SCALER_SERVICE, type GetMetricsRequest, type IsActiveResponse, type ScaledObjectRef } from '../../src/scalers/external-proto.js';

/** Path of the .proto file the server is built from. */
export const PROTO_PATH = fileURLToPath(new URL('../../src/scalers/proto/externalscaler.proto', import.meta.url));

/** What the server answers; tests change it between calls. */
export interface ExternalScalerState {
  metricSpecs: { metricName: string; targetSize: number; targetSizeFloat: number }[];
  /** Values by metric name. */
  values: Record<string, { metricValue: number; metricValueFloat: number }>;
  active: boolean;
  /** When set, every unary call fails with this gRPC status code. */
  failWith?: grpc.status;
}

export interface ExternalScalerServer {
  readonly address: string;
  readonly state: ExternalScalerState;
  readonly refs: ScaledObjectRef[];
  readonly metricRequests: string[];
  /** Number of StreamIsActive streams opened so far. */
  streamsOpened: number;
  /** Sends a result to every open StreamIsActive stream. */
  push(result: boolean): void;
  /** Fails every open stream with UNAVAILABLE (the client should reconnect). */
  breakStreams(): void;
  stop(): Promise<void>;
}

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Starts a server on a free port of 127.0.0.1. */
export async function startExternalScaler(initial: ExternalScalerState, credentials = grpc.ServerCredentials.createInsecure()): Promise<ExternalScalerServer> {
  const definition = loadSync(PROTO_PATH, EXTERNAL_SCALER_LOADER_OPTIONS)[EXTERNAL_SCALER_SERVICE] as grpc.ServiceDefinition;
  const streams = new Set<grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>>();
  const server = new grpc.Server();
  const failure = (): Partial<grpc.StatusObject> | null => (handle.state.failWith === undefined ? null : { code: handle.state.failWith, details: 'scaler told to fail' });

  const isActive: Unary<ScaledObjectRef, IsActiveResponse> = (call, callback) => {
    handle.refs.push(call.request);
    const failed = failure();
    if (failed) callback(failed);
    else callback(null, { result: handle.state.active });
  };
  const getMetricSpec: Unary<ScaledObjectRef, unknown> = (call, callback) => {
    handle.refs.push(call.request);
    const failed = failure();
    if (failed) callback(failed);
    else callback(null, { metricSpecs: handle.state.metricSpecs });
  };
  const getMetrics: Unary<GetMetricsRequest, unknown> = (call, callback) => {
    handle.metricRequests.push(call.request.metricName);
    const failed = failure();
    const value = handle.state.values[call.request.metricName];
    if (failed) callback(failed);
    else callback(null, { metricValues: value ? [{ metricName: call.request.metricName, ...value }] : [] });
  };
  const streamIsActive = (call: grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>): void => {
    handle.streamsOpened += 1;
    streams.add(call);
    call.on('cancelled', () => streams.delete(call));
  };
  server.addService(definition, { IsActive: isActive, GetMetricSpec: getMetricSpec, GetMetrics: getMetrics, StreamIsActive: streamIsActive });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  const handle: ExternalScalerServer = {
    address: `127.0.0.1:${port}`,
    state: initial,
    refs: [],
    metricRequests: [],
    streamsOpened: 0,
    push(result) {
      for (const stream of streams) stream.write({ result });
    },
    breakStreams() {
      // grpc-js sends a streaming handler's 'error' event to the client as the call's status.
      for (const stream of streams) stream.emit('error', { code: grpc.status.UNAVAILABLE, details: 'stream broken by test' });
      streams.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.forceShutdown();
        resolve();
      }),
  };
  return handle;
}
