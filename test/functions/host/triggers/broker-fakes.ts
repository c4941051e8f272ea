// Test doubles for the broker trigger tests (rabbitmq, kafka, redis): a host context that records logs
// and a Dispatch whose outcome each test decides, with gates that hold an invocation open.
import type { RpcTypedData } from '../../../../src/app/rpc.js';
import type { BindingDefinition, FunctionDefinition } from '../../../../src/app/function-model.js';
import type { Dispatch, HostContext, InvocationOutcome, TriggerEvent } from '../../../../src/functions/host/contract.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A host context over `settings` whose log lines are kept in `logs`. */
export function fakeContext(
  settings: Record<string, string | undefined>,
  options: { hostJson?: Record<string, unknown>; instanceId?: string } = {},
): HostContext & { logs: LogLine[] } {
  const logs: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    logs.push({ level, message, fields });
  };
  return {
    settings,
    hostJson: options.hostJson ?? {},
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    now: () => Date.now(),
    instanceId: options.instanceId ?? 'test-instance',
    logs,
  };
}

/** A function whose only binding is `trigger` (type, options, dataType). */
export function triggerFunction(name: string, type: string, options: Record<string, unknown>, dataType?: string): { fn: FunctionDefinition; binding: BindingDefinition } {
  const binding: BindingDefinition = { name: 'message', type, direction: 'in', options, ...(dataType === undefined ? {} : { dataType }) };
  const fn: FunctionDefinition = { name, trigger: binding, bindings: [binding], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory: name } };
  return { fn, binding };
}

type Verdict = 'success' | 'failure';

/** Records every event; `decide` (success by default) chooses each outcome, possibly after a while. */
export class FakeDispatch {
  readonly events: TriggerEvent[] = [];

  constructor(private readonly decide: (event: TriggerEvent, index: number) => Verdict | Promise<Verdict> = () => 'success') {}

  readonly dispatch: Dispatch = async (event) => {
    const index = this.events.push(event) - 1;
    const verdict = await this.decide(event, index);
    const outcome: InvocationOutcome = verdict === 'success' ? { status: 'success', response: {} } : { status: 'failure', error: new Error(`handler failed on event ${index}`) };
    return outcome;
  };

  /** Resolves once `count` events arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<TriggerEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${this.events.length}`);
      await sleep(20);
    }
    return this.events;
  }

  /** The event values as text. */
  texts(): string[] {
    return this.events.map((e) => valueText(e.value));
  }
}

/** A verdict held until `release` is called: an invocation still running. */
export class Gate {
  private resolveFn: ((verdict: Verdict) => void) | undefined;
  readonly promise: Promise<Verdict> = new Promise((resolve) => {
    this.resolveFn = resolve;
  });

  release(verdict: Verdict = 'success'): void {
    this.resolveFn?.(verdict);
  }
}

/** The text of a string/json/bytes value. */
export function valueText(value: RpcTypedData | undefined): string {
  if (value === undefined) return '<undefined>';
  if (typeof value.string === 'string') return value.string;
  if (typeof value.json === 'string') return value.json;
  if (value.bytes) return Buffer.from(value.bytes).toString('utf8');
  return JSON.stringify(value);
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until `done` accepts its value; fails with the last value after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await sleep(25);
    last = await probe();
  }
  return last;
}
