// The parameter-declaration DSL of scaler files: `param.int().default(5)`, `param.string().required()
// .from('authParams', 'metadata', 'fromEnv').secret()`. A declaration says what a trigger parameter is,
// where it may come from (in KEDA's lookup order) and how its text becomes a typed value; parse.ts
// applies the declarations to a trigger.

import { nearest } from '../api/nearest.js';
import { parseQuantity } from '../api/quantity.js';

/** Where a parameter value may come from: trigger metadata, a TriggerAuthentication parameter, or `<name>FromEnv`. */
export type Source = 'authParams' | 'metadata' | 'fromEnv';

/** The value kinds the DSL knows. */
export type ParamKind = 'string' | 'int' | 'float' | 'bool' | 'quantity' | 'enum' | 'list' | 'map';

/** How a missing parameter is treated. */
export type Presence = 'optional' | 'required' | 'requiredUnlessMetricSource' | 'default';

/** Result of turning a parameter's text into its value; `error` never contains the text itself. */
export type Converted<T> = { readonly value: T } | { readonly error: string };

/** Everything parse.ts needs to know about one declared parameter. */
export interface ParamSpec {
  readonly kind: ParamKind;
  readonly sources: readonly Source[];
  readonly presence: Presence;
  readonly defaultValue?: unknown;
  readonly secret: boolean;
  readonly deprecated?: string;
  readonly removed?: string;
  readonly aliases: readonly string[];
  readonly enumValues?: readonly string[];
  readonly convert: (text: string) => Converted<unknown>;
  /** Value used when the parameter is absent in metric-source mode (Go's zero value). */
  readonly zero: unknown;
}

/** A declared parameter whose parsed value has type `T` (`undefined` when optional and absent). */
export class Param<T> {
  /** Phantom field carrying `T` for type inference; never set. */
  declare readonly __type?: T;

  constructor(readonly spec: ParamSpec) {}

  private with<U>(changes: Partial<ParamSpec>): Param<U> {
    return new Param<U>({ ...this.spec, ...changes });
  }

  /** Absent → a "required" problem naming every place the value may be set. */
  required(): Param<Exclude<T, undefined>> {
    return this.with({ presence: 'required' });
  }

  /** Required unless the ScaledObject has scalingModifiers (metric-source mode), where absence gives 0. */
  requiredUnlessMetricSource(): Param<Exclude<T, undefined>> {
    return this.with({ presence: 'requiredUnlessMetricSource' });
  }

  /** Value used when absent, written as it would appear in metadata (`'5'`, `5`, `true`). */
  default(text: string | number | boolean): Param<Exclude<T, undefined>> {
    const converted = this.spec.convert(String(text));
    if ('error' in converted) throw new Error(`invalid default ${String(text)}: ${converted.error}`);
    return this.with({ presence: 'default', defaultValue: converted.value });
  }

  /** Allowed sources, listed in KEDA's lookup order (the first one holding a non-empty value wins). */
  from(...sources: Source[]): Param<T> {
    if (sources.length === 0) throw new Error('from() needs at least one source');
    return this.with({ sources });
  }

  /** Other names KEDA accepts for the same parameter (`addresses` for `address`). */
  alias(...names: string[]): Param<T> {
    return this.with({ aliases: [...this.spec.aliases, ...names] });
  }

  /** The value is a credential: it is never printed, not even in error messages. */
  secret(): Param<T> {
    return this.with({ secret: true });
  }

  /** Still honoured, but setting it gives a warning with `message`. */
  deprecated(message: string): Param<T> {
    return this.with({ deprecated: message });
  }

  /** No longer honoured: setting it is an error with `message` (KEDA's `deprecated` tag). */
  removed(message: string): Param<undefined> {
    return this.with({ removed: message });
  }
}

/** Declarations of any value type, as stored in a scaler's `params` object. */
export type AnyParam = Param<unknown>;

/** The shape of a scaler's `params` object. */
export type ParamShape = Record<string, AnyParam>;

/** The typed parameters a shape parses into. */
export type ParamsOf<S extends ParamShape> = { -readonly [K in keyof S]: S[K] extends Param<infer T> ? T : never };

// Go's JSON number grammar: KEDA's typed config unmarshals numbers with encoding/json, so "+1", ".5"
// and "05" are rejected there and must be rejected here too.
const JSON_INT = /^-?(0|[1-9]\d*)$/;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function make<T>(kind: ParamKind, convert: (text: string) => Converted<unknown>, zero: unknown, extra: Partial<ParamSpec> = {}): Param<T | undefined> {
  return new Param<T | undefined>({ kind, sources: ['metadata'], presence: 'optional', secret: false, aliases: [], convert, zero, ...extra });
}

function toInt(text: string): Converted<number> {
  if (!JSON_INT.test(text)) return { error: 'is not an integer' };
  const value = Number(text);
  return Number.isSafeInteger(value) ? { value } : { error: 'is out of range' };
}

function toFloat(text: string): Converted<number> {
  if (!JSON_NUMBER.test(text)) return { error: 'is not a number' };
  const value = Number(text);
  return Number.isFinite(value) ? { value } : { error: 'is out of range' };
}

function toBool(text: string): Converted<boolean> {
  if (TRUE.has(text)) return { value: true };
  if (FALSE.has(text)) return { value: false };
  return { error: 'is not a boolean (use true or false)' };
}

function toQuantity(text: string): Converted<number> {
  const parsed = parseQuantity(text);
  return 'milli' in parsed ? { value: parsed.milli } : { error: 'is not a quantity (expected a number such as 5, 2.5, 1500m or 2k)' };
}

function toList(text: string): Converted<string[]> {
  return { value: text.split(',').map((item) => item.trim()) };
}

function toMap(text: string): Converted<Record<string, string>> {
  const value: Record<string, string> = {};
  for (const item of text.split(',')) {
    const parts = item.trim().split('=');
    if (parts.length !== 2) return { error: 'is not a list of key=value pairs separated by commas' };
    const [key = '', val = ''] = parts;
    value[key.trim()] = val.trim();
  }
  return { value };
}

function toEnum<E extends string>(values: readonly E[]): (text: string) => Converted<E> {
  return (text) => {
    const found = values.find((v) => v === text);
    if (found !== undefined) return { value: found };
    const suggestion = nearest(text, values);
    return { error: `is not one of ${values.join(', ')}${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` };
  };
}

/** Parameter constructors; every parameter starts optional, read from metadata only. */
export const param = {
  /** Free text. */
  string: () => make<string>('string', (text) => ({ value: text }), ''),
  /** A whole number (Go int64 via JSON: no sign, fraction or leading zero). */
  int: () => make<number>('int', toInt, 0),
  /** A float64 (JSON number grammar). */
  float: () => make<number>('float', toFloat, 0),
  /** true/false (also Go's 1/0/t/f/TRUE/FALSE). */
  bool: () => make<boolean>('bool', toBool, false),
  /** A Kubernetes quantity, parsed to integer milli-units. */
  quantity: () => make<number>('quantity', toQuantity, 0),
  /** One of the given strings, matched exactly. */
  enum: <const E extends string>(values: readonly E[]) => make<E>('enum', toEnum(values), undefined, { enumValues: values }),
  /** Comma-separated strings, each trimmed. */
  list: () => make<string[]>('list', toList, []),
  /** `k=v,k2=v2`, keys and values trimmed. */
  map: () => make<Record<string, string>>('map', toMap, {}),
};
