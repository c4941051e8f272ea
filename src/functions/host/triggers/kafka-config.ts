// How a kafkaTrigger / kafka output binding reaches the cluster, as the Kafka extension reads it:
// brokerList (an app setting name, a %NAME% expression, or the literal list), authenticationMode and
// protocol mapped to kafkajs (Plain / ScramSha256 / ScramSha512 over SASL, Ssl / SaslSsl as TLS;
// Gssapi and OAuthBearer have no kafkajs equivalent without code, so they are refused), username and
// password resolved the same way as brokerList, and host.json extensions.kafka.

import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { BindingDefinition } from '../../../app/function-model.js';
import { BindingConfigError, type HostContext } from '../contract.js';
import { resolveExpression } from '../settings.js';
import { caseless } from './rabbitmq-connection.js';

/** A binding value that may name a setting, contain %NAME%, or be the value itself. */
export function settingOrLiteral(raw: unknown, ctx: HostContext, where: string): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') throw new BindingConfigError(`${where}: expected a string, got ${JSON.stringify(raw)}`);
  const direct = ctx.settings[raw];
  if (direct !== undefined) return direct;
  return resolveExpression(raw, ctx.settings, where);
}

/** A case-insensitive enum option as lower-case text (`fallback` when absent, '' when not a string). */
export function enumText(raw: unknown, fallback: string): string {
  if (raw === undefined || raw === null) return fallback.toLowerCase();
  return typeof raw === 'string' ? raw.toLowerCase() : '';
}

/** The kafkajs client configuration of a Kafka binding (no connection is made). */
export function kafkaClientConfig(binding: BindingDefinition, ctx: HostContext, where: string): KafkaConfig {
  const o = binding.options;
  const brokerList = settingOrLiteral(o['brokerList'], ctx, where);
  if (brokerList === undefined) throw new BindingConfigError(`${where}: "brokerList" is required (host:port[,host:port], or the name of a setting holding it)`);
  const brokers = brokerList.split(',').map((b) => b.trim()).filter((b) => b !== '');
  const protocol = enumText(o['protocol'], 'NotSet');
  const config: KafkaConfig = { clientId: `tide-${where.replace(/\W+/g, '-')}`, brokers };
  const sasl = saslOptions(o, ctx, where);
  if (sasl) config.sasl = sasl;
  if (protocol === 'ssl' || protocol === 'saslssl') config.ssl = tlsOptions(o, ctx, where);
  else if (!['notset', 'plaintext', 'saslplaintext'].includes(protocol)) throw new BindingConfigError(`${where}: unknown protocol ${JSON.stringify(o['protocol'])} (NotSet, Plaintext, Ssl, SaslPlaintext, SaslSsl)`);
  return config;
}

function saslOptions(o: Readonly<Record<string, unknown>>, ctx: HostContext, where: string): SASLOptions | undefined {
  const mode = enumText(o['authenticationMode'], 'NotSet');
  if (mode === 'notset') return undefined;
  const mechanisms: Record<string, 'plain' | 'scram-sha-256' | 'scram-sha-512'> = { plain: 'plain', scramsha256: 'scram-sha-256', scramsha512: 'scram-sha-512' };
  const mechanism = mechanisms[mode];
  if (mechanism === undefined) throw new BindingConfigError(`${where}: authenticationMode ${JSON.stringify(o['authenticationMode'])} is not supported (NotSet, Plain, ScramSha256, ScramSha512)`);
  const username = settingOrLiteral(o['username'], ctx, where);
  const password = settingOrLiteral(o['password'], ctx, where);
  if (username === undefined || password === undefined) throw new BindingConfigError(`${where}: authenticationMode ${mode} needs "username" and "password"`);
  return { mechanism, username, password };
}

function tlsOptions(o: Readonly<Record<string, unknown>>, ctx: HostContext, where: string): true | { ca?: string[]; cert?: string; key?: string; passphrase?: string } {
  const file = (key: string): string | undefined => {
    const path = settingOrLiteral(o[key], ctx, where);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new BindingConfigError(`${where}: ${key} "${path}" cannot be read`);
    }
  };
  const ca = file('sslCaLocation');
  const cert = file('sslCertificateLocation');
  const key = file('sslKeyLocation');
  const passphrase = settingOrLiteral(o['sslKeyPassword'], ctx, where);
  if (ca === undefined && cert === undefined && key === undefined) return true;
  return { ...(ca === undefined ? {} : { ca: [ca] }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }), ...(passphrase === undefined ? {} : { passphrase }) };
}

/** host.json extensions.kafka with the extension's defaults. */
export interface KafkaExtensionOptions {
  readonly maxBatchSize: number;
  readonly maxRetries: number;
  readonly commitOnFailure: boolean;
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
}

/** Reads host.json extensions.kafka (maxBatchSize 64, maxRetries 5, commitOnFailure true, autoOffsetReset Earliest, sessionTimeoutMs 10000). */
export function kafkaExtension(hostJson: Readonly<Record<string, unknown>>, where: string): KafkaExtensionOptions {
  const extensions = caseless(hostJson, 'extensions');
  const raw = extensions && typeof extensions === 'object' ? caseless(extensions as Record<string, unknown>, 'kafka') : undefined;
  const k = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const int = (key: string, fallback: number, min: number): number => {
    const v = caseless(k, key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new BindingConfigError(`${where}: host.json extensions.kafka.${key} must be a whole number ≥ ${min}`);
    return v;
  };
  const reset = enumText(caseless(k, 'autoOffsetReset'), 'Earliest');
  if (reset !== 'earliest' && reset !== 'latest') throw new BindingConfigError(`${where}: host.json extensions.kafka.autoOffsetReset must be Earliest or Latest`);
  return {
    maxBatchSize: int('maxBatchSize', 64, 1),
    maxRetries: int('maxRetries', 5, 0),
    commitOnFailure: caseless(k, 'commitOnFailure') !== false,
    fromBeginning: reset === 'earliest',
    sessionTimeoutMs: int('sessionTimeoutMs', 10_000, 1),
  };
}
