// What the HTTP server needs from the host, and nothing more: the server never imports the host's
// orchestration, so the host (src/functions/host/host.ts) implements this small interface and passes
// it to `startHttpServer`. Tests use a fake.

import type { FunctionDefinition } from '../../../app/function-model.js';
import type { InvocationOutcome, TriggerEvent } from '../contract.js';

/** Host states as `/admin/host/status` reports them. */
export type HostState = 'Default' | 'Starting' | 'Initialized' | 'Running' | 'Error' | 'Stopping' | 'Stopped' | 'Offline';

/** `/admin/host/drain/status`. */
export interface DrainStatus {
  readonly state: 'Disabled' | 'InProgress' | 'Completed';
  readonly outstandingInvocations: number;
  readonly outstandingRetries: number;
}

export interface HostControl {
  /** The functions this host runs (after host.json `functions` selection), disabled ones included. */
  functions(): readonly FunctionDefinition[];
  /**
   * Runs an HTTP-triggered function for one request. `event.value` is `{http}`, `event.metadata` holds
   * the route parameters, `Query` and `Headers`. The same path as any trigger (invoker, outputs, metrics);
   * the server answers with the function's http output from the outcome's response.
   */
  dispatchHttp(fn: FunctionDefinition, event: TriggerEvent): Promise<InvocationOutcome>;
  /** `POST /admin/functions/<name>`: run a function once with `input` as its trigger value. The server does not wait. */
  invoke(fn: FunctionDefinition, input: string): Promise<unknown>;
  state(): HostState;
  /** Startup/indexing errors to show in `/admin/host/status` (function load errors, bad bindings, …). */
  errors(): readonly string[];
  /** Enters drain mode: listeners stop fetching, in-flight work finishes. The server does not wait. */
  drain(): Promise<void>;
  drainStatus(): DrainStatus;
  /** Leaves drain mode: listeners start again. */
  resume(): Promise<void>;
}
