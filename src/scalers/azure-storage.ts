// Shared parameters and rules of the Azure Storage scalers (azure-queue, azure-blob): which cloud's
// endpoint suffix to use, and which credential the pod identity provider calls for.

import { caution, issue, type IssueResult } from './define.js';
import { param } from './param.js';

const CLOUD_SUFFIXES: Record<string, string> = {
  AZUREPUBLICCLOUD: 'core.windows.net',
  AZURECLOUD: 'core.windows.net',
  AZUREUSGOVERNMENTCLOUD: 'core.usgovcloudapi.net',
  AZUREUSGOVERNMENT: 'core.usgovcloudapi.net',
  AZURECHINACLOUD: 'core.chinacloudapi.cn',
};
const PRIVATE = 'PRIVATE';

/** Parameters every Azure Storage scaler reads for the cloud and the credential. */
export const storageParams = {
  cloud: param.string(),
  endpointSuffix: param.string(),
  accountName: param.string(),
} as const;

/** `cloud` must name a known Azure cloud; `Private` needs `endpointSuffix`. */
export function checkCloud(p: { cloud: string | undefined; endpointSuffix: string | undefined }): IssueResult {
  if (p.cloud === undefined) return undefined;
  const name = p.cloud.toUpperCase();
  if (name === PRIVATE) return p.endpointSuffix === undefined ? issue('endpointSuffix', 'required when cloud is Private') : undefined;
  if (!(name in CLOUD_SUFFIXES)) return issue('cloud', `"${p.cloud}" is not a known Azure cloud (AzurePublicCloud, AzureUSGovernmentCloud, AzureChinaCloud or Private)`);
  return undefined;
}

/** Host suffix of a storage service (`queue`, `blob`) in the configured cloud, e.g. `queue.core.windows.net`. */
export function storageEndpointSuffix(service: 'queue' | 'blob', p: { cloud: string | undefined; endpointSuffix: string | undefined }): string {
  const name = p.cloud?.toUpperCase();
  if (name === PRIVATE && p.endpointSuffix !== undefined) return p.endpointSuffix;
  return `${service}.${CLOUD_SUFFIXES[name ?? 'AZUREPUBLICCLOUD'] ?? 'core.windows.net'}`;
}

/** Without pod identity a connection string is required; with azure-workload an accountName is; nothing else is supported. */
export function checkStorageCredential(
  type: string,
  p: { connection: string | undefined; accountName: string | undefined },
  podIdentity: string | undefined,
): IssueResult {
  if (podIdentity === undefined || podIdentity === '' || podIdentity === 'none') {
    if (p.connection === undefined) {
      return issue('connection', 'required without pod identity (set metadata.connection, metadata.connectionFromEnv or a TriggerAuthentication parameter "connection")');
    }
    return p.accountName !== undefined ? caution('accountName', 'ignored when a connection string is used') : undefined;
  }
  if (podIdentity === 'azure-workload') return p.accountName === undefined ? issue('accountName', 'required with azure-workload pod identity') : undefined;
  return { path: 'authenticationRef', message: `pod identity provider "${podIdentity}" is not supported by ${type} (use none or azure-workload)` };
}

/** Why a trigger without a connection string cannot connect: tide has no Azure AD token source yet. */
export function unsupportedIdentity(type: string, accountName: string | undefined, endpointSuffix: string): string {
  const account = accountName !== undefined ? ` for https://${accountName}.${endpointSuffix}` : '';
  return `${type}: pod identity azure-workload${account} is not supported by tide yet; give a connection string (connection, connectionFromEnv or a TriggerAuthentication parameter "connection")`;
}
