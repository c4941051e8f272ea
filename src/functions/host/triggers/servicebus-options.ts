// What a serviceBusTrigger / serviceBus binding needs, read from the binding, the app settings and
// host.json extensions.serviceBus (5.x names and defaults): the connection string (setting named by
// `connection`, default AzureWebJobsServiceBus), the entity (queueName, or topicName with
// subscriptionName for a trigger; `%NAME%` resolved), and the processor limits.

import { cpus } from 'node:os';
import type { BindingDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type HostContext } from '../contract.js';
import { connectionSetting, stringOption } from '../settings.js';
import { parseTimeSpan } from './queue-options.js';

/** The setting a binding without `connection` reads, as in the ServiceBus extension. */
export const DEFAULT_CONNECTION = 'AzureWebJobsServiceBus';

export type ServiceBusEntity =
  | { readonly kind: 'queue'; readonly queueName: string }
  | { readonly kind: 'subscription'; readonly topicName: string; readonly subscriptionName: string };

/** host.json extensions.serviceBus, with the extension's defaults. */
export interface ServiceBusProcessorOptions {
  readonly prefetchCount: number;
  readonly maxConcurrentCalls: number;
  /** Milliseconds; 0 turns automatic lock renewal off. */
  readonly maxAutoLockRenewalDurationMs: number;
  readonly autoCompleteMessages: boolean;
}

/** The connection string a binding uses; a missing setting is a BindingConfigError naming it. */
export function serviceBusConnection(binding: BindingDefinition, ctx: HostContext, where: string): string {
  const name = stringOption(binding.options, 'connection', ctx.settings, where);
  const setting = name !== undefined && name !== '' ? name : DEFAULT_CONNECTION;
  if (ctx.settings[setting] === undefined && ctx.settings[`${setting}__fullyQualifiedNamespace`] !== undefined) {
    throw new BindingConfigError(`${where}: identity-based connections (${setting}__fullyQualifiedNamespace) are not supported; set "${setting}" to a connection string`);
  }
  return connectionSetting(setting, ctx.settings, where);
}

/** The queue, or topic and subscription, a trigger binding receives from. */
export function serviceBusEntity(binding: BindingDefinition, ctx: HostContext, where: string): ServiceBusEntity {
  const queueName = stringOption(binding.options, 'queueName', ctx.settings, where);
  const topicName = stringOption(binding.options, 'topicName', ctx.settings, where);
  const subscriptionName = stringOption(binding.options, 'subscriptionName', ctx.settings, where);
  if (queueName !== undefined && queueName !== '') {
    if (topicName !== undefined) throw new BindingConfigError(`${where}: set either queueName or topicName, not both`);
    return { kind: 'queue', queueName };
  }
  if (topicName === undefined || topicName === '') throw new BindingConfigError(`${where}: queueName, or topicName with subscriptionName, is required`);
  if (subscriptionName === undefined || subscriptionName === '') throw new BindingConfigError(`${where}: topicName "${topicName}" needs a subscriptionName`);
  return { kind: 'subscription', topicName, subscriptionName };
}

/** The queue or topic an output binding sends to. */
export function serviceBusTarget(binding: BindingDefinition, ctx: HostContext, where: string): string {
  const target = stringOption(binding.options, 'queueName', ctx.settings, where) ?? stringOption(binding.options, 'topicName', ctx.settings, where);
  if (target === undefined || target === '') throw new BindingConfigError(`${where}: queueName or topicName is required`);
  return target;
}

function serviceBusSection(hostJson: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const extensions = hostJson['extensions'];
  if (typeof extensions !== 'object' || extensions === null) return {};
  // host.json keys are case-insensitive in the real host.
  const section: unknown = Object.entries(extensions).find(([key]) => key.toLowerCase() === 'servicebus')?.[1];
  return typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : {};
}

function caseless(section: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.entries(section).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

function wholeNumber(value: unknown, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new BindingConfigError(`host.json extensions.serviceBus.${name} must be a whole number ≥ ${min}`);
  }
  return n;
}

/** Reads host.json extensions.serviceBus (prefetchCount 0, maxConcurrentCalls 16 × CPUs, lock renewal 5 min). */
export function serviceBusProcessorOptions(hostJson: Readonly<Record<string, unknown>>, cpuCount = cpus().length): ServiceBusProcessorOptions {
  const section = serviceBusSection(hostJson);
  const renewal = caseless(section, 'maxAutoLockRenewalDuration') ?? '00:05:00';
  const renewalMs = typeof renewal === 'string' ? parseTimeSpan(renewal) : undefined;
  if (renewalMs === undefined || renewalMs < 0) {
    throw new BindingConfigError('host.json extensions.serviceBus.maxAutoLockRenewalDuration must be a TimeSpan such as "00:05:00"');
  }
  const autoComplete = caseless(section, 'autoCompleteMessages') ?? true;
  return {
    prefetchCount: wholeNumber(caseless(section, 'prefetchCount'), 0, 0, 'prefetchCount'),
    maxConcurrentCalls: wholeNumber(caseless(section, 'maxConcurrentCalls'), 16 * Math.max(1, cpuCount), 1, 'maxConcurrentCalls'),
    maxAutoLockRenewalDurationMs: renewalMs,
    autoCompleteMessages: autoComplete !== false && autoComplete !== 'false',
  };
}
