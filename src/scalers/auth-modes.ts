// KEDA's shared HTTP authentication block (`authModes`) used by prometheus and metrics-api: basic,
// bearer, tls, custom header, oauth (client credentials) and apiKey, each with its required parameters.

import { issue, type Issue, type IssueResult, type Rule, type RuleFactory } from './define.js';
import { param, type ParamsOf } from './param.js';

const MODES = ['apiKey', 'basic', 'tls', 'bearer', 'custom', 'oauth'] as const;

/** One authentication mode. */
export type AuthMode = (typeof MODES)[number];

/** Declarations of the authModes block. */
export const authModeParams = {
  authModes: param.list().alias('authMode').from('metadata', 'authParams'),
  bearerToken: param.string().alias('token').from('authParams').secret(),
  username: param.string().from('authParams'),
  password: param.string().from('authParams').secret(),
  cert: param.string().from('authParams'),
  key: param.string().from('authParams').secret(),
  ca: param.string().from('authParams'),
  oauthTokenURI: param.string().from('authParams'),
  scopes: param.list().from('authParams'),
  clientID: param.string().from('authParams'),
  clientSecret: param.string().from('authParams').secret(),
  endpointParams: param.string().from('authParams'),
  customAuthHeader: param.string().from('authParams'),
  customAuthValue: param.string().from('authParams').secret(),
  apiKey: param.string().from('metadata', 'authParams').secret(),
  method: param.enum(['header', 'query']).default('header').from('metadata', 'authParams'),
  keyParamName: param.string().from('metadata', 'authParams'),
} as const;

type AuthParams = ParamsOf<typeof authModeParams>;

/** The enabled modes, or the names that are not modes. */
export function parseAuthModes(list: readonly string[] | undefined): { modes: AuthMode[]; unknown: string[] } {
  const modes: AuthMode[] = [];
  const unknown: string[] = [];
  for (const item of list ?? []) {
    const mode = MODES.find((m) => m === item);
    if (mode) modes.push(mode);
    else if (item !== '') unknown.push(item);
  }
  return { modes, unknown };
}

const REQUIRED: Record<AuthMode, readonly (keyof AuthParams)[]> = {
  bearer: ['bearerToken'],
  basic: ['username'],
  tls: ['cert', 'key', 'ca'],
  oauth: ['oauthTokenURI', 'clientID', 'clientSecret'],
  custom: ['customAuthHeader', 'customAuthValue'],
  apiKey: ['apiKey'],
};

function checkModes(p: AuthParams, podIdentity: string | undefined): Issue[] {
  const { modes, unknown } = parseAuthModes(p.authModes);
  const issues = unknown.map((m) => issue('authModes', `"${m}" is not one of ${MODES.join(', ')}`));
  const exclusive = modes.filter((m) => m === 'bearer' || m === 'basic' || m === 'oauth');
  if (exclusive.length > 1) issues.push(issue('authModes', `only one of bearer, basic and oauth may be used (got ${exclusive.join(', ')})`));
  for (const mode of modes) {
    for (const name of REQUIRED[mode]) {
      if (p[name] === undefined) issues.push(issue(name, `required with authModes ${mode} (set it in the TriggerAuthentication)`));
    }
  }
  if (modes.length > 0 && podIdentity !== undefined && podIdentity !== '' && podIdentity !== 'none') {
    issues.push(issue('authModes', `cannot be combined with pod identity (${podIdentity})`));
  }
  return issues;
}

/** The authModes rules, for a declaration's rule list. */
export function checkAuthModes<P extends AuthParams>(rule: RuleFactory<P>): Rule<P>[] {
  const needs = Object.keys(authModeParams) as (keyof AuthParams)[];
  return [rule(needs, (p, ctx): IssueResult => checkModes(p, ctx.podIdentity))];
}

/** The authModes parameters as a scaler's derive() hands them over: modes already parsed. */
export type HttpAuth = Omit<AuthParams, 'authModes'> & { readonly authModes: readonly AuthMode[] };

/** Request headers the enabled modes add (bearer, basic, custom, apiKey in a header), as KEDA sets them. */
export function authHeaders(auth: HttpAuth): Record<string, string> {
  const headers: Record<string, string> = {};
  const on = (mode: AuthMode): boolean => auth.authModes.includes(mode);
  if (on('bearer') && auth.bearerToken !== undefined) headers.authorization = `Bearer ${auth.bearerToken}`;
  else if (on('basic') && auth.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  }
  if (on('custom') && auth.customAuthHeader !== undefined && auth.customAuthValue !== undefined) headers[auth.customAuthHeader] = auth.customAuthValue;
  if (on('apiKey') && auth.apiKey !== undefined && auth.method !== 'query') headers[auth.keyParamName ?? 'X-API-KEY'] = auth.apiKey;
  return headers;
}

/** The URL with the API key added as a query parameter when apiKey mode uses `method: query`. */
export function withApiKeyQuery(url: string, auth: HttpAuth): string {
  if (!auth.authModes.includes('apiKey') || auth.apiKey === undefined || auth.method !== 'query') return url;
  const target = new URL(url);
  target.searchParams.set(auth.keyParamName ?? 'api_key', auth.apiKey);
  return target.toString();
}
