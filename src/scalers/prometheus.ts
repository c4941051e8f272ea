// prometheus: scale on the single value of an instant PromQL query.

import { defineScaler, issue } from './define.js';
import { param } from './param.js';
import { milliFromFloatTarget } from './metric-name.js';
import { authModeParams, checkAuthModes, parseAuthModes } from './auth-modes.js';
import { HttpClient, describeUrl } from './http-client.js';

/** The prometheus scaler declaration. */
export const prometheus = defineScaler({
  type: 'prometheus',
  params: {
    serverAddress: param.string().required(),
    query: param.string().required(),
    threshold: param.float().requiredUnlessMetricSource(),
    activationThreshold: param.float().default(0),
    namespace: param.string(),
    customHeaders: param.map(),
    queryParameters: param.map(),
    ignoreNullValues: param.bool().default(true),
    unsafeSsl: param.bool().default(false),
    timeout: param.int(),
    awsRegion: param.string().from('metadata', 'authParams'),
    awsEndpoint: param.string(),
    identityOwner: param.string(),
    ...authModeParams,
  },
  rules: (rule) => [
    rule(['serverAddress'], (p) => !/^https?:\/\//i.test(p.serverAddress) && issue('serverAddress', 'must be an http:// or https:// URL')),
    rule(['timeout'], (p) => p.timeout !== undefined && p.timeout < 0 && issue('timeout', 'must not be negative (milliseconds)')),
    ...checkAuthModes(rule),
  ],
  derive: (p) => ({ ...p, authModes: parseAuthModes(p.authModes).modes }),
  metricName: () => 'prometheus',
  target: (p) => ({ value: milliFromFloatTarget(p.threshold), activation: milliFromFloatTarget(p.activationThreshold) }),
  connect: (p) => new HttpClient({ unsafeSsl: p.unsafeSsl, auth: p }),
  async read(client, p, ctx) {
    const url = new URL(queryUrl(p, ctx.now));
    const response = await client.get(url.toString(), { signal: ctx.signal, timeoutMs: p.timeout ?? ctx.timeoutMs, headers: p.customHeaders });
    if (response.status < 200 || response.status > 299) throw new Error(`prometheus query api at ${describeUrl(url)} returned HTTP ${response.status}`);
    const value = promQueryValue(response.body, p.query, p.ignoreNullValues);
    if (typeof value === 'string') throw new Error(value);
    // KEDA compares the float, not the milli-quantity: 5.0004 is above an activation threshold of 5.
    return { value, active: value > p.activationThreshold };
  },
  close: (client) => {
    client.close();
  },
});

/** Parameters the query URL is built from. */
export interface PromQuery {
  readonly serverAddress: string;
  readonly query: string;
  readonly namespace: string | undefined;
  readonly queryParameters: Readonly<Record<string, string>> | undefined;
}

/** KEDA's instant-query URL: `/api/v1/query?query=…&time=<RFC 3339 UTC, seconds>`, then namespace and extra parameters. */
export function queryUrl(p: PromQuery, now: number): string {
  const time = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let url = `${p.serverAddress}/api/v1/query?query=${encodeURIComponent(p.query)}&time=${time}`;
  // Thanos Querier and Prometheus proxies scope a query by namespace.
  if (p.namespace !== undefined && p.namespace !== '') url += `&namespace=${encodeURIComponent(p.namespace)}`;
  for (const [key, value] of Object.entries(p.queryParameters ?? {})) url += `&${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  return url;
}

/** The single value of an instant-query answer by KEDA's rules, or the error message. */
export function promQueryValue(body: string, query: string, ignoreNullValues: boolean): number | string {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return `prometheus query ${query} answered with something that is not JSON`;
  }
  const data = (answer as { data?: { resultType?: unknown; result?: unknown } } | null)?.data;
  const result = data?.result;
  if (!Array.isArray(result)) return `prometheus query ${query} answered without a data.result list`;
  if (data?.resultType !== undefined && data.resultType !== 'vector' && data.resultType !== 'matrix') {
    return `prometheus query ${query} returned a ${JSON.stringify(data.resultType)}, not an instant vector`;
  }
  const lost = (what: string): number | string => (ignoreNullValues ? 0 : `prometheus metrics 'prometheus' target may be lost, ${what}`);
  if (result.length === 0) return lost('the result is empty');
  if (result.length > 1) return `prometheus query ${query} returned multiple elements`;
  const sample: unknown = (result[0] as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(sample) || sample.length === 0 || sample[1] === null) return lost('the value list is empty');
  if (sample.length < 2) return `prometheus query ${query} didn't return enough values`;
  const text: unknown = sample[1];
  const value = typeof text === 'string' ? parseGoFloat(text) : Number.NaN;
  if (value === undefined) return `prometheus query ${query} returned a value that is not a number: ${String(text).slice(0, 40)}`;
  if (!Number.isFinite(value)) return ignoreNullValues ? 0 : `prometheus query returns ${value}`;
  return value;
}

/** strconv.ParseFloat's accepted spellings as Prometheus writes them (NaN, +Inf, -Inf, decimals, exponents). */
function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
