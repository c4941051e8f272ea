// How an eventHubTrigger / eventHub output binding is configured, as the Event Hubs extension reads
// it: `connection` names the setting holding the namespace connection string (identity-based
// `<name>__fullyQualifiedNamespace` sections are refused: this host has no Azure credential chain),
// `eventHubName` (legacy `path`, `%NAME%` resolved) wins over the string's EntityPath, `consumerGroup`
// ($Default), and host.json extensions.eventHubs (maxEventBatchSize 100 as in extension 6.x,
// batchCheckpointFrequency 1, prefetchCount 300, maxWaitTime 00:01:00, initialOffsetOptions fromStart).

import { earliestEventPosition, latestEventPosition, type EventPosition } from '@azure/event-hubs';
import type { BindingDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type HostContext } from '../contract.js';
import { stringOption } from '../settings.js';
import { parseTimeSpan } from './queue-options.js';
import { caseless } from './rabbitmq-connection.js';

/** The blob container checkpoints and ownership records live in (as the Functions host uses). */
export const CHECKPOINT_CONTAINER = 'azure-webjobs-eventhub';

/** A resolved Event Hubs connection: the string without EntityPath, and the hub to use. */
export interface EventHubConnection {
  readonly setting: string;
  readonly connectionString: string;
  readonly eventHubName: string;
}

/** host.json extensions.eventHubs as the trigger uses it. */
export interface EventHubsExtensionOptions {
  readonly maxEventBatchSize: number;
  readonly batchCheckpointFrequency: number;
  readonly prefetchCount: number;
  readonly maxWaitTimeMs: number;
  readonly initialPosition: EventPosition;
}

function entityPath(connectionString: string): string | undefined {
  const part = connectionString.split(';').find((p) => p.trim().toLowerCase().startsWith('entitypath='));
  return part === undefined ? undefined : part.slice(part.indexOf('=') + 1).trim();
}

/** Resolves the binding's connection and hub name; a missing setting or hub is a BindingConfigError naming it. */
export function eventHubConnection(binding: BindingDefinition, ctx: HostContext, where: string): EventHubConnection {
  const setting = stringOption(binding.options, 'connection', ctx.settings, where);
  if (setting === undefined || setting === '') throw new BindingConfigError(`${where}: "connection" is required (the name of a setting holding the Event Hubs connection string)`);
  const value = ctx.settings[setting] ?? ctx.settings[`AzureWebJobs${setting}`];
  if (value === undefined || value === '') {
    const identity = ctx.settings[`${setting}__fullyQualifiedNamespace`] !== undefined;
    throw new BindingConfigError(identity
      ? `${where}: connection "${setting}" is identity-based (${setting}__fullyQualifiedNamespace); only connection strings are supported`
      : `${where}: connection setting "${setting}" is not set (add it to local.settings.json Values or the environment)`);
  }
  if (!/(^|;)\s*Endpoint\s*=/i.test(value)) throw new BindingConfigError(`${where}: connection setting "${setting}" is not an Event Hubs connection string (no Endpoint=)`);
  const fromString = entityPath(value);
  const named = stringOption(binding.options, 'eventHubName', ctx.settings, where) ?? stringOption(binding.options, 'path', ctx.settings, where);
  const eventHubName = named !== undefined && named !== '' ? named : fromString;
  if (eventHubName === undefined || eventHubName === '') throw new BindingConfigError(`${where}: "eventHubName" is required when the connection string has no EntityPath`);
  if (fromString !== undefined && fromString !== eventHubName) ctx.log.warn(`${where}: eventHubName "${eventHubName}" differs from the connection string's EntityPath "${fromString}"; using "${eventHubName}"`);
  const connectionString = value.split(';').filter((p) => !p.trim().toLowerCase().startsWith('entitypath=')).join(';');
  return { setting, connectionString, eventHubName };
}

function sectionOf(hostJson: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const extensions = caseless(hostJson, 'extensions');
  const raw = extensions !== null && typeof extensions === 'object' ? caseless(extensions as Record<string, unknown>, 'eventHubs') : undefined;
  return raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
}

function initialPosition(raw: unknown, where: string): EventPosition {
  const o = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const type = caseless(o, 'type') ?? 'fromStart';
  if (typeof type === 'string' && type.toLowerCase() === 'fromstart') return earliestEventPosition;
  if (typeof type === 'string' && type.toLowerCase() === 'fromend') return latestEventPosition;
  if (typeof type === 'string' && type.toLowerCase() === 'fromenqueuedtime') {
    const at = caseless(o, 'enqueuedTimeUtc');
    const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (Number.isNaN(ms)) throw new BindingConfigError(`${where}.initialOffsetOptions.enqueuedTimeUtc must be a date when type is fromEnqueuedTime`);
    return { enqueuedOn: ms };
  }
  throw new BindingConfigError(`${where}.initialOffsetOptions.type must be fromStart, fromEnd or fromEnqueuedTime`);
}

/** Reads host.json extensions.eventHubs; a bad value is a BindingConfigError naming the key. */
export function eventHubsExtension(hostJson: Readonly<Record<string, unknown>>): EventHubsExtensionOptions {
  const where = 'host.json extensions.eventHubs';
  const s = sectionOf(hostJson);
  const int = (key: string, fallback: number, min: number): number => {
    const v = caseless(s, key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new BindingConfigError(`${where}.${key} must be a whole number ≥ ${min}`);
    return v;
  };
  const wait = caseless(s, 'maxWaitTime') ?? '00:01:00';
  const maxWaitTimeMs = typeof wait === 'string' ? parseTimeSpan(wait) : undefined;
  if (maxWaitTimeMs === undefined || maxWaitTimeMs < 1_000) throw new BindingConfigError(`${where}.maxWaitTime must be a TimeSpan of at least 00:00:01`);
  return {
    maxEventBatchSize: int('maxEventBatchSize', 100, 1),
    batchCheckpointFrequency: int('batchCheckpointFrequency', 1, 1),
    prefetchCount: int('prefetchCount', 300, 0),
    maxWaitTimeMs,
    initialPosition: initialPosition(caseless(s, 'initialOffsetOptions'), where),
  };
}
