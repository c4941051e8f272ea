// Shared set-up of the queueTrigger tests: a host context on an in-process Azurite, a function with a
// queueTrigger binding, a recording fake Dispatch, and waiting helpers.
import { QueueClient } from '@azure/storage-queue';
import type { FunctionDefinition } from '../../../../src/app/function-model.js';
import type { Dispatch, HostContext, InvocationOutcome, TriggerEvent } from '../../../../src/functions/host/contract.js';
import { QueueListener, queueListenerConfig, type QueueListenerConfig, type QueueTriggerOverrides } from '../../../../src/functions/host/triggers/queue-trigger.js';

export const ok: InvocationOutcome = { status: 'success', response: {} };

/** A failed invocation outcome. */
export function failed(message = 'handler failed'): InvocationOutcome {
  return { status: 'failure', error: new Error(message) };
}

/** Log lines a test can assert on. */
export interface CapturedLog {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A host context whose AzureWebJobsStorage is the given connection string. */
export function hostContext(connection: string, queues: Record<string, unknown> = {}, settings: Record<string, string> = {}): HostContext & { lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return {
    settings: { AzureWebJobsStorage: connection, ...settings },
    hostJson: { version: '2.0', extensions: { queues } },
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    now: () => Date.now(),
    instanceId: 'test-host',
    lines,
  };
}

/** A v3 function with one queueTrigger binding named `item`. */
export function queueFunction(queueName: string, options: Record<string, unknown> = {}): FunctionDefinition {
  const trigger = { name: 'item', type: 'queueTrigger', direction: 'in' as const, options: { queueName, connection: '', ...options } };
  return { name: 'QueueFn', trigger, bindings: [trigger], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory: '.' } };
}

/** Events seen by a recording dispatch, with when each arrived and the concurrency at that moment. */
export interface Recorder {
  readonly dispatch: Dispatch;
  readonly events: TriggerEvent[];
  readonly times: number[];
  readonly maxConcurrent: () => number;
}

/** A fake Dispatch that records each event and answers with `handle(event, index)`. */
export function recorder(handle: (event: TriggerEvent, index: number) => InvocationOutcome | Promise<InvocationOutcome> = () => ok): Recorder {
  const events: TriggerEvent[] = [];
  const times: number[] = [];
  let running = 0;
  let max = 0;
  const dispatch: Dispatch = async (event) => {
    events.push(event);
    times.push(Date.now());
    running += 1;
    max = Math.max(max, running);
    try {
      return await handle(event, events.length - 1);
    } finally {
      running -= 1;
    }
  };
  return { dispatch, events, times, maxConcurrent: () => max };
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Builds a listener like `queueTrigger.create` does, keeping its config for tests that wrap the client. */
export function listenerFor(fn: FunctionDefinition, ctx: HostContext, overrides: QueueTriggerOverrides = {}): { listener: QueueListener; config: QueueListenerConfig } {
  const config = queueListenerConfig(fn, fn.trigger, ctx, { random: () => 0.5, cpuCount: 1, ...overrides });
  return { listener: new QueueListener(config), config };
}

/** The JSON value of a metadata entry. */
export function metadataJson(event: TriggerEvent | undefined, key: string): unknown {
  const json = event?.metadata[key]?.json;
  return json === undefined || json === null ? undefined : JSON.parse(json);
}

/** How many messages the queue holds, visible or not. */
export async function queueCount(client: QueueClient): Promise<number> {
  return (await client.getProperties()).approximateMessagesCount ?? 0;
}

/** A queue client (no encoding: what it sends is what is stored). */
export function rawQueue(connection: string, name: string): QueueClient {
  return new QueueClient(connection, name);
}
