// A small Prometheus registry for the host (text exposition format 0.0.4), so the runtime bundle
// needs no metrics library. Other host modules increment the instruments of `HostMetrics`; the HTTP
// server renders `/metrics` from the registry.

/** Label values by label name. */
export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels, by?: number): void;
  dec(labels?: Labels, by?: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

/** Creates instruments and renders them. Creating a name twice returns the first instrument. */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  /** The text exposition of every instrument. */
  render(): string;
}

/** The Content-Type of `render()`'s output. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus client libraries' default buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: Labels;
  value: number;
  buckets?: number[];
  sum?: number;
}

interface Family {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  buckets: readonly number[];
  series: Map<string, Series>;
}

const labelKey = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A number as Prometheus writes it (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra) pairs.push([extra[0], extra[1]]);
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** A new, empty registry. */
export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();
  const family = (name: string, type: Family['type'], help: string, buckets: readonly number[] = []): Family => {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name "${name}"`);
    const existing = families.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric "${name}" is already a ${existing.type}`);
      return existing;
    }
    const created: Family = { type, help, buckets: [...buckets].sort((a, b) => a - b), series: new Map() };
    families.set(name, created);
    return created;
  };
  const series = (f: Family, labels: Labels): Series => {
    const key = labelKey(labels);
    let s = f.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      if (f.type === 'histogram') {
        s.buckets = f.buckets.map(() => 0);
        s.sum = 0;
      }
      f.series.set(key, s);
    }
    return s;
  };
  return {
    counter(name, help) {
      const f = family(name, 'counter', help);
      return {
        inc(labels = {}, by = 1) {
          if (by < 0) throw new Error(`counter "${name}" cannot decrease`);
          series(f, labels).value += by;
        },
      };
    },
    gauge(name, help) {
      const f = family(name, 'gauge', help);
      return {
        set: (labels, value) => {
          series(f, labels).value = value;
        },
        inc: (labels = {}, by = 1) => {
          series(f, labels).value += by;
        },
        dec: (labels = {}, by = 1) => {
          series(f, labels).value -= by;
        },
      };
    },
    histogram(name, help, buckets = DEFAULT_BUCKETS) {
      const f = family(name, 'histogram', help, buckets);
      return {
        observe(labels, value) {
          const s = series(f, labels);
          s.value += 1;
          s.sum = (s.sum ?? 0) + value;
          f.buckets.forEach((le, i) => {
            if (value <= le && s.buckets) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
          });
        },
      };
    },
    render: () => [...families].map(([name, f]) => renderFamily(name, f)).join(''),
  };
}

function renderFamily(name: string, f: Family): string {
  let out = `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n`;
  for (const s of f.series.values()) {
    if (f.type !== 'histogram') {
      out += `${name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`;
      continue;
    }
    f.buckets.forEach((le, i) => {
      out += `${name}_bucket${formatLabels(s.labels, ['le', formatValue(le)])} ${s.buckets?.[i] ?? 0}\n`;
    });
    out += `${name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.value}\n`;
    out += `${name}_sum${formatLabels(s.labels)} ${formatValue(s.sum ?? 0)}\n`;
    out += `${name}_count${formatLabels(s.labels)} ${s.value}\n`;
  }
  return out;
}

/** How a message left the host: deleted/acked (completed), given back for another try (retried), or poisoned. */
export type SettleResult = 'completed' | 'retried' | 'poisoned';

/** The host's own instruments: what triggers and the dispatcher report. */
export interface HostMetrics {
  readonly registry: MetricsRegistry;
  /** An invocation started (in-flight +1). */
  invocationStarted(fn: string): void;
  /** An invocation ended (in-flight −1, execution counted, duration observed in seconds). */
  invocationFinished(fn: string, outcome: 'success' | 'failure', durationMs: number): void;
  messageReceived(fn: string, trigger: string, count?: number): void;
  messageSettled(fn: string, trigger: string, result: SettleResult): void;
}

/** Registers the host instruments (`tide_function_*`, `tide_messages_*`) on `registry`. */
export function createHostMetrics(registry: MetricsRegistry = createMetricsRegistry()): HostMetrics {
  const executions = registry.counter('tide_function_executions_total', 'Function invocations by function and outcome (success, failure).');
  const duration = registry.histogram('tide_function_duration_seconds', 'Function invocation duration in seconds.');
  const inFlight = registry.gauge('tide_function_in_flight', 'Function invocations running now.');
  const received = registry.counter('tide_messages_received_total', 'Messages received from trigger sources.');
  const settled = registry.counter('tide_messages_settled_total', 'Messages settled: completed, retried or poisoned.');
  const poisoned = registry.counter('tide_messages_poisoned_total', 'Messages moved to a poison queue or dead-letter destination.');
  return {
    registry,
    invocationStarted: (fn) => {
      inFlight.inc({ function: fn });
    },
    invocationFinished: (fn, outcome, durationMs) => {
      inFlight.dec({ function: fn });
      executions.inc({ function: fn, outcome });
      duration.observe({ function: fn }, durationMs / 1000);
    },
    messageReceived: (fn, trigger, count = 1) => {
      received.inc({ function: fn, trigger }, count);
    },
    messageSettled: (fn, trigger, result) => {
      settled.inc({ function: fn, trigger, result });
      if (result === 'poisoned') poisoned.inc({ function: fn, trigger });
    },
  };
}
