// Where a RabbitMQ binding connects, in the extension's order: the binding's connectionStringSetting
// (a setting holding amqp://user:pass@host:port/vhost), else host.json extensions.rabbitMQ.connectionString,
// else the 1.x fields hostName / userNameSetting / passwordSetting / port.

import type { BindingDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type HostContext } from '../contract.js';
import { connectionSetting, resolveExpression } from '../settings.js';

/** How to reach the broker. */
export interface RabbitConnection {
  readonly url: string;
  /** disableCertificateValidation: accept any TLS certificate (amqps). */
  readonly insecure: boolean;
}

/** host.json `extensions.rabbitMQ` (any key casing), or an empty object. */
export function rabbitExtension(hostJson: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const extensions = caseless(hostJson, 'extensions');
  const section = extensions && typeof extensions === 'object' ? caseless(extensions as Record<string, unknown>, 'rabbitMQ') : undefined;
  return section && typeof section === 'object' ? (section as Record<string, unknown>) : {};
}

/** `record[key]` ignoring the key's case (host.json keys are case-insensitive in the real host). */
export function caseless(record: Readonly<Record<string, unknown>>, key: string): unknown {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The connection of a rabbitMQTrigger / rabbitMQ output binding. */
export function rabbitConnection(binding: BindingDefinition, ctx: HostContext, where: string): RabbitConnection {
  const o = binding.options;
  const ext = rabbitExtension(ctx.hostJson);
  const insecure = o['disableCertificateValidation'] === true || caseless(ext, 'disableCertificateValidation') === true;
  const setting = o['connectionStringSetting'] ?? o['connection'];
  if (typeof setting === 'string' && setting !== '') return { url: checkUrl(connectionSetting(setting, ctx.settings, where), where), insecure };
  const fromHost = caseless(ext, 'connectionString');
  if (typeof fromHost === 'string' && fromHost !== '') return { url: checkUrl(resolveExpression(fromHost, ctx.settings, where), where), insecure };
  const host = o['hostName'];
  if (typeof host === 'string' && host !== '') return { url: legacyUrl(o, ctx, where), insecure };
  throw new BindingConfigError(`${where}: no connection: set "connectionStringSetting" to the name of a setting holding amqp://user:password@host:5672/vhost`);
}

function legacyUrl(o: Readonly<Record<string, unknown>>, ctx: HostContext, where: string): string {
  const settingValue = (key: string): string | undefined => {
    const name = o[key];
    return typeof name === 'string' && name !== '' ? connectionSetting(name, ctx.settings, where) : undefined;
  };
  const user = settingValue('userNameSetting');
  const password = settingValue('passwordSetting');
  const port = o['port'] === undefined || o['port'] === 0 ? 5672 : Number(o['port']);
  const host = resolveExpression(String(o['hostName']), ctx.settings, where);
  const auth = user === undefined ? '' : `${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  return `amqp://${auth}${host}:${port}`;
}

function checkUrl(url: string, where: string): string {
  if (!/^amqps?:\/\//i.test(url.trim())) throw new BindingConfigError(`${where}: the RabbitMQ connection setting must be an amqp:// or amqps:// URI`);
  return url.trim();
}

/** The queue name of a RabbitMQ binding (`%NAME%` resolved), falling back to host.json extensions.rabbitMQ.queueName. */
export function rabbitQueueName(binding: BindingDefinition, ctx: HostContext, where: string): string {
  const raw = binding.options['queueName'] ?? caseless(rabbitExtension(ctx.hostJson), 'queueName');
  if (typeof raw !== 'string' || raw === '') throw new BindingConfigError(`${where}: "queueName" is required`);
  return resolveExpression(raw, ctx.settings, where);
}
