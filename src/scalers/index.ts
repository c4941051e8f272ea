// Registry of scaler declarations by trigger type, including KEDA's aliases that share a declaration.

import { nearest } from '../api/nearest.js';
import type { ConnectContext, ParseInput, ParseResult, ReadContext, Reading, ScalerDeclaration } from './define.js';
import type { ParamShape } from './param.js';
import { azureBlob } from './azure-blob.js';
import { azureEventHub } from './azure-eventhub.js';
import { azureQueue } from './azure-queue.js';
import { azureServiceBus } from './azure-servicebus.js';
import { cpu, memory } from './cpu-memory.js';
import { cron } from './cron.js';
import { external } from './external.js';
import { externalPush } from './external-push.js';
import { kafka } from './kafka.js';
import { metricsApi } from './metrics-api.js';
import { mysqlScaler } from './mysql.js';
import { natsJetStream } from './nats-jetstream.js';
import { postgresql } from './postgresql.js';
import { prometheus } from './prometheus.js';
import { rabbitmq } from './rabbitmq.js';
import { redis } from './redis.js';
import { redisStreams } from './redis-streams.js';

/** A scaler with its parameter types erased, as the registry hands it out. */
export interface AnyScaler {
  readonly type: string;
  readonly aliases?: readonly string[];
  readonly params: ParamShape;
  readonly metricTypes?: ScalerDeclaration<ParamShape, unknown>['metricTypes'];
  readonly parse: (input: ParseInput) => ParseResult<unknown>;
  readonly metricNameDoc?: string;
  // Parameters and connections are typed per declaration; erased here as `never` in, `unknown` out.
  // Only src/scalers/instance.ts calls these, always with what parse() and connect() returned.
  readonly connect?: (params: never, ctx: ConnectContext) => unknown;
  readonly read?: (connection: never, params: never, ctx: ReadContext) => Promise<Reading> | Reading;
  readonly close?: (connection: never) => Promise<void> | void;
  readonly subscribe?: (connection: never, params: never, onActive: () => void) => () => void;
}

const SCALERS: readonly AnyScaler[] = [azureQueue, azureBlob, azureServiceBus, azureEventHub, rabbitmq, redis, redisStreams, kafka, prometheus, cron, metricsApi, cpu, memory, external, externalPush, postgresql, mysqlScaler, natsJetStream];

const BY_TYPE: ReadonlyMap<string, AnyScaler> = new Map(SCALERS.flatMap((s) => [s.type, ...(s.aliases ?? [])].map((t) => [t, s] as const)));

/** The declaration serving a trigger type (aliases included), or undefined for an unknown type. */
export function scalerFor(type: string): AnyScaler | undefined {
  return BY_TYPE.get(type);
}

/** Every scaler declaration once (aliases not repeated), in registry order. */
export function allScalers(): readonly AnyScaler[] {
  return SCALERS;
}

/** Every trigger type tide can parse, aliases included, sorted. */
export function knownScalerTypes(): string[] {
  return [...BY_TYPE.keys()].sort();
}

/** The known type closest to an unknown one, for "did you mean" messages. */
export function nearestScalerType(type: string): string | undefined {
  return nearest(type, BY_TYPE.keys());
}

/** The scaler for a type, or a message naming the nearest known type. */
export function lookupScaler(type: string): { readonly scaler: AnyScaler } | { readonly error: string } {
  const scaler = scalerFor(type);
  if (scaler) return { scaler };
  const suggestion = nearestScalerType(type);
  return { error: `unknown trigger type "${type}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` };
}

export { defineScaler, issue, caution } from './define.js';
export type { MetricSpec, MetricTargetType, ParseInput, ParseResult, Scaler, ScalerDeclaration, RuleContext, Issue } from './define.js';
export { param } from './param.js';
export { metricNameWithIndex, normalizeMetricName } from './metric-name.js';
export { cronActivity } from './cron.js';
export { kafkaLag, partitionLag, evenDistributionFactor } from './kafka-lag.js';
export { rabbitReading, combineQueues, queueMessageCount } from './rabbitmq-values.js';
export { redisStreamsMode } from './redis-streams.js';
