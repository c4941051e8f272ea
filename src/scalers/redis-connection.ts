// Connection parameters shared by redis and redis-streams (and their -cluster / -sentinel flavours):
// addresses (or host/port lists), credentials, and TLS from metadata (enableTLS) or a TriggerAuthentication (tls).

import { issue, type IssueResult } from './define.js';
import { param } from './param.js';

/** Declarations of the Redis connection parameters, in KEDA's lookup orders. */
export const redisConnectionParams = {
  address: param.list().alias('addresses').from('metadata', 'authParams', 'fromEnv'),
  host: param.list().alias('hosts').from('metadata', 'fromEnv', 'authParams'),
  port: param.list().alias('ports').from('metadata', 'fromEnv', 'authParams'),
  username: param.string().from('metadata', 'fromEnv', 'authParams'),
  password: param.string().from('metadata', 'fromEnv', 'authParams').secret(),
  sentinelUsername: param.string().from('metadata', 'authParams', 'fromEnv'),
  sentinelPassword: param.string().from('metadata', 'authParams', 'fromEnv').secret(),
  sentinelMaster: param.string().from('metadata', 'authParams', 'fromEnv'),
  databaseIndex: param.int().default(0),
  enableTLS: param.bool(),
  tls: param.enum(['enable', 'disable']).from('authParams'),
  unsafeSsl: param.bool().default(false),
  cert: param.string().alias('Cert').from('authParams'),
  key: param.string().from('authParams').secret(),
  keyPassword: param.string().from('authParams').secret(),
  ca: param.string().from('authParams'),
} as const;

interface AddressParams {
  address: string[] | undefined;
  host: string[] | undefined;
  port: string[] | undefined;
}

/** host:port, bracketing IPv6 hosts as Go's net.JoinHostPort does. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The addresses to dial: host/port pairs when both lists are given, else the address list (KEDA appends both). */
export function redisAddresses(p: AddressParams): string[] {
  const addresses = [...(p.address ?? [])];
  if (p.host && p.port && p.host.length === p.port.length) addresses.push(...p.host.map((h, i) => joinHostPort(h, p.port?.[i] ?? '')));
  return addresses;
}

/** Hosts and ports must pair up, and some address must be given. */
export function checkRedisAddresses(p: AddressParams): IssueResult {
  if (p.host && p.port && p.host.length !== p.port.length) {
    return issue('host', `${p.host.length} hosts but ${p.port.length} ports: give one port per host`);
  }
  const first = redisAddresses(p)[0];
  return first === undefined || first === '' ? issue('address', 'required: set address (host:port, comma separated) or host and port') : undefined;
}

/** TLS may be set in metadata (enableTLS) or in a TriggerAuthentication (tls), not both. */
export function checkRedisTLS(p: { enableTLS: boolean | undefined; tls: 'enable' | 'disable' | undefined }): IssueResult {
  return p.enableTLS !== undefined && p.tls !== undefined && issue('enableTLS', 'TLS is set both here and in the TriggerAuthentication (tls); set it in one place');
}

/** Whether to dial with TLS. */
export function redisTLSEnabled(p: { enableTLS: boolean | undefined; tls: 'enable' | 'disable' | undefined }): boolean {
  return p.tls !== undefined ? p.tls === 'enable' : (p.enableTLS ?? false);
}
