// HashiCorp Vault over its HTTP API, as KEDA's handler uses it: log in (token or kubernetes auth),
// check the token with lookup-self, then read each secret path once (KV v1, KV v2) or write it once
// (pki issue, so a certificate and its key come from the same call) and pick keys from the answers.
import type { HashiCorpVault } from '../api/trigger-authentication.js';
import { outcome, scrub, type Outcome } from './outcome.js';
import { errorMessage, type AuthSources } from './sources.js';

/** The file KEDA reads the operator's own service account token from when no credential is given. */
export const DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface VaultOptions {
  readonly sources: AuthSources;
  /** Namespace of the scaled object: where a `credential.serviceAccountName` token is requested. */
  readonly namespace: string;
  /** The operator's VAULT_TOKEN, which token authentication prefers (as Vault's client does). */
  readonly defaultToken?: string | undefined;
  readonly timeoutMs: number;
}

type Json = Record<string, unknown>;

interface Session {
  readonly vault: HashiCorpVault;
  readonly options: VaultOptions;
  token: string;
  /** Values that must never appear in a message (token, JWT). */
  readonly hidden: string[];
}

type Answer = { ok: true; body: Json | undefined } | { ok: false; message: string };

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

async function call(session: Session, method: 'GET' | 'POST' | 'PUT', path: string, body?: Json): Promise<Answer> {
  const url = `${session.vault.address.replace(/\/+$/, '')}/v1/${path.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
  if (session.token !== '') headers['X-Vault-Token'] = session.token;
  if (session.vault.namespace !== undefined && session.vault.namespace !== '') headers['X-Vault-Namespace'] = session.vault.namespace;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(session.options.timeoutMs) };
    if (body !== undefined) init.body = JSON.stringify(body);
    response = await session.options.sources.fetch(url, init);
  } catch (error) {
    return { ok: false, message: `Vault at ${session.vault.address} unreachable: ${errorMessage(error)}` };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.ok) return { ok: true, body: isObject(parsed) ? parsed : undefined };
  const errors = isObject(parsed) && Array.isArray(parsed.errors) ? parsed.errors.filter((e): e is string => typeof e === 'string') : [];
  // Vault answers a read of a missing path with 404 and no errors; its client treats that as "no secret".
  if (response.status === 404 && errors.length === 0) return { ok: true, body: undefined };
  const detail = errors.length > 0 ? `: ${errors.join('; ')}` : '';
  return { ok: false, message: scrub(`Vault ${method} /v1/${path} answered HTTP ${response.status}${detail}`, session.hidden) };
}

async function kubernetesJwt(session: Session): Promise<{ jwt?: string; error?: string }> {
  const credential = session.vault.credential ?? { serviceAccount: DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE };
  const { sources, namespace } = session.options;
  try {
    if (credential.serviceAccountName !== undefined && credential.serviceAccountName !== '') {
      const jwt = await sources.serviceAccountToken(namespace, credential.serviceAccountName, { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 600 });
      return jwt === undefined ? { error: `service account "${namespace}/${credential.serviceAccountName}" not found` } : { jwt };
    }
    const file = credential.serviceAccount ?? '';
    if (file === '') return { error: 'credential.serviceAccount (token file) or credential.serviceAccountName is required for kubernetes authentication' };
    const jwt = await sources.file(file);
    return jwt === undefined ? { error: `service account token file ${JSON.stringify(file)} not found` } : { jwt: jwt.trim() };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

/** Obtains the client token; returns a message (no secret in it) when authentication fails. */
async function login(session: Session): Promise<string | undefined> {
  const vault = session.vault;
  if (vault.authentication === 'token') {
    const token = session.options.defaultToken ?? vault.credential?.token ?? '';
    if (token === '') return 'could not get a Vault token: credential.token is empty';
    session.token = token;
    session.hidden.push(token);
    return undefined;
  }
  if (vault.mount === undefined || vault.mount === '') return 'mount is required for kubernetes authentication';
  if (vault.role === undefined || vault.role === '') return 'role is required for kubernetes authentication';
  const { jwt, error } = await kubernetesJwt(session);
  if (jwt === undefined) return error ?? 'no service account token';
  session.hidden.push(jwt);
  const answer = await call(session, 'POST', `auth/${vault.mount}/login`, { jwt, role: vault.role });
  if (!answer.ok) return `kubernetes login at auth/${vault.mount} failed: ${answer.message}`;
  const auth = answer.body?.auth;
  const token = isObject(auth) && typeof auth.client_token === 'string' ? auth.client_token : '';
  if (token === '') return `kubernetes login at auth/${vault.mount} returned no client token`;
  session.token = token;
  session.hidden.push(token);
  return undefined;
}

type VaultSecret = HashiCorpVault['secrets'][number];

function pkiRequest(secret: VaultSecret): Json {
  const data = secret.pkiData ?? {};
  const body: Json = {};
  const fields: [keyof typeof data, string][] = [
    ['commonName', 'common_name'], ['altNames', 'alt_names'], ['ipSans', 'ip_sans'], ['uriSans', 'uri_sans'],
    ['otherSans', 'other_sans'], ['ttl', 'ttl'], ['format', 'format'],
  ];
  for (const [from, to] of fields) if (data[from] !== undefined && data[from] !== '') body[to] = data[from];
  return body;
}

/** Picks `secret.key` out of Vault's `data`, by secret type (empty type: v2 when `data.data` exists). */
export function vaultValue(secret: VaultSecret, data: Json): { value?: string; error?: string } {
  const type = secret.type === undefined || secret.type === '' ? ('data' in data ? 'secretV2' : 'secret') : secret.type;
  const source = type === 'secretV2' ? data.data : data;
  if (!isObject(source)) return { error: `path "${secret.path}" holds no KV v2 data (is it a KV v1 path? set type: secret)` };
  if (!Object.hasOwn(source, secret.key)) return { error: `path "${secret.path}" has no key "${secret.key}"` };
  const value = source[secret.key];
  if (typeof value === 'string') return { value };
  if (type === 'pki' && secret.key === 'ca_chain' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return { value: value.join('\n') };
  return { error: `key "${secret.key}" at path "${secret.path}" is not a string` };
}

async function fetchGroup(session: Session, first: VaultSecret): Promise<{ data?: Json; error?: string }> {
  const answer = first.type === 'pki' ? await call(session, 'PUT', first.path, pkiRequest(first)) : await call(session, 'GET', first.path);
  if (!answer.ok) return { error: answer.message };
  const data = answer.body?.data;
  if (!isObject(data)) return { error: `path "${first.path}" not found` };
  return { data };
}

/** Resolves every `hashiCorpVault.secrets[]` entry; each failure names the entry and never a secret. */
export async function resolveVaultSecrets(vault: HashiCorpVault, options: VaultOptions): Promise<Outcome> {
  const out = outcome();
  if (vault.secrets.length === 0) return out;
  const session: Session = { vault, options, token: '', hidden: [] };
  const loginError = (await login(session)) ?? (await lookupSelf(session));
  if (loginError !== undefined) {
    out.failures.push({ field: 'hashiCorpVault', message: `authentication (${vault.authentication}) failed: ${loginError}` });
    return out;
  }
  const groups = new Map<string, Promise<{ data?: Json; error?: string }>>();
  for (const [i, secret] of vault.secrets.entries()) {
    const groupKey = JSON.stringify([secret.type ?? '', secret.path, secret.type === 'pki' ? pkiRequest(secret) : null]);
    let fetched = groups.get(groupKey);
    if (fetched === undefined) {
      fetched = fetchGroup(session, secret);
      groups.set(groupKey, fetched);
    }
    const { data, error } = await fetched;
    const picked = data === undefined ? { error: error ?? 'no data' } : vaultValue(secret, data);
    if (picked.value !== undefined) out.values.push([secret.parameter, picked.value]);
    else out.failures.push({ field: `hashiCorpVault.secrets[${i}]`, parameter: secret.parameter, message: scrub(picked.error ?? 'no value', session.hidden) });
  }
  return out;
}

async function lookupSelf(session: Session): Promise<string | undefined> {
  const answer = await call(session, 'GET', 'auth/token/lookup-self');
  return answer.ok ? undefined : `token lookup failed: ${answer.message}`;
}
