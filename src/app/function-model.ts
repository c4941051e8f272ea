// What a function app is, independent of how it was written (v3 function.json folders or v4
// @azure/functions registrations): the host runs it, local mode and `tide kubernetes deploy` map its
// triggers to scalers.

/** One binding: `type`, `direction`, `name` (`$return` for the return value) and its own options. */
export interface BindingDefinition {
  readonly name: string;
  readonly type: string;
  readonly direction: 'in' | 'out' | 'inout';
  readonly dataType?: string;
  /** Every other property as written (queueName, connection, route, methods, authLevel, schedule, …). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** host.json / function.json `retry`. */
export interface RetryPolicy {
  readonly strategy: 'fixedDelay' | 'exponentialBackoff';
  readonly maxRetryCount: number;
  /** Milliseconds. */
  readonly delayInterval?: number;
  readonly minimumInterval?: number;
  readonly maximumInterval?: number;
}

/** Where the function's code is: a v3 script file, or a v4 registration (the callback lives in the loaded app). */
export type FunctionSource =
  | { readonly model: 'v3'; readonly scriptFile: string; readonly entryPoint?: string; readonly directory: string }
  | { readonly model: 'v4'; readonly functionId: string; readonly scriptFile?: string };

export interface FunctionDefinition {
  readonly name: string;
  /** The binding whose type ends with "Trigger" (case-insensitive). */
  readonly trigger: BindingDefinition;
  /** All bindings in declared order, the trigger included. */
  readonly bindings: readonly BindingDefinition[];
  readonly disabled: boolean;
  readonly retry?: RetryPolicy;
  readonly source: FunctionSource;
}

/** True for a binding type that triggers a function (`queueTrigger`, `httpTrigger`, …). */
export function isTriggerType(type: string): boolean {
  return type.toLowerCase().endsWith('trigger');
}
