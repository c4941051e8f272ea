// metrics-api: scale on a number read from any HTTP endpoint (JSON, XML, YAML or Prometheus text).

import { defineScaler, issue, type IssueResult } from './define.js';
import { param } from './param.js';
import { milliFromFloatTarget } from './metric-name.js';
import { authModeParams, checkAuthModes, parseAuthModes } from './auth-modes.js';
import { HttpClient, describeUrl } from './http-client.js';
import { valueFromBody } from './metrics-api-values.js';

/** The metrics-api scaler declaration. */
export const metricsApi = defineScaler({
  type: 'metrics-api',
  params: {
    url: param.string().required(),
    valueLocation: param.string().required(),
    targetValue: param.float().requiredUnlessMetricSource(),
    activationTargetValue: param.float().default(0),
    format: param.enum(['json', 'xml', 'yaml', 'prometheus']).default('json'),
    unsafeSsl: param.bool().default(false),
    timeout: param.int(),
    aggregateFromKubeServiceEndpoints: param.bool().default(false),
    aggregationType: param.enum(['average', 'sum', 'max', 'min']).default('average'),
    ...authModeParams,
  },
  rules: (rule) => [
    rule(['targetValue'], (p, ctx) => p.targetValue === 0 && !ctx.metricSource && issue('targetValue', 'must not be 0')),
    rule(['url', 'aggregateFromKubeServiceEndpoints'], checkUrl),
    rule(['timeout'], (p) => p.timeout !== undefined && p.timeout < 0 && issue('timeout', 'must not be negative (milliseconds)')),
    ...checkAuthModes(rule),
  ],
  derive: (p) => ({ ...p, authModes: parseAuthModes(p.authModes).modes }),
  metricName: (p) => `metric-api-${p.valueLocation}`,
  target: (p) => ({ value: milliFromFloatTarget(p.targetValue), activation: milliFromFloatTarget(p.activationTargetValue) }),
  connect: (p) => {
    if (p.aggregateFromKubeServiceEndpoints) {
      throw new Error('aggregateFromKubeServiceEndpoints needs Kubernetes (it reads the EndpointSlices of the Service); tide cannot use it outside a cluster yet');
    }
    return new HttpClient({ unsafeSsl: p.unsafeSsl, auth: p });
  },
  async read(client, p, ctx) {
    const response = await client.get(p.url, { signal: ctx.signal, timeoutMs: p.timeout ?? ctx.timeoutMs });
    if (response.status !== 200) throw new Error(`error requesting metrics endpoint: ${describeUrl(new URL(p.url))}: api returned ${response.status}`);
    const found = valueFromBody(response.body, p.valueLocation, p.format);
    if ('error' in found) throw new Error(`error requesting metrics endpoint: ${found.error}`);
    // KEDA compares the float, not the milli-quantity.
    return { value: found.value, active: found.value > p.activationTargetValue };
  },
  close: (client) => {
    client.close();
  },
});

/** The URL must be http(s); aggregating over a Service's endpoints needs a `<service>.<namespace>` host. */
function checkUrl(p: { url: string; aggregateFromKubeServiceEndpoints: boolean }): IssueResult {
  let host: string;
  try {
    const parsed = new URL(p.url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return issue('url', 'must be an http:// or https:// URL');
    host = parsed.hostname;
  } catch {
    return issue('url', 'is not a URL');
  }
  if (p.aggregateFromKubeServiceEndpoints && host.split('.').length < 2) {
    return issue('url', `host "${host}" must be <service>.<namespace>[.svc…] with aggregateFromKubeServiceEndpoints`);
  }
  return undefined;
}
