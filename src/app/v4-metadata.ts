// A v4 registration (the FunctionMetadata @azure/functions built) as a FunctionDefinition, so the host,
// local mode and deploy see v4 functions exactly like function.json ones.
import { problem, type Problem } from '../api/problems.js';
import type { CoreFunctionMetadata, RpcDuration, RpcFunctionMetadata, RpcRetryOptions } from './core-types.js';
import { isTriggerType, type BindingDefinition, type FunctionDefinition, type RetryPolicy } from './function-model.js';
import type { Registration } from './core-module.js';

/** Worker-internal binding fields that are not options of the binding. */
const INTERNAL = new Set(['name', 'type', 'direction', 'datatype', 'properties']);

/** The binding list of a registration: name from the map key, everything else kept as options. */
export function bindingsOf(metadata: CoreFunctionMetadata): BindingDefinition[] {
  return Object.entries(metadata.bindings).map(([name, info]) => {
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(info)) if (!INTERNAL.has(key.toLowerCase()) && value !== undefined) options[key] = value;
    const direction = info.direction === 'out' || info.direction === 'inout' ? info.direction : 'in';
    const dataType = typeof info.dataType === 'string' && info.dataType !== 'undefined' ? info.dataType : undefined;
    return { name, type: info.type ?? '', direction, ...(dataType !== undefined ? { dataType } : {}), options };
  });
}

const toMs = (d: RpcDuration | null | undefined): number | undefined =>
  d === null || d === undefined ? undefined : (d.seconds ?? 0) * 1_000 + Math.round((d.nanos ?? 0) / 1_000_000);

/** `retryOptions` (RpcDuration intervals) as a RetryPolicy in milliseconds. */
export function retryOf(options: RpcRetryOptions | null | undefined): RetryPolicy | undefined {
  if (!options?.retryStrategy || typeof options.maxRetryCount !== 'number') return undefined;
  const delayInterval = toMs(options.delayInterval);
  const minimumInterval = toMs(options.minimumInterval);
  const maximumInterval = toMs(options.maximumInterval);
  return {
    strategy: options.retryStrategy,
    maxRetryCount: options.maxRetryCount,
    ...(delayInterval !== undefined ? { delayInterval } : {}),
    ...(minimumInterval !== undefined ? { minimumInterval } : {}),
    ...(maximumInterval !== undefined ? { maximumInterval } : {}),
  };
}

/** The FunctionDefinition of one registration, or a problem when it has no single trigger. */
export function definitionOf(registration: Registration, where: string): { fn?: FunctionDefinition; problems: Problem[] } {
  const { metadata, functionId, scriptFile } = registration;
  const bindings = bindingsOf(metadata);
  const triggers = bindings.filter((b) => isTriggerType(b.type));
  const trigger = triggers[0];
  if (trigger === undefined || triggers.length > 1) {
    return { problems: [problem(where, `function "${metadata.name}" must have exactly one trigger binding (found ${triggers.length})`)] };
  }
  const retry = retryOf(metadata.retryOptions);
  const fn: FunctionDefinition = {
    name: metadata.name,
    trigger,
    bindings,
    disabled: false,
    ...(retry ? { retry } : {}),
    source: { model: 'v4', functionId, ...(scriptFile !== undefined ? { scriptFile } : {}) },
  };
  return { fn, problems: [] };
}

/** What the worker stores per function and the library reads back through `CoreInvocationContext.metadata`. */
export function rpcMetadataOf(registration: Registration, directory: string): RpcFunctionMetadata {
  const { metadata, functionId, scriptFile } = registration;
  return {
    name: metadata.name,
    functionId,
    bindings: metadata.bindings,
    ...(metadata.retryOptions ? { retryOptions: metadata.retryOptions } : {}),
    ...(scriptFile !== undefined ? { scriptFile } : {}),
    directory,
    rawBindings: Object.entries(metadata.bindings).map(([name, binding]) => JSON.stringify({ ...binding, name })),
  };
}
