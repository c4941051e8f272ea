// rabbitmq: scale on a queue's length or message rates, over AMQP or the management HTTP API.

import { defineScaler, issue, type IssueResult } from './define.js';
import { param } from './param.js';
import { milliFromFloatTarget } from './metric-name.js';
import type { RabbitMode } from './rabbitmq-values.js';
import { closeRabbit, connectRabbit, readRabbit } from './rabbitmq-read.js';

const MODES = ['QueueLength', 'MessageRate', 'DeliverGetRate', 'PublishedToDeliveredRatio', 'ExpectedQueueConsumptionTime'] as const;
const DEFAULT_QUEUE_LENGTH = 20;

/** The rabbitmq scaler declaration. */
export const rabbitmq = defineScaler({
  type: 'rabbitmq',
  params: {
    host: param.string().required().from('metadata', 'authParams', 'fromEnv').secret(),
    queueName: param.string().required(),
    protocol: param.enum(['auto', 'amqp', 'http']).default('auto').from('metadata', 'authParams'),
    mode: param.enum(MODES),
    value: param.float(),
    activationValue: param.float().default(0),
    queueLength: param.float().deprecated('use mode: QueueLength and value'),
    vhostName: param.string().from('metadata', 'authParams'),
    useRegex: param.bool().default(false),
    excludeUnacknowledged: param.bool().default(false),
    pageSize: param.int().default(100),
    operation: param.enum(['sum', 'avg', 'max']).default('sum'),
    timeout: param.int(),
    username: param.string().from('authParams', 'fromEnv'),
    password: param.string().from('authParams', 'fromEnv').secret(),
    tls: param.enum(['enable', 'disable']).default('disable').from('authParams'),
    ca: param.string().from('authParams'),
    cert: param.string().from('authParams'),
    key: param.string().from('authParams').secret(),
    keyPassword: param.string().from('authParams').secret(),
    unsafeSsl: param.bool().default(false),
    workloadIdentityResource: param.string().from('authParams'),
    oauthTokenURI: param.string().from('authParams'),
    clientID: param.string().from('authParams'),
    clientSecret: param.string().from('authParams').secret(),
    scopes: param.list().from('authParams'),
    endpointParams: param.string().from('authParams'),
  },
  rules: (rule) => [
    rule(['cert', 'key'], (p) => (p.cert === undefined) !== (p.key === undefined) && issue(p.cert === undefined ? 'cert' : 'key', 'cert and key must be given together')),
    rule(['pageSize'], (p) => p.pageSize < 1 && issue('pageSize', 'must be 1 or greater')),
    rule(['username', 'password'], (p) => (p.username === undefined) !== (p.password === undefined) && issue(p.username === undefined ? 'username' : 'password', 'username and password must be given together')),
    rule(['protocol', 'host'], (p) => (protocolOf(p) === undefined ? issue('host', `unknown URL scheme "${schemeOf(p.host)}": use amqp, amqps, http or https, or set protocol`) : undefined)),
    rule(['protocol', 'host', 'workloadIdentityResource'], (p) => protocolOf(p) === 'amqp' && p.workloadIdentityResource !== undefined && issue('workloadIdentityResource', 'workload identity is not supported with the AMQP protocol')),
    rule(['protocol', 'host', 'oauthTokenURI', 'clientID', 'clientSecret', 'username', 'password', 'workloadIdentityResource'], checkOAuth),
    rule(['protocol', 'host', 'useRegex'], (p) => p.useRegex && protocolOf(p) !== 'http' && issue('useRegex', 'needs the HTTP protocol')),
    rule(['protocol', 'host', 'excludeUnacknowledged'], (p) => p.excludeUnacknowledged && protocolOf(p) !== 'http' && issue('excludeUnacknowledged', 'needs the HTTP protocol')),
    rule(['protocol', 'host', 'timeout'], (p) => protocolOf(p) === 'amqp' && p.timeout !== undefined && p.timeout !== 0 && issue('timeout', 'the AMQP protocol does not support a custom timeout')),
    rule(['mode', 'value', 'queueLength', 'protocol', 'host'], checkTrigger),
  ],
  derive: (p, ctx) => ({
    ...p,
    protocol: ctx.assumed.has('host') ? p.protocol : (protocolOf(p) ?? 'amqp'),
    ...trigger(p),
  }),
  metricName: (p) => `rabbitmq-${goQueryEscape(p.queueName)}`,
  target: (p) => ({ value: milliFromFloatTarget(p.value), activation: milliFromFloatTarget(p.activationValue) }),
  connect: (p, ctx) => connectRabbit(p, ctx),
  read: (connection, p, ctx) => readRabbit(connection, p, ctx.signal),
  close: (connection) => closeRabbit(connection),
});

/** The URL scheme of a host, lower-cased as Go's url.Parse does ("" when there is none). */
function schemeOf(host: string): string {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(host)?.[1]?.toLowerCase() ?? '';
}

/** The protocol in use: explicit, or detected from the host's scheme when `auto`; undefined for an unknown scheme. */
export function protocolOf(p: { protocol: 'auto' | 'amqp' | 'http'; host: string }): 'amqp' | 'http' | undefined {
  if (p.protocol !== 'auto') return p.protocol;
  const scheme = schemeOf(p.host);
  if (scheme === 'amqp' || scheme === 'amqps') return 'amqp';
  if (scheme === 'http' || scheme === 'https') return 'http';
  return undefined;
}

interface TriggerParams {
  mode: RabbitMode | undefined;
  value: number | undefined;
  queueLength: number | undefined;
}

/** The effective mode and target: deprecated queueLength, or mode + value, or QueueLength 20 when nothing is set (0 counts as unset, as in KEDA). */
function trigger(p: TriggerParams): { mode: RabbitMode; value: number } {
  const queueLength = p.queueLength ?? 0;
  if (queueLength !== 0) return { mode: 'QueueLength', value: queueLength };
  if (p.mode === undefined && (p.value ?? 0) === 0) return { mode: 'QueueLength', value: DEFAULT_QUEUE_LENGTH };
  return { mode: p.mode ?? 'QueueLength', value: p.value ?? 0 };
}

function checkTrigger(p: TriggerParams & { protocol: 'auto' | 'amqp' | 'http'; host: string }): IssueResult {
  const queueLength = p.queueLength ?? 0;
  const value = p.value ?? 0;
  if (queueLength === 0 && p.mode === undefined && value === 0) return undefined;
  if (queueLength !== 0) return (p.mode !== undefined || value !== 0) && issue('queueLength', 'is deprecated and cannot be combined with mode or value; use mode and value');
  if (p.mode === undefined) return issue('mode', 'required when value is set');
  if (value === 0) return issue('value', `required with mode ${p.mode} (and must not be 0)`);
  if (p.mode !== 'QueueLength' && protocolOf(p) === 'amqp') return issue('mode', `${p.mode} needs the HTTP protocol (protocol is amqp)`);
  return undefined;
}

interface OAuthParams {
  protocol: 'auto' | 'amqp' | 'http';
  host: string;
  oauthTokenURI: string | undefined;
  clientID: string | undefined;
  clientSecret: string | undefined;
  username: string | undefined;
  password: string | undefined;
  workloadIdentityResource: string | undefined;
}

/** OAuth2 needs all three of token URL, client id and secret, works over HTTP only, and excludes other auth. */
function checkOAuth(p: OAuthParams): IssueResult {
  const given = [p.oauthTokenURI, p.clientID, p.clientSecret].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) return issue('oauthTokenURI', 'OAuth2 needs oauthTokenURI, clientID and clientSecret in the TriggerAuthentication');
  if (protocolOf(p) === 'amqp') return issue('oauthTokenURI', 'OAuth2 is supported with the HTTP protocol only');
  if ((p.username !== undefined && p.password !== undefined) || p.workloadIdentityResource !== undefined) {
    return issue('oauthTokenURI', 'OAuth2 cannot be combined with username/password or workload identity');
  }
  return undefined;
}

/** Go's url.QueryEscape: space → '+', everything but letters, digits and `-_.~` percent-encoded. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
