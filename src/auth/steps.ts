// One function per TriggerAuthentication source. Each returns an Outcome (values in spec order and
// failures naming the field); resolve.ts runs them and merges in KEDA's order.
import type { AuthenticationKind } from '../api/scale-trigger.js';
import type { OAuth2, TriggerAuthenticationSpec } from '../api/trigger-authentication.js';
import type { ContainerEnvLookup } from './container-env.js';
import { outcome, type Outcome } from './outcome.js';
import { errorMessage, type AuthSources, type SourceData } from './sources.js';

/** What every step needs to know about where it reads from. */
export interface StepContext {
  readonly kind: AuthenticationKind;
  readonly sources: AuthSources;
  /** Namespace of secrets and config maps: the scaled object's, or the cluster object namespace for a CTA. */
  readonly objectNamespace: string;
  /** Namespace secrets are read from (differs under KEDA_RESTRICT_SECRET_ACCESS). */
  readonly secretNamespace: string;
  readonly containerEnv: ContainerEnvLookup;
  readonly filePathRoot: string | undefined;
  readonly boundTokenExpirySeconds: number;
}

type Ref = { readonly parameter: string; readonly name: string; readonly key: string };

async function readKey(
  read: (namespace: string, name: string) => Promise<SourceData>,
  what: 'secret' | 'config map',
  namespace: string,
  ref: { name: string; key: string },
): Promise<{ value?: string; error?: string }> {
  if (ref.name === '' || ref.key === '') return { error: `${what} name and key are required` };
  let data: SourceData;
  try {
    data = await read(namespace, ref.name);
  } catch (error) {
    return { error: `cannot read ${what} "${namespace}/${ref.name}": ${errorMessage(error)}` };
  }
  if (data === undefined) return { error: `${what} "${namespace}/${ref.name}" not found` };
  const value = data[ref.key];
  return value === undefined ? { error: `${what} "${namespace}/${ref.name}" has no key "${ref.key}"` } : { value };
}

async function targetRefs(refs: readonly Ref[] | undefined, field: string, what: 'secret' | 'config map', namespace: string, sources: AuthSources): Promise<Outcome> {
  const out = outcome();
  const read = what === 'secret' ? sources.secret.bind(sources) : sources.configMap.bind(sources);
  for (const [i, ref] of (refs ?? []).entries()) {
    const { value, error } = await readKey(read, what, namespace, ref);
    if (value !== undefined) out.values.push([ref.parameter, value]);
    else out.failures.push({ field: `${field}[${i}]`, parameter: ref.parameter, message: error ?? 'no value' });
  }
  return out;
}

/** `secretTargetRef[]`: keys of secrets in the object namespace. */
export const secretStep = (spec: TriggerAuthenticationSpec, ctx: StepContext): Promise<Outcome> =>
  targetRefs(spec.secretTargetRef, 'secretTargetRef', 'secret', ctx.secretNamespace, ctx.sources);

/** `configMapTargetRef[]`: keys of config maps in the object namespace. */
export const configMapStep = (spec: TriggerAuthenticationSpec, ctx: StepContext): Promise<Outcome> =>
  targetRefs(spec.configMapTargetRef, 'configMapTargetRef', 'config map', ctx.objectNamespace, ctx.sources);

/** `env[]`: variables of the scale target's containers (KEDA: no container name → first container). */
export async function envStep(spec: TriggerAuthenticationSpec, ctx: StepContext): Promise<Outcome> {
  const out = outcome();
  for (const [i, item] of (spec.env ?? []).entries()) {
    const { env, problems } = await ctx.containerEnv(item.containerName);
    const value = env[item.name];
    if (value !== undefined) {
      out.values.push([item.parameter, value]);
      continue;
    }
    const container = item.containerName !== undefined && item.containerName !== '' ? `container "${item.containerName}"` : 'the first container';
    const cause = problems.find((p) => p.variable === item.name) ?? problems.find((p) => p.variable === undefined);
    const message = cause !== undefined ? `${container}: ${cause.message}` : `${container} has no env var "${item.name}"`;
    out.failures.push({ field: `env[${i}]`, parameter: item.parameter, message });
  }
  return out;
}

/** `filePath[]` (ClusterTriggerAuthentication only): files under the operator's configured root. */
export async function filePathStep(spec: TriggerAuthenticationSpec, ctx: StepContext): Promise<Outcome> {
  const out = outcome();
  const entries = spec.filePath ?? [];
  if (entries.length === 0) return out;
  if (ctx.kind !== 'ClusterTriggerAuthentication') {
    out.failures.push({ field: 'filePath', message: 'is only supported on ClusterTriggerAuthentication' });
    return out;
  }
  for (const [i, entry] of entries.entries()) {
    const fail = (message: string): void => void out.failures.push({ field: `filePath[${i}]`, parameter: entry.parameter, message });
    if (ctx.filePathRoot === undefined || ctx.filePathRoot === '') fail('no file path root is configured (--filepath-auth-root-path)');
    else if (entry.path.startsWith('/') || entry.path.split(/[\\/]/).includes('..')) fail(`path ${JSON.stringify(entry.path)} must be relative to the root and must not contain ".."`);
    else {
      const full = `${ctx.filePathRoot.replace(/\/+$/, '')}/${entry.path}`;
      try {
        const text = await ctx.sources.file(full);
        if (text === undefined) fail(`file ${JSON.stringify(full)} not found`);
        else out.values.push([entry.parameter, text]);
      } catch (error) {
        fail(errorMessage(error));
      }
    }
  }
  return out;
}

/** `boundServiceAccountToken[]`: a TokenRequest per entry, in the object namespace. */
export async function boundTokenStep(spec: TriggerAuthenticationSpec, ctx: StepContext): Promise<Outcome> {
  const out = outcome();
  for (const [i, entry] of (spec.boundServiceAccountToken ?? []).entries()) {
    const account = `"${ctx.objectNamespace}/${entry.serviceAccountName}"`;
    try {
      const token = entry.serviceAccountName === '' ? undefined : await ctx.sources.serviceAccountToken(ctx.objectNamespace, entry.serviceAccountName, { expirationSeconds: ctx.boundTokenExpirySeconds });
      if (token !== undefined) out.values.push([entry.parameter, token]);
      else out.failures.push({ field: `boundServiceAccountToken[${i}]`, parameter: entry.parameter, message: entry.serviceAccountName === '' ? 'serviceAccountName is required' : `service account ${account} not found` });
    } catch (error) {
      out.failures.push({ field: `boundServiceAccountToken[${i}]`, parameter: entry.parameter, message: `token for service account ${account}: ${errorMessage(error)}` });
    }
  }
  return out;
}

/** Go's url.QueryEscape: only letters, digits and `-_.~` stay; space becomes `+`. */
function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode for single values: keys sorted, `k=v` joined with `&`. */
export function encodeEndpointParams(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k] ?? '')}`)
    .join('&');
}

/** `oauth2` (clientCredentials) → oauthTokenURI, clientID, clientSecret, scopes, endpointParams. */
export async function oauth2Step(oauth2: OAuth2 | undefined, ctx: StepContext): Promise<Outcome> {
  const out = outcome();
  if (oauth2 === undefined) return out;
  out.values.push(['oauthTokenURI', oauth2.tokenUrl], ['clientID', oauth2.clientId]);
  const ref = oauth2.clientSecret?.valueFrom.secretKeyRef;
  if (ref === undefined) out.failures.push({ field: 'oauth2.clientSecret', parameter: 'clientSecret', message: 'valueFrom.secretKeyRef is required for clientCredentials' });
  else {
    const { value, error } = await readKey(ctx.sources.secret.bind(ctx.sources), 'secret', ctx.secretNamespace, ref);
    if (value !== undefined) out.values.push(['clientSecret', value]);
    else out.failures.push({ field: 'oauth2.clientSecret.valueFrom.secretKeyRef', parameter: 'clientSecret', message: error ?? 'no value' });
  }
  if (oauth2.scopes !== undefined && oauth2.scopes.length > 0) out.values.push(['scopes', oauth2.scopes.join(',')]);
  if (oauth2.tokenUrlParams !== undefined && Object.keys(oauth2.tokenUrlParams).length > 0) out.values.push(['endpointParams', encodeEndpointParams(oauth2.tokenUrlParams)]);
  return out;
}

/** `podIdentity`: only `none` is implemented; any other provider is a failure, not a silent no-op. */
export function podIdentityStep(spec: TriggerAuthenticationSpec): Outcome {
  const out = outcome();
  const provider = spec.podIdentity?.provider;
  if (provider !== undefined && provider !== 'none') {
    out.failures.push({ field: 'podIdentity.provider', message: `pod identity provider "${provider}" is not supported by tide yet` });
  }
  return out;
}

/** Secret stores tide does not implement: a failure naming the parameters left unresolved. */
export function unsupportedStoresStep(spec: TriggerAuthenticationSpec): Outcome {
  const out = outcome();
  const providers: [string, string, readonly { parameter: string }[] | undefined][] = [
    ['azureKeyVault', 'Azure Key Vault', spec.azureKeyVault?.secrets],
    ['gcpSecretManager', 'GCP Secret Manager', spec.gcpSecretManager?.secrets],
    ['awsSecretManager', 'AWS Secrets Manager', spec.awsSecretManager?.secrets],
  ];
  for (const [field, name, secrets] of providers) {
    if (secrets === undefined || secrets.length === 0) continue;
    const parameters = secrets.map((s) => `"${s.parameter}"`).join(', ');
    out.failures.push({ field, message: `${name} is not supported by tide yet (parameters ${parameters} are not resolved)` });
  }
  return out;
}
