// Azure Storage connection strings, read the way the Azure SDKs read them: `UseDevelopmentStorage=true`
// (Azurite on its default ports), account key strings with `EndpointSuffix` or an explicit
// `QueueEndpoint`/`BlobEndpoint`, and SAS strings (`SharedAccessSignature=`). Messages name the keys
// involved, never their values: the string carries the account key.

/** A storage service a scaler talks to. */
export type StorageService = 'queue' | 'blob';

/** How requests are signed: the account key, or a SAS appended to every URL. */
export type StorageCredential =
  | { readonly kind: 'key'; readonly accountName: string; readonly accountKey: string }
  | { readonly kind: 'sas'; readonly sas: string };

/** A service endpoint (no trailing slash) and how to sign requests to it. */
export interface StorageEndpoint {
  readonly url: string;
  /** `host:port` of the endpoint, for messages. */
  readonly host: string;
  readonly credential: StorageCredential;
}

/** Azurite's well-known development account (public, documented by Microsoft). */
export const DEV_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/** Azurite's default ports, which `UseDevelopmentStorage=true` means. */
export const DEV_PORTS: Readonly<Record<StorageService, number>> = { blob: 10000, queue: 10001 };

const ENDPOINT_KEY: Readonly<Record<StorageService, string>> = { queue: 'queueendpoint', blob: 'blobendpoint' };
const ENDPOINT_NAME: Readonly<Record<StorageService, string>> = { queue: 'QueueEndpoint', blob: 'BlobEndpoint' };

/** Splits `Key=Value;…` into lower-cased keys; undefined when a segment has no `=`. */
function connectionPairs(connection: string): Map<string, string> | undefined {
  const pairs = new Map<string, string>();
  for (const segment of connection.split(';')) {
    if (segment.trim() === '') continue;
    const eq = segment.indexOf('=');
    if (eq <= 0) return undefined;
    pairs.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
  }
  return pairs.size > 0 ? pairs : undefined;
}

function endpointOf(url: string, credential: StorageCredential, key: string): StorageEndpoint | { readonly error: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `${key} in the connection string is not a URL` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { error: `${key} in the connection string must be an http or https URL` };
  return { url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`, host: parsed.host, credential };
}

function developmentEndpoint(pairs: Map<string, string>, service: StorageService): StorageEndpoint | { readonly error: string } {
  const proxy = pairs.get('developmentstorageproxyuri');
  let base = 'http://127.0.0.1';
  if (proxy !== undefined) {
    try {
      const url = new URL(proxy);
      base = `${url.protocol}//${url.hostname}`;
    } catch {
      return { error: 'DevelopmentStorageProxyUri in the connection string is not a URL' };
    }
  }
  const credential = { kind: 'key', accountName: DEV_ACCOUNT.name, accountKey: DEV_ACCOUNT.key } as const;
  return endpointOf(`${base}:${DEV_PORTS[service]}/${DEV_ACCOUNT.name}`, credential, 'DevelopmentStorageProxyUri');
}

function credentialOf(pairs: Map<string, string>): StorageCredential | { readonly error: string } {
  const accountName = pairs.get('accountname');
  const accountKey = pairs.get('accountkey');
  const sas = pairs.get('sharedaccesssignature');
  if (accountKey !== undefined && accountKey !== '') {
    if (accountName === undefined || accountName === '') return { error: 'the connection string has an AccountKey but no AccountName' };
    return { kind: 'key', accountName, accountKey };
  }
  if (sas !== undefined && sas !== '') return { kind: 'sas', sas: sas.replace(/^\?/, '') };
  return { error: 'the connection string has neither AccountKey nor SharedAccessSignature' };
}

/** The endpoint and credential of one service in a connection string, or why the string cannot be used. */
export function parseStorageConnection(connection: string, service: StorageService): StorageEndpoint | { readonly error: string } {
  const pairs = connectionPairs(connection);
  if (!pairs) return { error: 'the connection is not an Azure Storage connection string (Key=Value pairs separated by ";")' };
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') return developmentEndpoint(pairs, service);
  const credential = credentialOf(pairs);
  if ('error' in credential) return credential;
  const explicit = pairs.get(ENDPOINT_KEY[service]);
  if (explicit !== undefined && explicit !== '') return endpointOf(explicit, credential, ENDPOINT_NAME[service]);
  const accountName = pairs.get('accountname');
  if (accountName === undefined || accountName === '') {
    return { error: `the connection string has neither ${ENDPOINT_NAME[service]} nor AccountName` };
  }
  const protocol = pairs.get('defaultendpointsprotocol') || 'https';
  const suffix = pairs.get('endpointsuffix') || 'core.windows.net';
  return endpointOf(`${protocol}://${accountName}.${service}.${suffix}`, credential, 'DefaultEndpointsProtocol/EndpointSuffix');
}

/** URL of a queue or container under the endpoint, with the SAS when the credential is one. */
export function resourceUrl(endpoint: StorageEndpoint, name: string): string {
  const url = `${endpoint.url}/${encodeURIComponent(name)}`;
  return endpoint.credential.kind === 'sas' ? `${url}?${endpoint.credential.sas}` : url;
}
