// prometheus: scale on the single value of an instant PromQL query.

import { defineScaler, issue } from './define.js';
import { param } from './param.js';
import { milliFromFloatTarget } from './metric-name.js';
import { authModeParams, checkAuthModes, parseAuthModes } from './auth-modes.js';

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
});
