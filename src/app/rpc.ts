// The Functions host ↔ language worker contract (the gRPC messages of azure-functions-language-worker-
// protobuf), as plain objects. tide has no separate worker process, but @azure/functions 4.x reads and
// writes exactly these shapes through @azure/functions-core, so every trigger produces them and every
// output binding consumes them. Field names and optionality follow the proto (all fields optional).

/** One value crossing the contract: exactly one field is set. */
export interface RpcTypedData {
  string?: string | null;
  /** JSON text. */
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
  collectionBytes?: { bytes?: Uint8Array[] | null } | null;
  collectionString?: { string?: string[] | null } | null;
  collectionDouble?: { double?: number[] | null } | null;
  collectionSint64?: { sint64?: number[] | null } | null;
}

export interface RpcNullableString {
  value?: string | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: RpcNullableString | null;
  path?: RpcNullableString | null;
  expires?: { value?: { seconds?: number; nanos?: number } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone' | null;
  maxAge?: { value?: number | null } | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  nullableHeaders?: Record<string, RpcNullableString> | null;
  query?: Record<string, string> | null;
  nullableQuery?: Record<string, RpcNullableString> | null;
  params?: Record<string, string> | null;
  nullableParams?: Record<string, RpcNullableString> | null;
  body?: RpcTypedData | null;
  rawBody?: RpcTypedData | null;
  /** A string, e.g. "200". */
  statusCode?: string | null;
  enableContentNegotiation?: boolean | null;
  cookies?: RpcHttpCookie[] | null;
}

export interface RpcParameterBinding {
  name?: string | null;
  data?: RpcTypedData | null;
}

export interface RpcTraceContext {
  traceParent?: string | null;
  traceState?: string | null;
  attributes?: Record<string, string> | null;
}

export interface RpcRetryContext {
  retryCount?: number | null;
  maxRetryCount?: number | null;
  exception?: RpcException | null;
}

export interface RpcException {
  source?: string | null;
  stackTrace?: string | null;
  message?: string | null;
}

export interface RpcInvocationRequest {
  invocationId?: string | null;
  functionId?: string | null;
  inputData?: RpcParameterBinding[] | null;
  /** PascalCase keys, as the host sends them (`DequeueCount`, `Id`, …). */
  triggerMetadata?: Record<string, RpcTypedData> | null;
  traceContext?: RpcTraceContext | null;
  retryContext?: RpcRetryContext | null;
}

export interface RpcInvocationResponse {
  invocationId?: string | null;
  outputData?: RpcParameterBinding[] | null;
  returnValue?: RpcTypedData | null;
  result?: { status?: 'success' | 'failure' | 'cancelled' | null; exception?: RpcException | null } | null;
}

/** `RpcBindingInfo`: a binding as the worker describes it (`{type, direction, dataType, …options}`). */
export interface RpcBindingInfo {
  type?: string | null;
  direction?: 'in' | 'out' | 'inout' | null;
  dataType?: 'undefined' | 'string' | 'binary' | 'stream' | null;
  [option: string]: unknown;
}
