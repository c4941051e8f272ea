// A trigger's authenticationRef and `<name>FromEnv` keys → the authParams and env maps its scaler
// parses. Sources merge in KEDA's order (later wins): podIdentity, env, filePath, configMap, secret,
// HashiCorp Vault, Azure Key Vault, GCP SM, AWS SM, bound service account token, oauth2. Every
// failure is a Problem naming the (Cluster)TriggerAuthentication, the field, the parameter and the
// source — never a value.
import { problem, warning, type Problem } from '../api/problems.js';
import { effectiveAuthenticationKind, type AuthenticationKind, type AuthenticationRef } from '../api/scale-trigger.js';
import type { ClusterTriggerAuthentication, TriggerAuthentication, TriggerAuthenticationSpec } from '../api/trigger-authentication.js';
import type { ContainerEnv, ContainerEnvLookup } from './container-env.js';
import { scrub, type Outcome } from './outcome.js';
import { errorMessage, type AuthSources } from './sources.js';
import { boundTokenStep, configMapStep, envStep, filePathStep, oauth2Step, podIdentityStep, secretStep, unsupportedStoresStep, type StepContext } from './steps.js';
import { resolveVaultSecrets } from './vault.js';

/** KEDA_CLUSTER_OBJECT_NAMESPACE's default: where KEDA itself runs. */
export const DEFAULT_CLUSTER_OBJECT_NAMESPACE = 'keda';
/** KEDA_BOUND_SERVICE_ACCOUNT_TOKEN_EXPIRY's default (1 h). */
export const DEFAULT_BOUND_TOKEN_EXPIRY_SECONDS = 3600;

/** Finds a TriggerAuthentication (namespace set) or ClusterTriggerAuthentication (namespace undefined). */
export type GetTriggerAuthentication = (
  kind: AuthenticationKind,
  name: string,
  namespace: string | undefined,
) => Promise<TriggerAuthentication | ClusterTriggerAuthentication | undefined>;

export interface ResolveTriggerAuthInput {
  readonly trigger: { readonly metadata: Readonly<Record<string, string>>; readonly authenticationRef?: AuthenticationRef | undefined };
  readonly scaledObjectNamespace: string;
  readonly getTriggerAuthentication: GetTriggerAuthentication;
  /** The scale target's container env: a per-container lookup (podContainerEnv) or one map (local mode). */
  readonly containerEnv: ContainerEnvLookup | Readonly<Record<string, string>>;
  /** scaleTargetRef.envSourceContainerName (ScaledJob: spec.envSourceContainerName); default first container. */
  readonly envSourceContainerName?: string | undefined;
  readonly sources: AuthSources;
  readonly clusterObjectNamespace?: string;
  /** --filepath-auth-root-path; filePath entries fail without it. */
  readonly filePathRoot?: string;
  /** KEDA_RESTRICT_SECRET_ACCESS=true: secrets only from the cluster object namespace. */
  readonly restrictSecretAccess?: boolean;
  /** The operator's VAULT_TOKEN. */
  readonly vaultToken?: string;
  readonly boundTokenExpirySeconds?: number;
  /** Per HTTP call to a provider (KEDA's default 3 s). */
  readonly timeoutMs?: number;
}

export interface ResolvedTriggerAuth {
  readonly authParams: Record<string, string>;
  /** The env source container's environment, for `<name>FromEnv`. */
  readonly env: Record<string, string>;
  /** The TriggerAuthentication's pod identity provider, when it sets one. */
  readonly podIdentity?: string;
  readonly problems: Problem[];
}

const AUTH_PATH = 'authenticationRef';

const asLookup = (env: ResolveTriggerAuthInput['containerEnv']): ContainerEnvLookup =>
  typeof env === 'function' ? env : () => Promise.resolve({ env, problems: [] });

/** Env vars the trigger's `<name>FromEnv` keys name, each with the metadata path that names it. */
function referencedVariables(metadata: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(metadata)) if (key.endsWith('FromEnv') && value !== '') out.set(value, `metadata.${key}`);
  return out;
}

/** Container env problems: errors when the trigger needs the variable (or may need a failed envFrom), warnings otherwise. */
function envProblems(container: ContainerEnv, referenced: Map<string, string>, containerLabel: string, named: boolean): Problem[] {
  const missingReferenced = [...referenced.keys()].some((name) => container.env[name] === undefined);
  return container.problems.map((p) => {
    const message = `${containerLabel} ${p.path}: ${p.message}`;
    if (p.variable !== undefined) {
      const key = referenced.get(p.variable);
      return key !== undefined ? problem(key, message) : warning('scaleTargetRef', `${message} (not used by this trigger)`);
    }
    if (p.path === 'containers') return named || missingReferenced ? problem('scaleTargetRef.envSourceContainerName', p.message) : warning('scaleTargetRef', p.message);
    return missingReferenced ? problem('scaleTargetRef', message) : warning('scaleTargetRef', message);
  });
}

async function findAuthentication(input: ResolveTriggerAuthInput, ref: AuthenticationRef, label: string): Promise<{ spec?: TriggerAuthenticationSpec; problem?: Problem }> {
  const kind = effectiveAuthenticationKind(ref);
  try {
    const found = await input.getTriggerAuthentication(kind, ref.name, kind === 'TriggerAuthentication' ? input.scaledObjectNamespace : undefined);
    if (found === undefined) return { problem: problem(AUTH_PATH, `${label} not found`) };
    if (found.kind !== kind) return { problem: problem(AUTH_PATH, `${label}: the lookup returned a ${found.kind}`) };
    return { spec: found.spec };
  } catch (error) {
    return { problem: problem(AUTH_PATH, `cannot read ${label}: ${errorMessage(error)}`) };
  }
}

/** Runs every source of a spec and returns their outcomes in KEDA's merge order, with which hold secrets. */
async function runSteps(spec: TriggerAuthenticationSpec, ctx: StepContext, input: ResolveTriggerAuthInput): Promise<{ outcome: Outcome; secret: boolean }[]> {
  const vault = spec.hashiCorpVault;
  const vaultOutcome = vault === undefined
    ? Promise.resolve<Outcome>({ values: [], failures: [] })
    : resolveVaultSecrets(vault, { sources: ctx.sources, namespace: input.scaledObjectNamespace, defaultToken: input.vaultToken, timeoutMs: input.timeoutMs ?? 3000 });
  const results = await Promise.all([
    Promise.resolve(podIdentityStep(spec)),
    envStep(spec, ctx),
    filePathStep(spec, ctx),
    configMapStep(spec, ctx),
    secretStep(spec, ctx),
    vaultOutcome,
    Promise.resolve(unsupportedStoresStep(spec)), // Azure Key Vault, GCP and AWS secret managers
    boundTokenStep(spec, ctx),
    oauth2Step(spec.oauth2, ctx),
  ]);
  const secretSteps = new Set([2, 4, 5, 7, 8]); // filePath, secret, Vault, bound token, oauth2
  return results.map((outcome, i) => ({ outcome, secret: secretSteps.has(i) }));
}

/** Resolves a trigger's authentication and env; never throws for user mistakes (they are problems). */
export async function resolveTriggerAuth(input: ResolveTriggerAuthInput): Promise<ResolvedTriggerAuth> {
  const lookup = asLookup(input.containerEnv);
  const problems: Problem[] = [];
  const authParams: Record<string, string> = {};
  let podIdentity: string | undefined;
  const ref = input.trigger.authenticationRef;
  if (ref !== undefined && ref.name !== '') {
    const kind = effectiveAuthenticationKind(ref);
    const label = kind === 'TriggerAuthentication' ? `TriggerAuthentication "${input.scaledObjectNamespace}/${ref.name}"` : `ClusterTriggerAuthentication "${ref.name}"`;
    const found = await findAuthentication(input, ref, label);
    if (found.problem !== undefined) problems.push(found.problem);
    const spec = found.spec;
    if (spec !== undefined) {
      podIdentity = spec.podIdentity?.provider;
      const clusterNamespace = input.clusterObjectNamespace ?? DEFAULT_CLUSTER_OBJECT_NAMESPACE;
      const objectNamespace = kind === 'ClusterTriggerAuthentication' ? clusterNamespace : input.scaledObjectNamespace;
      const ctx: StepContext = {
        kind, sources: input.sources, objectNamespace, containerEnv: lookup,
        secretNamespace: input.restrictSecretAccess === true ? clusterNamespace : objectNamespace,
        filePathRoot: input.filePathRoot, boundTokenExpirySeconds: input.boundTokenExpirySeconds ?? DEFAULT_BOUND_TOKEN_EXPIRY_SECONDS,
      };
      const hidden: string[] = [];
      const steps = await runSteps(spec, ctx, input);
      for (const { outcome, secret } of steps) {
        for (const [parameter, value] of outcome.values) {
          authParams[parameter] = value;
          if (secret) hidden.push(value);
        }
      }
      for (const { outcome } of steps) {
        for (const f of outcome.failures) {
          const where = f.parameter !== undefined ? `${f.field} (parameter "${f.parameter}")` : f.field;
          const text = scrub(`${label}: ${where}: ${f.message}`, hidden);
          problems.push(f.severity === 'warning' ? warning(AUTH_PATH, text) : problem(AUTH_PATH, text));
        }
      }
    }
  }
  const container = await lookup(input.envSourceContainerName);
  const named = input.envSourceContainerName !== undefined && input.envSourceContainerName !== '';
  const label = named ? `container "${input.envSourceContainerName ?? ''}"` : 'first container';
  problems.push(...envProblems(container, referencedVariables(input.trigger.metadata), label, named));
  const out: ResolvedTriggerAuth = { authParams, env: { ...container.env }, problems };
  return podIdentity !== undefined ? { ...out, podIdentity } : out;
}
