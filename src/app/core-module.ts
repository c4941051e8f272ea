// `@azure/functions-core`: not an npm package but an object the host hands to app code. As the
// official Node worker does, `Module.prototype.require` is patched so `require('@azure/functions-core')`
// (from @azure/functions itself, CommonJS even when the app is ESM) returns it. Each app load gets its
// own CoreModule; the patched require returns one stable facade that forwards to the app being loaded,
// because @azure/functions caches the first object it gets for the life of the process.
import Module from 'node:module';
import type {
  CoreFunctionMetadata,
  CoreLogCategory,
  CoreLogLevel,
  FunctionCallback,
  HookCallback,
  HookContext,
  HookName,
  ProgrammingModel,
} from './core-types.js';

/** A registration that can be undone; `from` combines several. */
export class Disposable {
  #fn: (() => void) | undefined;

  /** Combines disposables: disposing the result disposes each of them once. */
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const item of items) item.dispose();
    });
  }

  constructor(fn: () => void) {
    this.#fn = fn;
  }

  /** Runs the callback the first time only. */
  dispose(): void {
    const fn = this.#fn;
    this.#fn = undefined;
    fn?.();
  }
}

/** A thrown core error the library recognises as a host (system) error, e.g. for unknown hook names. */
class CoreSystemError extends RangeError {
  readonly isAzureFunctionsSystemError = true;
}

/** One registered v4 function: the metadata @azure/functions built and the handler it wraps. */
export interface Registration {
  readonly metadata: CoreFunctionMetadata;
  readonly functionId: string;
  readonly callback: FunctionCallback;
  /** The entry file being loaded when it registered. */
  readonly scriptFile: string | undefined;
}

/** Where core `log` calls (system logs of the library, logs outside an invocation) go. */
export type CoreLogSink = (level: CoreLogLevel, category: CoreLogCategory, message: string) => void;

const HOOK_NAMES: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];
export const CORE_MODULE_VERSION = '3.10.1';
export const HOST_VERSION = '4.1040.0';

/** The core module of one loaded app: its registrations, programming model and hooks. */
export class CoreModule {
  readonly version = CORE_MODULE_VERSION;
  readonly hostVersion = HOST_VERSION;
  /** Shared by every hook of the app (`appHookData`). */
  readonly appHookData: Record<string, unknown> = {};
  /** The entry file being loaded, recorded with each registration. */
  currentScriptFile: string | undefined;
  #locked = false;
  #model: ProgrammingModel | undefined;
  readonly #registrations = new Map<string, Registration>();
  readonly #hooks = new Map<HookName, HookCallback[]>();

  constructor(private readonly sink: CoreLogSink = () => undefined) {}

  /** Records a function; only while the app starts, and each functionId once. */
  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#locked) throw new Error('A function can only be registered during app startup.');
    if (typeof metadata.name !== 'string' || metadata.name === '') throw new Error('A function must have a name.');
    const functionId = metadata.functionId ?? metadata.name;
    const sameName = [...this.#registrations.values()].find((r) => r.metadata.name.toLowerCase() === metadata.name.toLowerCase());
    if (this.#registrations.has(functionId) || sameName) {
      throw new Error(`A function named "${metadata.name}" is already registered: function names must be unique in an app (ignoring case).`);
    }
    this.#registrations.set(functionId, { metadata, functionId, callback, scriptFile: this.currentScriptFile });
    return new Disposable(() => {
      if (!this.#locked) this.#registrations.delete(functionId);
    });
  }

  /** The programming model that turns RPC requests into handler calls; the last one set wins. */
  setProgrammingModel(model: ProgrammingModel): void {
    this.#model = model;
    lastProgrammingModel = model;
  }

  /** This app's programming model, else the one @azure/functions set on an earlier load in this process. */
  getProgrammingModel(): ProgrammingModel | undefined {
    return this.#model ?? lastProgrammingModel;
  }

  /** Adds a hook, run in registration order. Unknown names are a RangeError marked as a system error. */
  registerHook(name: string, callback: HookCallback): Disposable {
    const hookName = HOOK_NAMES.find((h) => h === name);
    if (hookName === undefined) throw new CoreSystemError(`"${name}" is not a valid hook name (one of ${HOOK_NAMES.join(', ')}).`);
    const list = this.#hooks.get(hookName) ?? [];
    list.push(callback);
    this.#hooks.set(hookName, list);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  }

  /** A log line outside any invocation (the library's system logs). */
  log(level: CoreLogLevel, category: CoreLogCategory, message: string): void {
    this.sink(level, category, message);
  }

  /** Ends start-up: later registerFunction calls fail. */
  lock(): void {
    this.#locked = true;
  }

  /** The registered functions in registration order. */
  registrations(): Registration[] {
    return [...this.#registrations.values()];
  }

  /** Runs the hooks of `name` in order, each awaited; a throw stops the chain and propagates. */
  async runHooks(name: Exclude<HookName, 'log'>, context: HookContext): Promise<void> {
    for (const hook of [...(this.#hooks.get(name) ?? [])]) await hook(context);
  }

  /** Runs the log hooks synchronously (they may edit level/message); a failing hook is ignored so logging never breaks. */
  runLogHooks(context: HookContext): void {
    for (const hook of [...(this.#hooks.get('log') ?? [])]) {
      try {
        hook(context);
      } catch {
        // A log hook that throws must not lose the user's log line.
      }
    }
  }

  /** True when hooks of this kind are registered. */
  hasHooks(name: HookName): boolean {
    return (this.#hooks.get(name)?.length ?? 0) > 0;
  }
}

let active: CoreModule | undefined;
let lastProgrammingModel: ProgrammingModel | undefined;

function current(): CoreModule {
  if (active === undefined) throw new Error('@azure/functions-core is only available while tide loads a function app.');
  return active;
}

/** The object `require('@azure/functions-core')` returns: forwards to the app being (or last) loaded. */
export const coreApi = Object.freeze({
  get version(): string {
    return CORE_MODULE_VERSION;
  },
  get hostVersion(): string {
    return HOST_VERSION;
  },
  registerFunction: (metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable => current().registerFunction(metadata, callback),
  setProgrammingModel: (model: ProgrammingModel): void => {
    current().setProgrammingModel(model);
  },
  getProgrammingModel: (): ProgrammingModel | undefined => current().getProgrammingModel(),
  registerHook: (name: string, callback: HookCallback): Disposable => current().registerHook(name, callback),
  log: (level: CoreLogLevel, category: CoreLogCategory, message: string): void => {
    if (active) active.log(level, category, message);
  },
  Disposable,
});

export const CORE_MODULE_NAME = '@azure/functions-core';
let installed = false;

/** Patches `Module.prototype.require` once per process so app code can require the core module. */
export function installCoreModuleHook(): void {
  if (installed) return;
  installed = true;
  const proto = Module.prototype as unknown as { require: (this: unknown, id: string) => unknown };
  const original = proto.require;
  proto.require = function requireWithCore(this: unknown, id: string): unknown {
    return id === CORE_MODULE_NAME ? coreApi : original.call(this, id);
  };
}

/** Makes `core` the one app code talks to (installing the require hook if needed). */
export function activateCoreModule(core: CoreModule): void {
  installCoreModuleHook();
  active = core;
}
