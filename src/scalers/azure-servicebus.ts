// azure-servicebus: scale on the active message count of a Service Bus queue or topic subscription,
// read from the namespace's management API; with useRegex, over every queue (or subscription of the
// topic) whose whole name matches, combined by sum, max or integer average.

import { defineScaler, issue, type IssueResult, type RuleContext } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { checkCloud } from './azure-storage.js';
import { parseSbConnectionString } from './azure-sas.js';
import { ServiceBusAdmin, type EntityCount } from './azure-servicebus-admin.js';

type Operation = 'sum' | 'max' | 'avg';

/** What the reader needs once parameters are valid. */
export interface ServiceBusParams {
  readonly entity: { readonly kind: 'queue'; readonly queueName: string } | { readonly kind: 'subscription'; readonly topicName: string; readonly subscriptionName: string };
  /** Whole-name matcher of queue or subscription names when useRegex is set. */
  readonly pattern: RegExp | undefined;
  readonly operation: Operation;
  readonly messageCount: number;
  readonly activationMessageCount: number;
  readonly connection: string | undefined;
  readonly podIdentity: string | undefined;
}

/** The azure-servicebus scaler declaration. */
export const azureServiceBus = defineScaler({
  type: 'azure-servicebus',
  params: {
    queueName: param.string(),
    topicName: param.string(),
    subscriptionName: param.string(),
    messageCount: param.int().default(5),
    activationMessageCount: param.int().default(0),
    connection: param.string().from('authParams', 'fromEnv').secret(),
    namespace: param.string(),
    cloud: param.string(),
    endpointSuffix: param.string(),
    useRegex: param.bool().default(false),
    // KEDA's code leaves operation empty (regex results then read 0); its docs promise sum: tide does what the docs say.
    operation: param.enum(['sum', 'max', 'avg']).default('sum'),
  },
  rules: (rule) => [
    rule(['queueName', 'topicName', 'subscriptionName', 'useRegex'], checkEntity),
    rule(['connection', 'namespace'], (p, ctx) => checkCredential(p, ctx)),
    rule(['cloud', 'endpointSuffix'], (p, ctx) => (ctx.podIdentity === 'azure-workload' ? checkCloud(p) : undefined)),
  ],
  derive: (p, ctx): ServiceBusParams => {
    const entity = p.queueName !== undefined
      ? { kind: 'queue' as const, queueName: p.queueName }
      : { kind: 'subscription' as const, topicName: p.topicName ?? '', subscriptionName: p.subscriptionName ?? '' };
    const source = entity.kind === 'queue' ? entity.queueName : entity.subscriptionName;
    return {
      entity,
      pattern: p.useRegex ? wholeNameRegex(source) : undefined,
      operation: p.operation,
      messageCount: p.messageCount,
      activationMessageCount: p.activationMessageCount,
      connection: p.connection,
      podIdentity: ctx.podIdentity,
    };
  },
  metricNameDoc: 's<index>-azure-servicebus-<queueName or topicName>; with useRegex s<index>-azure-servicebus-queue-regex or -topic-regex',
  metricName: (p) => {
    const name = p.entity.kind === 'queue' ? p.entity.queueName : p.entity.topicName;
    return `azure-servicebus-${p.pattern ? `${p.entity.kind === 'queue' ? 'queue' : 'topic'}-regex` : name}`;
  },
  target: (p) => ({ value: milliFromInt(p.messageCount), activation: milliFromInt(p.activationMessageCount) }),
  connect: (p) => {
    if (p.connection === undefined) throw new Error(`${p.podIdentity ?? 'pod identity'} authentication is not supported by tide yet; use a connection string`);
    const parsed = parseSbConnectionString(p.connection);
    if ('error' in parsed) throw new Error(parsed.error);
    return new ServiceBusAdmin(parsed.value);
  },
  read: async (admin, p, ctx) => ({ value: await activeMessages(admin, p, ctx.now, ctx.signal) }),
});

/** KEDA's entity rules, in its order: queue excludes subscription and topic; topic needs a subscription. */
function checkEntity(p: { queueName: string | undefined; topicName: string | undefined; subscriptionName: string | undefined; useRegex: boolean }): IssueResult {
  if (p.queueName !== undefined) {
    if (p.subscriptionName !== undefined) return issue('subscriptionName', 'subscription name provided with queue name');
    if (p.topicName !== undefined) return issue('topicName', 'both topic and queue name metadata provided');
    if (p.useRegex && !wholeNameRegex(p.queueName)) return issue('queueName', 'queueName is not a valid regular expression');
    return undefined;
  }
  if (p.topicName !== undefined) {
    if (p.subscriptionName === undefined) return issue('subscriptionName', 'no subscription name provided with topic name');
    if (p.useRegex && !wholeNameRegex(p.subscriptionName)) return issue('subscriptionName', 'subscriptionName is not a valid regular expression');
    return undefined;
  }
  return { path: 'metadata', message: 'no service bus entity type set (set queueName, or topicName and subscriptionName)' };
}

function checkCredential(p: { connection: string | undefined; namespace: string | undefined }, ctx: RuleContext): IssueResult {
  const provider = ctx.podIdentity;
  if (provider === undefined || provider === '' || provider === 'none') {
    return p.connection === undefined ? issue('connection', 'no connection setting given (set metadata.connectionFromEnv or a TriggerAuthentication parameter "connection")') : undefined;
  }
  if (provider === 'azure-workload') {
    if (p.namespace === undefined) return issue('namespace', 'namespace are required when using pod identity');
    return { path: 'authenticationRef', message: 'azure-workload pod identity is not supported by tide yet: reads will fail; use a connection string', severity: 'warning' };
  }
  return { path: 'authenticationRef', message: `azure service bus doesn't support pod identity ${provider}` };
}

/**
 * Go's regexp with Longest(), used as KEDA does (`FindString(name) == name`), accepts a name iff the
 * whole name matches: anchoring the JS pattern gives the same answer. A leading `(?i)` (RE2's flag
 * group, which JS lacks) becomes the `i` flag. Undefined when the pattern does not compile.
 */
export function wholeNameRegex(source: string): RegExp | undefined {
  const insensitive = source.startsWith('(?i)');
  try {
    return new RegExp(`^(?:${insensitive ? source.slice(4) : source})$`, insensitive ? 'i' : '');
  } catch {
    return undefined;
  }
}

/** KEDA's performOperation: sum, max, or the sum integer-divided by the count (0 for no match). */
export function combineCounts(counts: readonly number[], operation: Operation): number {
  if (operation === 'max') return counts.reduce((m, c) => Math.max(m, c), 0);
  const sum = counts.reduce((s, c) => s + c, 0);
  return operation === 'avg' && counts.length > 0 ? Math.trunc(sum / counts.length) : sum;
}

async function activeMessages(admin: ServiceBusAdmin, p: ServiceBusParams, now: number, signal: AbortSignal): Promise<number> {
  const e = p.entity;
  if (p.pattern) {
    const all: EntityCount[] = e.kind === 'queue' ? await admin.queues(now, signal) : await admin.subscriptions(e.topicName, now, signal);
    const pattern = p.pattern;
    return combineCounts(all.filter((x) => pattern.test(x.name)).map((x) => x.active), p.operation);
  }
  if (e.kind === 'queue') {
    const count = await admin.queue(e.queueName, now, signal);
    if (count === undefined) throw new Error(`queue ${e.queueName} doesn't exist`);
    return count;
  }
  const count = await admin.subscription(e.topicName, e.subscriptionName, now, signal);
  if (count === undefined) throw new Error(`subscription ${e.subscriptionName} doesn't exist in topic ${e.topicName}`);
  return count;
}
