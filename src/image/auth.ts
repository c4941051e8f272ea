// Registry credentials and the challenges of the distribution auth spec: `WWW-Authenticate: Basic`
// (send the credentials) or `Bearer realm=…,service=…,scope=…` (fetch a token from the realm, with the
// credentials when there are any, anonymously otherwise). Credentials come from the options or from
// `auths` in ~/.docker/config.json ($DOCKER_CONFIG/config.json), as `docker login` writes them.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { RegistryError } from './errors.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const DockerConfig = z.object({
  auths: z.record(z.string(), z.object({ auth: z.string().optional(), username: z.string().optional(), password: z.string().optional() }).loose()).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
}).loose();

/** Where `docker login` keeps credentials. */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function authKeys(registry: string): string[] {
  if (registry === 'docker.io') return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/**
 * Credentials for `registry` from a Docker config file, or undefined. A credential helper is not run:
 * `note` is told so the user knows why a private registry answers 401.
 */
export function credentialsFromDockerConfig(registry: string, path: string, note: (line: string) => void): Credentials | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: z.infer<typeof DockerConfig>;
  try {
    parsed = DockerConfig.parse(JSON.parse(text));
  } catch (error) {
    note(`ignoring ${path}: ${(error as Error).message.split('\n')[0] ?? ''}`);
    return undefined;
  }
  for (const key of authKeys(registry)) {
    const entry = parsed.auths?.[key];
    if (entry === undefined) continue;
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
    if (entry.auth !== undefined) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  const helper = parsed.credHelpers?.[registry] ?? parsed.credsStore;
  if (helper !== undefined) note(`${path} keeps credentials in the "${helper}" credential helper, which tide does not run; pass them with the registry username/password options`);
  return undefined;
}

/** Parses a `WWW-Authenticate` header (one challenge, quoted or token parameter values). */
export function parseChallenge(header: string): Challenge {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const rest = space < 0 ? '' : header.slice(space + 1);
  for (const match of rest.matchAll(/([A-Za-z_-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[(match[1] ?? '').toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
  }
  return { scheme, params };
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** Fetches a bearer token from the challenge's realm for `scopes`. */
export async function fetchToken(challenge: Challenge, scopes: readonly string[], credentials: Credentials | undefined, registry: string): Promise<string> {
  const realm = challenge.params.realm;
  if (realm === undefined) throw new RegistryError(`${registry} asked for a bearer token but named no realm to get it from`);
  const url = new URL(realm);
  if (challenge.params.service !== undefined) url.searchParams.set('service', challenge.params.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = credentials ? { authorization: basicAuthorization(credentials) } : {};
  let response: Response;
  try {
    response = await fetch(url, { headers });
  } catch (error) {
    throw new RegistryError(`cannot reach the token service of ${registry} at ${url.origin}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const who = credentials ? `user "${credentials.username}"` : 'anonymous access';
    throw new RegistryError(`the token service of ${registry} (${url.origin}) refused ${who} (HTTP ${response.status}); check the credentials (docker login ${registry}, or the registry username/password options)`, response.status);
  }
  const body = (await response.json()) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string' || token === '') throw new RegistryError(`the token service of ${registry} answered without a token`);
  return token;
}
